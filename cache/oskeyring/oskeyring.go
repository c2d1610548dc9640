// Package oskeyring is the OS keyring client for package cache: the macOS
// Keychain, the Windows Credential Manager, or a Secret Service over D-Bus
// on Linux and the BSDs.
//
// It is a package of its own because the D-Bus client links the network
// stack (and, with cgo, the dynamic loader): the awsrun launcher, whose
// start-up time is its product, leaves it out on those systems and finds
// the key where awsrun-core mirrors it, in the kernel keyring.
package oskeyring

import (
	"errors"

	"github.com/zalando/go-keyring"

	"github.com/awsrun/awsrun/cache"
)

// Keyring is the system's keyring; it implements cache.Keyring.
type Keyring struct{}

// Get returns the secret of service and user, or cache.ErrNoSecret.
func (Keyring) Get(service, user string) (string, error) {
	v, err := keyring.Get(service, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", cache.ErrNoSecret
	}
	return v, err
}

// Set stores the secret of service and user.
func (Keyring) Set(service, user, secret string) error { return keyring.Set(service, user, secret) }
