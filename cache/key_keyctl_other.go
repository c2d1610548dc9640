//go:build !linux

package cache

import (
	"errors"
	"time"
)

// keyctlStore stands for the Linux kernel keyring, which this OS lacks.
type keyctlStore struct{}

func newKeyctlStore(string, time.Duration) keyStore { return keyctlStore{} }

func (keyctlStore) name() string { return "keyctl" }

func (keyctlStore) load() ([]byte, error) { return nil, errors.New("not available on this OS") }

func (keyctlStore) save([]byte) ([]byte, error) { return nil, errors.New("not available on this OS") }
