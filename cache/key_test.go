package cache

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFileKey(t *testing.T) {
	s, o := newStore(t)
	got, err := s.KeyStore()
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(o.KeyDir, keyFileName)
	if want := "file " + keyPath; got != want {
		t.Errorf("KeyStore() = %q, want %q", got, want)
	}
	key, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != keySize || bytes.Equal(key, make([]byte, keySize)) {
		t.Errorf("key file holds %d bytes, want %d random ones", len(key), keySize)
	}
	if _, err := os.Stat(filepath.Join(o.Dir, keyFileName)); err == nil {
		t.Error("key file in the cache directory")
	}
	// Another store on the same directories finds the same key.
	s2, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.Get(id, 0); !ok {
		t.Error("a second store could not read the first one's entry")
	}
	if entries, _ := filepath.Glob(filepath.Join(o.KeyDir, ".*")); len(entries) != 0 {
		t.Errorf("temporary key files left: %v", entries)
	}
}

func TestFileKeyMalformedIsReplaced(t *testing.T) {
	o := testOptions(t)
	writeKeyFile(t, o.KeyDir, []byte("short"))
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyStore(); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(o.KeyDir, keyFileName))
	if err != nil || len(key) != keySize {
		t.Errorf("key file after replacement: %d bytes, %v", len(key), err)
	}
}

func TestFileKeyRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, o *Options)
		wantErr string
	}{
		{
			name: "key file readable by others",
			setup: func(t *testing.T, o *Options) {
				writeKeyFile(t, o.KeyDir, make([]byte, keySize))
				os.Chmod(filepath.Join(o.KeyDir, keyFileName), 0o644)
			},
			wantErr: "is accessible to group or others (mode 0644)",
		},
		{
			name: "key directory writable by others",
			setup: func(t *testing.T, o *Options) {
				os.MkdirAll(o.KeyDir, 0o700)
				os.Chmod(o.KeyDir, 0o777)
			},
			wantErr: "is writable by group or others (mode 0777)",
		},
		{
			name: "key file a symlink",
			setup: func(t *testing.T, o *Options) {
				writeKeyFile(t, filepath.Join(o.KeyDir, "real"), make([]byte, keySize))
				os.Symlink(filepath.Join(o.KeyDir, "real", keyFileName), filepath.Join(o.KeyDir, keyFileName))
			},
			wantErr: "is not a regular file",
		},
		{
			name:    "key directory inside the cache directory",
			setup:   func(t *testing.T, o *Options) { o.KeyDir = filepath.Join(o.Dir, "keys") },
			wantErr: "is inside the cache directory",
		},
		{
			name:    "key directory is the cache directory",
			setup:   func(t *testing.T, o *Options) { o.KeyDir = o.Dir },
			wantErr: "is inside the cache directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			tt.setup(t, &o)
			s, err := Open(o)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.KeyStore(); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("KeyStore() error = %v, want one containing %q", err, tt.wantErr)
			}
			id := testID(1)
			if err := s.Put(id, testEntry(id)); err == nil {
				t.Error("Put succeeded without a usable key")
			}
			os.WriteFile(filepath.Join(o.Dir, id), []byte{version, 1, 2, 3}, 0o600)
			if _, ok := s.Get(id, 0); ok {
				t.Error("Get hit without a usable key")
			}
		})
	}
}

func TestKeyringWithoutSessionBus(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the keyring needs no session bus here")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	o := testOptions(t)
	o.KeyStore = "keyring"
	o.Keyring = &memKeyring{}
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := s.KeyStore(); err == nil || !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS") {
		t.Errorf("KeyStore() error = %v, want one about the session bus", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("KeyStore took %v", d)
	}
}

// TestKeyringTimeout checks that a keyring that does not answer counts as
// absent once the timeout is up.
func TestKeyringTimeout(t *testing.T) {
	start := time.Now()
	release := make(chan struct{})
	defer close(release)
	_, err := WithTimeout(50*time.Millisecond, func() (string, error) {
		<-release
		return "late", nil
	})
	if err == nil {
		t.Fatal("WithTimeout returned a late answer")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("WithTimeout waited %v", d)
	}
	v, err := WithTimeout(5*time.Second, func() (string, error) { return "v", nil })
	if v != "v" || err != nil {
		t.Errorf("withTimeout = %q, %v; want the answer", v, err)
	}
}

// memKeyring is an OS keyring in memory.
type memKeyring struct {
	mu      sync.Mutex
	secrets map[string]string
	gets    int
}

func (m *memKeyring) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	v, ok := m.secrets[service+"/"+user]
	if !ok {
		return "", ErrNoSecret
	}
	return v, nil
}

func (m *memKeyring) Set(service, user, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.secrets == nil {
		m.secrets = map[string]string{}
	}
	m.secrets[service+"/"+user] = secret
	return nil
}

func TestKeyringIsAskedOnlyWhenGiven(t *testing.T) {
	o := testOptions(t)
	o.KeyStore = "keyring"
	_, err := Open(o)
	if err == nil || !strings.Contains(err.Error(), "no OS keyring client") {
		t.Errorf("Open with KeyStore keyring and no Keyring: %v", err)
	}
	var h interface{ Hint() string }
	if !errors.As(err, &h) || !strings.Contains(h.Hint(), "AWSRUN_KEY_STORE") {
		t.Errorf("Open with KeyStore keyring and no Keyring: no hint naming AWSRUN_KEY_STORE: %v", err)
	}
}

func TestFindKeyOnlyNeverMakesAKey(t *testing.T) {
	o := testOptions(t)
	o.FindKeyOnly = true
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err == nil {
		t.Error("Put made a key")
	}
	if _, err := os.Stat(filepath.Join(o.KeyDir, "cache.key")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a key file exists: %v", err)
	}
	// With a key made by a full store, the same options read the entry.
	full := o
	full.FindKeyOnly = false
	w, err := Open(full)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	if s, _ = Open(o); !hit(s, id) {
		t.Error("FindKeyOnly store cannot read the entry once a key exists")
	}
}

func hit(s *Store, id string) bool { _, ok := s.Get(id, 0); return ok }
