//go:build linux

package cache

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// keyctlStore keeps the key in the Linux kernel's user keyring, which lasts
// while the user has processes (typically until logout or reboot).
type keyctlStore struct {
	desc string
}

func newKeyctlStore(desc string) keyStore { return &keyctlStore{desc: desc} }

func (k *keyctlStore) name() string { return "keyctl" }

// keyPerm lets the possessor and the owning user do everything with the key.
// A key added to the user keyring by a process that does not possess that
// keyring (a container's own session keyring, say) otherwise gives its user
// only "view", and nobody could read it back.
const keyPerm = 0x3f000000 | 0x003f0000 // KEY_POS_ALL | KEY_USR_ALL

func (k *keyctlStore) load() ([]byte, error) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", k.desc, 0)
	switch {
	case errors.Is(err, unix.ENOKEY), errors.Is(err, unix.EKEYEXPIRED), errors.Is(err, unix.EKEYREVOKED):
		return nil, errNoKey
	case err != nil:
		return nil, fmt.Errorf("search user keyring: %w", err)
	}
	key, err := readKey(id)
	if err != nil {
		return nil, err
	}
	if !validKey(key) {
		return nil, errNoKey // not ours to read: replace it
	}
	return key, nil
}

func readKey(id int) ([]byte, error) {
	buf := make([]byte, keySize+1)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
	if err != nil {
		return nil, fmt.Errorf("read key %d: %w", id, err)
	}
	if n > len(buf) {
		n = len(buf) // longer than a key: invalid either way
	}
	return buf[:n], nil
}

// save adds the key to this process's keyring, where the process possesses
// it and may set its permissions, then links it into the user keyring
// (displacing any key of the same description) and checks that it reads back.
func (k *keyctlStore) save(key []byte) ([]byte, error) {
	// Keyrings hang off a thread's credentials: a process keyring made now
	// is visible only to this thread, so every step must run on it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	id, err := unix.AddKey("user", k.desc, key, unix.KEY_SPEC_PROCESS_KEYRING)
	if err != nil {
		return nil, fmt.Errorf("add key: %w", err)
	}
	defer unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_PROCESS_KEYRING, 0, 0)
	if err := unix.KeyctlSetperm(id, keyPerm); err != nil {
		return nil, fmt.Errorf("set key permissions: %w", err)
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_LINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0); err != nil {
		return nil, fmt.Errorf("link key into user keyring: %w", err)
	}
	got, err := k.load()
	if err == nil && !bytes.Equal(got, key) {
		err = errors.New("key read back differs")
	}
	if err != nil {
		unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
		if errors.Is(err, errNoKey) {
			err = errors.New("key not found after adding it")
		}
		return nil, err
	}
	return got, nil
}
