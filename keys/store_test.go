package keys

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds"
)

const (
	testID     = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// fakeKeyring is an in-memory keyring; hang makes every call block.
type fakeKeyring struct {
	mu    sync.Mutex
	items map[string]string
	hang  chan struct{}
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{items: map[string]string{}} }

func (k *fakeKeyring) wait() {
	if k.hang != nil {
		<-k.hang
	}
}

func (k *fakeKeyring) Get(service, user string) (string, error) {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.items[service+"/"+user]
	if !ok {
		return "", ErrNotFound
	}
	return v, nil
}

func (k *fakeKeyring) Set(service, user, secret string) error {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	k.items[service+"/"+user] = secret
	return nil
}

func (k *fakeKeyring) Delete(service, user string) error {
	k.wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.items[service+"/"+user]; !ok {
		return ErrNotFound
	}
	delete(k.items, service+"/"+user)
	return nil
}

type env map[string]string

func (e env) get(k string) string { return e[k] }

// openFile opens a file store in a temp dir whose passphrase comes from
// the environment; asked counts prompts.
func openFile(t *testing.T, dir string, e env, asked *int) *Store {
	t.Helper()
	s, err := Open(Options{Getenv: e.get, Dir: dir, WorkFactor: 10,
		Passphrase: func(string, bool) (string, error) {
			*asked++
			return "prompted passphrase", nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFileStoreRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "awsrun")
	e := env{"AWSRUN_KEYS_STORE": "file", "AWSRUN_KEYS_PASSPHRASE": "correct horse"}
	asked := 0
	s := openFile(t, dir, e, &asked)
	if _, ok, err := s.Get("user101"); ok || err != nil {
		t.Fatalf("Get on an empty store = %v, %v", ok, err)
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.Put(Entry{Profile: "user101", AccessKeyID: testID, SecretAccessKey: testSecret, Created: created}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(Entry{Profile: "other", AccessKeyID: "AKIAOTHEROTHEROTHER1", SecretAccessKey: "x/y+z"}); err != nil {
		t.Fatal(err)
	}

	// A new process reads what the first wrote.
	s2 := openFile(t, dir, e, &asked)
	got, ok, err := s2.Get("user101")
	if err != nil || !ok {
		t.Fatalf("Get = %v, %v", ok, err)
	}
	if got.AccessKeyID != testID || got.SecretAccessKey != testSecret || !got.Created.Equal(created) || got.Profile != "user101" {
		t.Errorf("Get = %#v", got)
	}
	list, err := s2.List()
	if err != nil || len(list) != 2 || list[0].Profile != "other" || list[1].Profile != "user101" {
		t.Fatalf("List = %v, %v", list, err)
	}
	if found, err := s2.Remove("other"); !found || err != nil {
		t.Fatalf("Remove = %v, %v", found, err)
	}
	if found, err := s2.Remove("other"); found || err != nil {
		t.Fatalf("second Remove = %v, %v", found, err)
	}
	if asked != 0 {
		t.Errorf("asked for the passphrase %d times with AWSRUN_KEYS_PASSPHRASE set", asked)
	}

	fi, err := os.Stat(filepath.Join(dir, fileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("store file: %v, %v", fi, err)
	}
	assertNoSecretUnder(t, dir, testSecret)
	assertNoTempFiles(t, dir)
}

func TestFileStoreAsksOncePerProcess(t *testing.T) {
	dir := t.TempDir()
	asked := 0
	s := openFile(t, dir, env{"AWSRUN_KEYS_STORE": "file"}, &asked)
	for _, p := range []string{"a", "b", "c"} {
		if err := s.Put(Entry{Profile: p, AccessKeyID: testID, SecretAccessKey: testSecret}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Get("a"); err != nil {
		t.Fatal(err)
	}
	if asked != 1 {
		t.Errorf("asked %d times, want once", asked)
	}
}

func TestFileStoreWrongPassphrase(t *testing.T) {
	dir := t.TempDir()
	asked := 0
	s := openFile(t, dir, env{"AWSRUN_KEYS_STORE": "file", "AWSRUN_KEYS_PASSPHRASE": "right"}, &asked)
	if err := s.Put(Entry{Profile: "user101", AccessKeyID: testID, SecretAccessKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, fileName))
	s = openFile(t, dir, env{"AWSRUN_KEYS_STORE": "file", "AWSRUN_KEYS_PASSPHRASE": "wrong"}, &asked)
	_, _, err := s.Get("user101")
	var ke *Error
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "wrong passphrase") || ke.Hint() == "" {
		t.Fatalf("Get with a wrong passphrase = %v", err)
	}
	if strings.Contains(err.Error(), "wrong\"") || strings.Contains(err.Error()+ke.Hint(), "right") {
		t.Errorf("the error shows a passphrase: %v", err)
	}
	if err := s.Put(Entry{Profile: "x", AccessKeyID: testID, SecretAccessKey: testSecret}); err == nil {
		t.Fatal("Put with a wrong passphrase worked")
	}
	after, _ := os.ReadFile(filepath.Join(dir, fileName))
	if !bytes.Equal(before, after) {
		t.Error("a wrong passphrase changed the file")
	}
	assertNoTempFiles(t, dir)
}

func TestFileStoreNoTerminal(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Getenv: env{"AWSRUN_KEYS_STORE": "file"}.get, Dir: dir,
		Passphrase: func(string, bool) (string, error) {
			return "", &creds.NoTerminalError{What: "the key store passphrase"}
		}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Put(Entry{Profile: "p", AccessKeyID: testID, SecretAccessKey: testSecret})
	var ke *Error
	if !errors.As(err, &ke) || !strings.Contains(ke.Hint(), "AWSRUN_KEYS_PASSPHRASE") {
		t.Fatalf("Put with no terminal = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, fileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a store file was written without a passphrase")
	}
}

func TestFileStoreRefusesBadFiles(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup func(path string)
		want  string
	}{
		{"too large", func(p string) { os.WriteFile(p, bytes.Repeat([]byte("x"), maxFileSize+10), 0o600) }, "larger than"},
		{"open to others", func(p string) { os.WriteFile(p, []byte("x"), 0o644) }, "group or others"},
		{"garbage", func(p string) { os.WriteFile(p, []byte("not age\n"), 0o600) }, "not an age-encrypted"},
		{"symlink", func(p string) { os.Symlink("/etc/passwd", p) }, "not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(filepath.Join(dir, fileName))
			asked := 0
			s := openFile(t, dir, env{"AWSRUN_KEYS_STORE": "file", "AWSRUN_KEYS_PASSPHRASE": "p"}, &asked)
			_, _, err := s.Get("x")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Get = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestKeyringStore(t *testing.T) {
	kr := newFakeKeyring()
	dir := t.TempDir()
	s, err := Open(Options{Getenv: env{"DBUS_SESSION_BUS_ADDRESS": "x"}.get, Dir: dir, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(Entry{Profile: "user101", AccessKeyID: testID, SecretAccessKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	if s.Kind() != KindKeyring {
		t.Fatalf("auto store with a keyring that answers is %s", s.Name())
	}
	got, ok, err := s.Get("user101")
	if err != nil || !ok || got.SecretAccessKey != testSecret || got.Created.IsZero() {
		t.Fatalf("Get = %#v, %v, %v", got, ok, err)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	if found, err := s.Remove("user101"); !found || err != nil {
		t.Fatalf("Remove = %v %v", found, err)
	}
	if list, _ := s.List(); len(list) != 0 {
		t.Errorf("List after Remove = %v", list)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != markerName {
		t.Errorf("the keyring store wrote files: %v", entries)
	}
}

func TestKeyringThatHangsIsAnError(t *testing.T) {
	kr := newFakeKeyring()
	kr.hang = make(chan struct{})
	defer close(kr.hang)
	dir := t.TempDir()
	s, err := Open(Options{Getenv: env{}.get, Dir: dir, Keyring: kr, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Never used here: the keyring is not even asked.
	if _, ok, err := s.Get("user101"); ok || err != nil {
		t.Fatalf("Get from a store never used = %v, %v", ok, err)
	}
	os.WriteFile(filepath.Join(dir, markerName), nil, 0o600)
	_, _, err = s.Get("user101")
	var ke *Error
	if !errors.As(err, &ke) || !strings.Contains(err.Error(), "no answer") || !strings.Contains(ke.Hint(), "AWSRUN_KEYS_STORE=file") {
		t.Fatalf("Get with a hung keyring = %v", err)
	}
}

func TestAutoPrefersAnExistingFile(t *testing.T) {
	dir := t.TempDir()
	asked := 0
	fst := openFile(t, dir, env{"AWSRUN_KEYS_STORE": "file", "AWSRUN_KEYS_PASSPHRASE": "p"}, &asked)
	if err := fst.Put(Entry{Profile: "user101", AccessKeyID: testID, SecretAccessKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{Getenv: env{"AWSRUN_KEYS_PASSPHRASE": "p"}.get, Dir: dir, Keyring: newFakeKeyring()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Get("user101"); !ok || err != nil || s.Kind() != KindFile {
		t.Fatalf("Get = %v, %v from %s", ok, err, s.Name())
	}
}

func TestBadStoreSetting(t *testing.T) {
	_, err := Open(Options{Getenv: env{"AWSRUN_KEYS_STORE": "keyctl"}.get})
	var ke *Error
	if !errors.As(err, &ke) || ke.Hint() == "" {
		t.Fatalf("Open = %v", err)
	}
}

func TestEntryHidesItsSecret(t *testing.T) {
	e := Entry{Profile: "p", AccessKeyID: testID, SecretAccessKey: testSecret}
	for _, s := range []string{e.String(), e.GoString()} {
		if strings.Contains(s, testSecret) || strings.Contains(s, testID) {
			t.Errorf("formatting an entry shows %q", s)
		}
	}
	// Key ids are masked as -v masks them everywhere, short ones too.
	for id, want := range map[string]string{testID: "p AKIA…MPLE", "short": "p …"} {
		if got := (Entry{Profile: "p", AccessKeyID: id}).String(); got != want {
			t.Errorf("Entry with id %q = %q, want %q", id, got, want)
		}
	}
}

func assertNoSecretUnder(t *testing.T, root, secret string) {
	t.Helper()
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, _ := os.ReadFile(path)
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the secret in plain text", path)
		}
		return nil
	})
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
