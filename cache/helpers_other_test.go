//go:build !linux

package cache

import "errors"

func joinSessionKeyring(string) error { return errors.New("no kernel keyring on this OS") }
