package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/adrg/xdg"
)

func TestRoundTrip(t *testing.T) {
	s, _ := newStore(t)
	tests := []struct {
		name string
		e    Entry
	}{
		{"typical", *testEntry(testID(1))},
		{"empty fields", Entry{Expires: time.Now().Add(time.Hour)}},
		{"nanoseconds", Entry{Kind: "session", Expires: time.Date(2200, 1, 2, 3, 4, 5, 999999999, time.UTC)}},
		{"binary data", Entry{Kind: "mfa-code", Label: "ünïcode ☃", Data: []byte{0, 1, 2, 0xff, 0}, Expires: time.Now().Add(time.Minute)}},
		{"large data", Entry{Data: bytes.Repeat([]byte("x"), maxPlain-minPlain), Expires: time.Now().Add(time.Minute)}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := testID(100 + i)
			if err := s.Put(id, &tt.e); err != nil {
				t.Fatal(err)
			}
			got, ok := s.Get(id, 0)
			if !ok {
				t.Fatal("Get missed an entry just put")
			}
			if !sameEntry(got, &tt.e) {
				t.Errorf("Get = %+v, want %+v", got, tt.e)
			}
		})
	}
}

func TestPutTooLarge(t *testing.T) {
	s, o := newStore(t)
	e := &Entry{Data: make([]byte, maxPlain), Expires: time.Now().Add(time.Hour)}
	if err := s.Put(testID(1), e); err == nil {
		t.Fatal("Put of an oversized entry succeeded")
	}
	if _, err := os.Stat(filepath.Join(o.Dir, testID(1))); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("oversized entry left a file: %v", err)
	}
}

func TestBadID(t *testing.T) {
	s, _ := newStore(t)
	good := testID(1)
	tests := []struct {
		name string
		id   string
	}{
		{"empty", ""},
		{"upper case", strings.ToUpper(good)},
		{"short", good[:63]},
		{"long", good + "0"},
		{"path", "../" + good[3:]},
		{"not hex", "g" + good[1:]},
		{"lock name", good[:59] + ".lock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Put(tt.id, testEntry(good)); err == nil {
				t.Error("Put accepted the id")
			}
			if _, ok := s.Get(tt.id, 0); ok {
				t.Error("Get hit")
			}
			if err := s.Delete(tt.id); err == nil {
				t.Error("Delete accepted the id")
			}
			if _, err := s.Lock(t.Context(), tt.id, nil); err == nil {
				t.Error("Lock accepted the id")
			}
		})
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	s, o := newStore(t)
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(t.Context(), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	tests := []struct {
		path string
		want fs.FileMode
	}{
		{o.Dir, fs.ModeDir | 0o700},
		{filepath.Join(o.Dir, fileName(t, s, id)), 0o600},
		{filepath.Join(o.Dir, fileName(t, s, id)+lockSuffix), 0o600},
		{filepath.Join(o.Dir, keyLockName), 0o600},
		{o.KeyDir, fs.ModeDir | 0o700},
		{filepath.Join(o.KeyDir, keyFileName), 0o600},
	}
	for _, tt := range tests {
		fi, err := os.Stat(tt.path)
		if err != nil {
			t.Error(err)
			continue
		}
		if got := fi.Mode(); got != tt.want {
			t.Errorf("%s: mode %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestOpenRefusesInsecureDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	tests := []struct {
		name       string
		mode       fs.FileMode
		owner      int // -1: ours
		file       bool
		wantReason string
	}{
		{name: "world readable", mode: 0o755, owner: -1, wantReason: "accessible to group or others (mode 0755)"},
		{name: "group readable", mode: 0o740, owner: -1, wantReason: "accessible to group or others (mode 0740)"},
		{name: "others can enter", mode: 0o701, owner: -1, wantReason: "accessible to group or others (mode 0701)"},
		{name: "group writable", mode: 0o770, owner: -1, wantReason: "accessible to group or others (mode 0770)"},
		{name: "another user's", mode: 0o700, owner: 65534, wantReason: "owned by uid 65534, not 0"},
		{name: "a file", mode: 0o600, owner: -1, file: true, wantReason: "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "awsrun")
			if tt.file {
				if err := os.WriteFile(dir, nil, tt.mode); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			if tt.owner >= 0 {
				if os.Geteuid() != 0 {
					t.Skip("giving a directory to another user needs root")
				}
				if err := os.Chown(dir, tt.owner, tt.owner); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Open(Options{Dir: dir, KeyDir: t.TempDir(), KeyStore: "file"})
			var ide *InsecureDirError
			if !errors.As(err, &ide) {
				t.Fatalf("Open = %v, want an *InsecureDirError", err)
			}
			if ide.Dir != dir || ide.Reason != tt.wantReason {
				t.Errorf("InsecureDirError{%q, %q}, want {%q, %q}", ide.Dir, ide.Reason, dir, tt.wantReason)
			}
			if want := "cache directory " + dir + " is " + tt.wantReason; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err, want)
			}
		})
	}
}

func TestOpenBadKeyStore(t *testing.T) {
	o := testOptions(t)
	o.KeyStore = "vault"
	if _, err := Open(o); err == nil || !strings.Contains(err.Error(), `"vault"`) {
		t.Errorf("Open = %v, want an error naming the key store", err)
	}
}

func TestDefaults(t *testing.T) {
	t.Cleanup(xdg.Reload) // after the variables below are restored
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	xdg.Reload()

	s, err := Open(Options{KeyStore: "file"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Dir(), filepath.Join(home, "cache", "awsrun"); got != want {
		t.Errorf("Dir() = %q, want %q", got, want)
	}
	if s.timeout != DefaultTimeout {
		t.Errorf("timeout = %v, want %v", s.timeout, DefaultTimeout)
	}
	got, err := s.KeyStore()
	if err != nil {
		t.Fatal(err)
	}
	if want := "file " + filepath.Join(home, "config", "awsrun", keyFileName); got != want {
		t.Errorf("KeyStore() = %q, want %q", got, want)
	}
}

func TestGetMissDoesNotMakeKey(t *testing.T) {
	s, o := newStore(t)
	if _, ok := s.Get(testID(1), 0); ok {
		t.Fatal("Get hit in an empty cache")
	}
	if err := s.Delete(testID(1)); err != nil {
		t.Fatalf("Delete of a missing entry: %v", err)
	}
	if _, err := s.List(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{o.KeyDir, filepath.Join(o.Dir, keyLockName)} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists after reads of an empty cache (err %v)", p, err)
		}
	}
}

func TestExpiryMargin(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	o := testOptions(t)
	o.Now = func() time.Time { return now }
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		expires time.Time
		margin  time.Duration
		want    bool
	}{
		{"far", now.Add(time.Hour), 5 * time.Minute, true},
		{"just outside margin", now.Add(5*time.Minute + time.Nanosecond), 5 * time.Minute, true},
		{"at margin", now.Add(5 * time.Minute), 5 * time.Minute, false},
		{"inside margin", now.Add(4 * time.Minute), 5 * time.Minute, false},
		{"expired", now.Add(-time.Second), 0, false},
		{"expires now", now, 0, false},
		{"zero margin", now.Add(time.Second), 0, true},
		{"zero time", time.Time{}, 0, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := testID(i)
			if err := s.Put(id, &Entry{Kind: "role", Expires: tt.expires}); err != nil {
				t.Fatal(err)
			}
			if _, got := s.Get(id, tt.margin); got != tt.want {
				t.Errorf("Get hit = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	s, _ := newStore(t)
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(id); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(id, 0); ok {
		t.Error("Get hit after Delete")
	}
	if err := s.Delete(id); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}

func TestNoPlaintextOnDisk(t *testing.T) {
	root := t.TempDir()
	o := Options{Dir: filepath.Join(root, "cache"), KeyDir: filepath.Join(root, "config"), KeyStore: "file"}
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	e := &Entry{
		Kind:    "kind-PLAINTEXT-MARKER",
		Label:   "role101 arn:aws:iam::123456789012:role/LabelMarker",
		Expires: time.Now().Add(time.Hour),
		Data:    []byte(`{"SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}`),
	}
	for i := range 3 {
		if err := s.Put(testID(i), e); err != nil {
			t.Fatal(err)
		}
	}
	unlock, err := s.Lock(t.Context(), testID(0), nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock()

	needles := [][]byte{
		[]byte(e.Kind), []byte(e.Label), e.Data,
		[]byte("PLAINTEXT-MARKER"), []byte("LabelMarker"), []byte("123456789012"), []byte("role101"),
		[]byte("wJalrXUtnFEMI"), []byte("SecretAccessKey"),
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(b, n) || strings.Contains(path, string(n)) {
				t.Errorf("%s holds %q in plain text", path, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFailedPutLeavesNothing(t *testing.T) {
	for _, step := range []string{"create", "write", "sync", "close", "rename"} {
		t.Run(step, func(t *testing.T) {
			s, o := newStore(t)
			id := testID(1)
			old := testEntry(id)
			if err := s.Put(id, old); err != nil {
				t.Fatal(err)
			}
			injected := errors.New("injected failure")
			s.hook = func(name string) error {
				if name == step {
					return injected
				}
				return nil
			}
			err := s.Put(id, &Entry{Kind: "new", Expires: time.Now().Add(time.Hour)})
			if !errors.Is(err, injected) {
				t.Fatalf("Put = %v, want the injected failure", err)
			}
			if !strings.Contains(err.Error(), filepath.Join(o.Dir, fileName(t, s, id))) {
				t.Errorf("error %q does not name the entry's path", err)
			}
			if tmp := tempFiles(t, o.Dir); len(tmp) != 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
			s.hook = nil
			got, ok := s.Get(id, 0)
			if !ok || !sameEntry(got, old) {
				t.Errorf("after a failed Put, Get = %+v, %v; want the old entry", got, ok)
			}
		})
	}
}

func TestPutReadOnlyDir(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs permission bits that bind (not root, not Windows)")
	}
	s, o := newStore(t)
	if _, err := s.KeyStore(); err != nil { // the key is not what fails here
		t.Fatal(err)
	}
	if err := os.Chmod(o.Dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(o.Dir, 0o700) })
	if err := s.Put(testID(1), testEntry(testID(1))); err == nil {
		t.Fatal("Put into a read-only directory succeeded")
	}
	if tmp := tempFiles(t, o.Dir); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

func TestConcurrentPutGet(t *testing.T) {
	s, o := newStore(t)
	const (
		writers = 4
		readers = 4
		rounds  = 100
	)
	id := testID(1)
	// Entry n has label n and data derived from n, so a mix of two writes
	// cannot pass for either.
	entry := func(n int) *Entry {
		return &Entry{
			Kind:    "role",
			Label:   fmt.Sprint(n),
			Expires: time.Now().Add(time.Hour),
			Data:    bytes.Repeat([]byte{byte(n)}, 100+n%400),
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				if err := s.Put(id, entry(w*rounds+r)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			// A second store: its own key load, as in another process.
			s2, err := Open(o)
			if err != nil {
				errs <- err
				return
			}
			for range rounds {
				e, ok := s2.Get(id, 0)
				if !ok {
					continue
				}
				var n int
				if _, err := fmt.Sscan(e.Label, &n); err != nil {
					errs <- fmt.Errorf("label %q: %v", e.Label, err)
					return
				}
				if want := entry(n); !bytes.Equal(e.Data, want.Data) {
					errs <- fmt.Errorf("entry %d has data of another write", n)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, ok := s.Get(id, 0); !ok {
		t.Error("no entry after the writes")
	}
	if tmp := tempFiles(t, o.Dir); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestKeyCreationAcrossProcesses starts processes that all need a key at
// once: they must agree on one, or some of their entries would not open.
func TestKeyCreationAcrossProcesses(t *testing.T) {
	_, o := newStore(t)
	const n = 6
	helpers := make([]*helper, n)
	for i := range helpers {
		helpers[i] = startHelper(t, "put", o, testID(i))
	}
	for _, h := range helpers {
		h.expect(t, "put")
	}
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	listed, unreadable, err := s.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	if len(listed) != n || unreadable != 0 {
		t.Errorf("Inventory: %d entries, %d unreadable; want %d, 0", len(listed), unreadable, n)
	}
}

// TestFileNamesAreKeyed: names that were plain SHA-256 of guessable inputs
// let anyone who could list the directory match a dictionary of device and
// role ARNs against them. A name is now an HMAC under a subkey of the cache
// key: the same id has another name under another key, and neither is the
// id or a hash of it.
func TestFileNamesAreKeyed(t *testing.T) {
	// The id as callers make it: a SHA-256 of a guessable ARN.
	guess := sha256.Sum256([]byte("arn:aws:iam::123456789012:mfa/user101"))
	id := hex.EncodeToString(guess[:])
	names := map[string]bool{}
	e := testEntry(id)
	for range 2 {
		s, o := newStore(t)
		if err := s.Put(id, e); err != nil {
			t.Fatal(err)
		}
		des, err := os.ReadDir(o.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, de := range des {
			name := strings.TrimSuffix(de.Name(), lockSuffix)
			if !validID(name) {
				continue
			}
			again := sha256.Sum256([]byte(id))
			if name == id || name == hex.EncodeToString(again[:]) {
				t.Errorf("file %s is named by the id or a plain hash of it", name)
			}
			names[name] = true
		}
		if got, ok := s.Get(id, 0); !ok || !sameEntry(got, e) {
			t.Errorf("Get = %+v, %t", got, ok)
		}
		listed, err := s.List()
		if err != nil || len(listed) != 1 || listed[0].ID != id {
			t.Errorf("List = %+v, %v; want the entry under its id", listed, err)
		}
	}
	if len(names) != 2 {
		t.Errorf("two keys gave %d file names for one id, want 2", len(names))
	}
}

// TestPutSyncsWhatCostsTheUser: an entry is fsync'd before its rename
// exactly when losing it to a power cut would cost the user something.
func TestPutSyncsWhatCostsTheUser(t *testing.T) {
	for _, c := range []struct {
		kind        Kind
		rebuildable bool
		sync        bool
	}{
		{KindSession, false, true},
		{KindSource, false, true},
		{KindRole, false, true},
		{KindRole, true, false}, // a hop that cost no code, from a caller that outlives it
		{KindSession, true, false},
		{KindIndex, false, false},
		{KindMFACode, false, false},
		{KindEKSToken, false, false},
	} {
		t.Run(fmt.Sprintf("%s,rebuildable=%v", c.kind, c.rebuildable), func(t *testing.T) {
			s, _ := newStore(t)
			var steps []string
			s.hook = func(name string) error { steps = append(steps, name); return nil }
			id := testID(1)
			e := testEntry(id)
			e.Kind, e.Rebuildable = c.kind, c.rebuildable
			if err := s.Put(id, e); err != nil {
				t.Fatal(err)
			}
			if got := slices.Contains(steps, "sync"); got != c.sync {
				t.Errorf("Put's steps %v: synced %v, want %v", steps, got, c.sync)
			}
			s.hook = nil
			got, ok := s.Get(id, 0)
			if !ok || got.Kind != c.kind || !bytes.Equal(got.Data, e.Data) {
				t.Errorf("Get = %+v, %v; want the entry back", got, ok)
			}
		})
	}
}
