//go:build !linux

package cache

import "errors"

// keyctlStore stands for the Linux kernel keyring, which this OS lacks.
type keyctlStore struct{}

func newKeyctlStore(string) keyStore { return keyctlStore{} }

func (keyctlStore) name() string { return "keyctl" }

func (keyctlStore) load() ([]byte, error) { return nil, errors.New("not available on this OS") }

func (keyctlStore) save([]byte) ([]byte, error) { return nil, errors.New("not available on this OS") }
