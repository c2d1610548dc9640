package cache

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// keyctlAvailable skips the test when the kernel keyring cannot be used
// (seccomp filters in containers refuse keyctl with EPERM or ENOSYS).
func keyctlAvailable(t *testing.T) {
	t.Helper()
	_, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", "awsrun:cache-test-probe", 0)
	if !errors.Is(err, unix.ENOKEY) {
		t.Skipf("kernel keyring not usable here: %v", err)
	}
}

// unlinkKeyctlKey removes the store's key from the user keyring at the end of
// the test.
func unlinkKeyctlKey(t *testing.T, s *Store) {
	t.Cleanup(func() {
		id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", "awsrun:"+s.keyName(), 0)
		if err != nil {
			return
		}
		if _, err := unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0); err != nil {
			t.Errorf("unlink test key: %v", err)
		}
	})
}

func TestKeyctlKey(t *testing.T) {
	keyctlAvailable(t)
	tests := []struct {
		name     string
		keyStore string
		creator  string // "" this process, else a helper in a session keyring of this name
	}{
		{"forced", "keyctl", ""},
		{"auto without keyring", "auto", ""},
		{"made where the user keyring is not possessed", "keyctl", "awsrun-cache-test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", "") // no desktop keyring: auto falls to keyctl
			o := testOptions(t)
			o.KeyStore = tt.keyStore
			s, err := Open(o)
			if err != nil {
				t.Fatal(err)
			}
			unlinkKeyctlKey(t, s)
			id := testID(1)

			if tt.creator == "" {
				if err := s.Put(id, testEntry(id)); err != nil {
					t.Fatal(err)
				}
			} else {
				startHelper(t, "put", o, id, "AWSRUN_CACHE_TEST_SESSION="+tt.creator).expect(t, "put")
			}
			got, err := s.KeyStore()
			if err != nil {
				t.Fatal(err)
			}
			if got != "keyctl" {
				t.Errorf("KeyStore() = %q, want keyctl", got)
			}
			if _, ok := s.Get(id, 0); !ok {
				t.Error("Get missed the entry")
			}

			kid, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", "awsrun:"+s.keyName(), 0)
			if err != nil {
				t.Fatal(err)
			}
			desc, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, kid)
			if err != nil {
				t.Fatal(err)
			}
			if f := strings.Split(desc, ";"); len(f) < 4 || f[3] != "0b0b0000" {
				t.Errorf("key description %q, want permissions 0b0b0000 (view, read, search)", desc)
			}

			// A fresh process that does not possess the user keyring reads it.
			startHelper(t, "get", o, id, "AWSRUN_CACHE_TEST_SESSION=awsrun-cache-test-reader").expect(t, "hit")
			startHelper(t, "get", o, id).expect(t, "hit")
		})
	}
}

// TestKeyringKeyIsMirroredForTheLauncher guards the launcher's fast path on
// Linux: it has no keyring client, and must find the key that awsrun-core
// keeps in the OS keyring through its copy in the kernel keyring.
func TestKeyringKeyIsMirroredForTheLauncher(t *testing.T) {
	keyctlAvailable(t)
	kr := &memKeyring{}
	o := testOptions(t)
	o.KeyStore = "auto"
	o.Keyring = kr
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent") // the keyring "answers": it is in memory
	core, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	unlinkKeyctlKey(t, core)
	id := testID(7)
	if err := core.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	if got, _ := core.KeyStore(); got != "keyring" {
		t.Fatalf("key store %q, want keyring", got)
	}

	launcher := o
	launcher.Keyring = nil
	launcher.FindKeyOnly = true
	s, err := Open(launcher)
	if err != nil {
		t.Fatal(err)
	}
	if !hit(s, id) {
		t.Fatal("a store without the keyring client does not read the entry")
	}
	if got, _ := s.KeyStore(); got != "keyctl" {
		t.Errorf("launcher found the key in %q, want keyctl", got)
	}
	if _, err := os.Stat(filepath.Join(o.KeyDir, "cache.key")); err == nil {
		t.Error("a key file was made beside the keyring's key")
	}

	// The copy expires, and no one may change it: it had all rights and
	// lived until logout.
	kid, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", "awsrun:"+core.keyName(), 0)
	if err != nil {
		t.Fatal(err)
	}
	proc, err := os.ReadFile("/proc/keys")
	if err != nil {
		t.Skipf("cannot read /proc/keys: %v", err)
	}
	for _, line := range strings.Split(string(proc), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		if id, err := strconv.ParseInt(f[0], 16, 64); err != nil || int(id) != kid {
			continue
		}
		if f[3] == "perm" {
			t.Errorf("the mirrored key never expires: %s", line)
		}
		if f[4] != "0b0b0000" {
			t.Errorf("the mirrored key has permissions %s, want 0b0b0000 (view, read, search)", f[4])
		}
		return
	}
	t.Errorf("key %x not in /proc/keys", kid)
}
