package cache

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// blockedKeyctl is the kernel keyring under Docker's default seccomp
// profile: every call fails with EPERM.
type blockedKeyctl struct{}

func (blockedKeyctl) name() string                { return "keyctl" }
func (blockedKeyctl) load() ([]byte, error)       { return nil, syscall.EPERM }
func (blockedKeyctl) save([]byte) ([]byte, error) { return nil, syscall.EPERM }

func blockKeyctl(t *testing.T) {
	old := keyctlFor
	keyctlFor = func(string, time.Duration) keyStore { return blockedKeyctl{} }
	t.Cleanup(func() { keyctlFor = old })
}

// slowKeyring is an OS keyring that answers late while slow is set.
type slowKeyring struct {
	memKeyring
	slow atomic.Bool
}

func (k *slowKeyring) Get(service, user string) (string, error) {
	if k.slow.Load() {
		time.Sleep(300 * time.Millisecond)
	}
	return k.memKeyring.Get(service, user)
}

// TestSlowKeyringNeverMakesASecondKey: a keyring slower than the timeout
// counted as absent, a second key went to a file, and what was sealed under
// it became unreadable once the keyring was fast again.
func TestSlowKeyringNeverMakesASecondKey(t *testing.T) {
	blockKeyctl(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent") // the keyring "answers": it is in memory
	kr := &slowKeyring{}
	o := testOptions(t)
	o.KeyStore = "auto"
	o.Keyring = kr
	o.Timeout = 50 * time.Millisecond
	first, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	a, b := testID(1), testID(2)
	if err := first.Put(a, testEntry(a)); err != nil {
		t.Fatal(err)
	}

	kr.slow.Store(true)
	slow, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := slow.Get(a, 0); ok {
		t.Fatal("hit without the key")
	}
	err = slow.Put(b, testEntry(b))
	if err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("Put with a slow keyring = %v, want a refusal to make another key", err)
	}
	if _, err := os.Stat(filepath.Join(o.KeyDir, keyFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a second key was made in a file (err %v)", err)
	}

	kr.slow.Store(false)
	fast, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if !hit(fast, a) {
		t.Error("the entry sealed under the keyring's key no longer reads")
	}
}

// TestBlockedKernelKeyringWarnsOnce: the key fell back to a file without a
// word when seccomp blocked keyctl.
func TestBlockedKernelKeyringWarnsOnce(t *testing.T) {
	blockKeyctl(t)
	o := testOptions(t)
	o.KeyStore = "auto"
	var warnings []string
	o.Warn = func(m string) { warnings = append(warnings, m) }
	for i := range 3 {
		s, err := Open(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Put(testID(i), testEntry(testID(i))); err != nil {
			t.Fatal(err)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "kernel keyring is not usable") ||
		!strings.Contains(warnings[0], filepath.Join(o.KeyDir, keyFileName)) || !strings.Contains(warnings[0], "AWSRUN_KEY_STORE=keyctl") {
		t.Errorf("warnings = %q, want one naming the key file and AWSRUN_KEY_STORE=keyctl", warnings)
	}
}

// TestForcedKeyStoreFailsClosed: AWSRUN_KEY_STORE=keyctl never puts the key
// in a file when the kernel keyring is blocked.
func TestForcedKeyStoreFailsClosed(t *testing.T) {
	blockKeyctl(t)
	o := testOptions(t)
	o.KeyStore = "keyctl"
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(testID(1), testEntry(testID(1))); err == nil {
		t.Fatal("Put succeeded with the only allowed key store blocked")
	}
	if _, err := os.Stat(o.KeyDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the key directory was made (err %v)", err)
	}
}

// TestLostKeySaysSo: a key that disappeared (the kernel keyring empties at
// logout and reboot) silently cost the MFA session.
func TestLostKeySaysSo(t *testing.T) {
	o := testOptions(t)
	var warnings []string
	o.Warn = func(m string) { warnings = append(warnings, m) }
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(testID(1), testEntry(testID(1))); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Fatalf("warnings for the first key: %q", warnings)
	}
	if err := os.Remove(filepath.Join(o.KeyDir, keyFileName)); err != nil {
		t.Fatal(err)
	}
	s, err = Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(testID(2), testEntry(testID(2))); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "the one that sealed the 1 entries") {
		t.Errorf("warnings = %q, want one about the lost key", warnings)
	}
}

func TestInvalidKeyStoreIsAnError(t *testing.T) {
	err := CheckKeyStore("keychain")
	var kse *KeyStoreError
	if !errors.As(err, &kse) || !strings.Contains(kse.Hint(), "AWSRUN_KEY_STORE") {
		t.Fatalf("CheckKeyStore = %v, want a *KeyStoreError with a hint", err)
	}
	for _, ok := range []string{"", "auto", "keyring", "keyctl", "file"} {
		if err := CheckKeyStore(ok); err != nil {
			t.Errorf("CheckKeyStore(%q) = %v", ok, err)
		}
	}
}

// TestLooseKeyFileIsRefusedNotReplaced: a key file open to others was
// refused on every run without a word on how to fix it, and in auto mode a
// second key was made beside it, losing what the first one sealed.
func TestLooseKeyFileIsRefusedNotReplaced(t *testing.T) {
	o := testOptions(t)
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(o.KeyDir, keyFileName)
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	blockKeyctl(t) // auto mode would otherwise make a key in the kernel keyring
	o.KeyStore = "auto"
	s, err = Open(o)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.KeyStore()
	var ide *InsecureDirError
	if !errors.As(err, &ide) || ide.Hint() != "chmod 600 "+keyFile {
		t.Fatalf("KeyStore() = %v, want an *InsecureDirError hinting chmod 600 %s", err, keyFile)
	}
	if err := s.Put(testID(2), testEntry(testID(2))); err == nil {
		t.Error("Put made another key beside the refused one")
	}
	if err := os.Chmod(keyFile, 0o600); err != nil {
		t.Fatal(err)
	}
	if s, _ := Open(o); !hit(s, id) {
		t.Error("the entry does not read once the key file is fixed")
	}
}
