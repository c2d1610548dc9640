package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestKeychainKeyIsMirroredToTheKeyFile is macOS's key path, run where the
// tests run: no kernel keyring, the key in the OS keyring (in memory
// here), and a launcher without a keyring client, which must find the key
// in the key file without asking the keyring (it would run a process).
func TestKeychainKeyIsMirroredToTheKeyFile(t *testing.T) {
	blockKeyctl(t)
	old := mirrorToFile
	mirrorToFile = true
	t.Cleanup(func() { mirrorToFile = old })
	kr := &memKeyring{}
	o := testOptions(t)
	o.KeyStore = "auto"
	o.Keyring = kr
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent") // the keyring "answers": it is in memory
	core, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	id := testID(7)
	if err := core.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	if got, _ := core.KeyStore(); got != "keyring" {
		t.Fatalf("key store %q, want keyring", got)
	}
	b, err := os.ReadFile(filepath.Join(o.KeyDir, keyFileName))
	if err != nil {
		t.Fatalf("no key file mirrors the keyring's key: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(o.KeyDir, keyFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the key file's mode is %v (%v), want 0600", fi.Mode(), err)
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

	// A stale mirror (the keyring's key replaced) is overwritten.
	stale := bytes.Repeat([]byte{1}, keySize)
	if err := os.WriteFile(filepath.Join(o.KeyDir, keyFileName), stale, 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if !hit(again, id) {
		t.Fatal("the keyring's key no longer reads the entry")
	}
	if got, _ := os.ReadFile(filepath.Join(o.KeyDir, keyFileName)); !bytes.Equal(got, b) {
		t.Error("a stale mirror was not replaced by the keyring's key")
	}
}
