package cache

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"
)

// keyringService is the service name of the key in the OS keyring.
const keyringService = "awsrun"

// keyringStore keeps the key, base64-encoded, in the OS keyring: the macOS
// Keychain, the Windows Credential Manager or a Secret Service over D-Bus.
type keyringStore struct {
	keyring Keyring
	user    string
	timeout time.Duration
}

func (k *keyringStore) name() string { return "keyring" }

func (k *keyringStore) load() ([]byte, error) {
	if err := keyringReachable(); err != nil {
		return nil, err
	}
	v, err := WithTimeout(k.timeout, func() (string, error) {
		return k.keyring.Get(keyringService, k.user)
	})
	if errors.Is(err, ErrNoSecret) {
		return nil, errNoKey
	}
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || !validKey(key) {
		return nil, errNoKey // not ours to read: replace it
	}
	return key, nil
}

func (k *keyringStore) save(key []byte) ([]byte, error) {
	if err := keyringReachable(); err != nil {
		return nil, err
	}
	_, err := WithTimeout(k.timeout, func() (string, error) {
		return "", k.keyring.Set(keyringService, k.user, base64.StdEncoding.EncodeToString(key))
	})
	if err != nil {
		return nil, err
	}
	return key, nil
}

// keyringReachable rules out a Secret Service when there is no session bus:
// asking then would make the D-Bus library try to launch one.
func keyringReachable() error {
	switch runtime.GOOS {
	case "darwin", "windows":
		return nil
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return errors.New("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)")
	}
	return nil
}

// WithTimeout runs f and gives up waiting after d; f may go on in the
// background, and its late answer is dropped. A keyring that does not
// answer (a locked session, a hung D-Bus) must not hang awsrun: the cache
// key's and the key store's keyring calls go through it.
func WithTimeout(d time.Duration, f func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-t.C:
		return "", fmt.Errorf("%w within %v", errUnanswered, d)
	}
}
