//go:build linux

package cache

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// keyctlStore keeps the key in the Linux kernel's user keyring, which lasts
// while the user has processes (typically until logout or reboot).
type keyctlStore struct {
	desc     string
	lifetime time.Duration // 0: the key lasts as long as the user keyring
}

func newKeyctlStore(desc string, lifetime time.Duration) keyStore {
	return &keyctlStore{desc: desc, lifetime: lifetime}
}

func (k *keyctlStore) name() string { return "keyctl" }

// keyPerm lets the possessor and the owning user find and read the key,
// and nothing else: no one can change it, link it elsewhere, or change
// its permissions or lifetime. (Replacing it with a new key, and removing
// it, need only write access to the user keyring.) The user's rights are
// needed: a key added to the user keyring by a process that does not
// possess that keyring (a container's own session keyring, say) is read
// back by processes that do not possess it either.
const keyPerm = 0x0b000000 | 0x000b0000 // KEY_POS_{VIEW,READ,SEARCH} | KEY_USR_{VIEW,READ,SEARCH}

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
	// The lifetime and the link need rights the final permissions leave
	// out; this process has them while it possesses the key.
	if k.lifetime > 0 {
		if _, err := unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, int(k.lifetime/time.Second), 0, 0); err != nil {
			return nil, fmt.Errorf("set key lifetime: %w", err)
		}
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_LINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0); err != nil {
		return nil, fmt.Errorf("link key into user keyring: %w", err)
	}
	if err := unix.KeyctlSetperm(id, keyPerm); err != nil {
		unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
		return nil, fmt.Errorf("set key permissions: %w", err)
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
