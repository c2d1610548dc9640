//go:build unix

package cache

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsrun/awsrun/internal/testworld"
)

// within runs f and fails the test if it has not returned in 10s: a FIFO
// opened for reading would otherwise hang the test as it hung the launcher.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still blocked after 10s", what)
	}
}

func TestFIFOAtAnEntryNameIsAMiss(t *testing.T) {
	s, o := newStore(t)
	id := testID(1)
	if err := s.Put(testID(2), testEntry(testID(2))); err != nil { // the key exists
		t.Fatal(err)
	}
	for _, name := range []string{fileName(t, s, id), fileName(t, s, id) + lockSuffix} {
		if err := syscall.Mkfifo(filepath.Join(o.Dir, name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	within(t, "Get of a FIFO", func() {
		if _, ok := s.Get(id, 0); ok {
			t.Error("Get hit on a FIFO")
		}
	})
	within(t, "Lock of a FIFO", func() {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if unlock, err := s.Lock(ctx, id, nil); err == nil {
			unlock()
			t.Error("Lock took a FIFO as its lock file")
		}
	})
	within(t, "List with a FIFO", func() {
		if _, err := s.List(); err != nil {
			t.Error(err)
		}
	})
}

// TestPlantedLockLinkLeavesItsTargetAlone: a <id>.lock link to the user's
// script made awsrun chmod the script 0600 (and open it for writing).
func TestPlantedLockLinkLeavesItsTargetAlone(t *testing.T) {
	s, o := newStore(t)
	id := testID(1)
	script := filepath.Join(t.TempDir(), "deploy.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho deploy\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(testID(2), testEntry(testID(2))); err != nil { // the key exists
		t.Fatal(err)
	}
	lock := filepath.Join(o.Dir, fileName(t, s, id)+lockSuffix)
	if err := os.Symlink(script, lock); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if unlock, err := s.Lock(ctx, id, nil); err == nil {
		unlock()
		t.Error("Lock took a link as its lock file")
	}
	if _, err := s.Clear(); err != nil {
		t.Error(err)
	}
	fi, err := os.Stat(script)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("the link's target is mode %04o now, want 0755", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(script); string(b) != "#!/bin/sh\necho deploy\n" {
		t.Errorf("the link's target was changed: %q", b)
	}
}

func TestOpenChecksTheDirectoriesAbove(t *testing.T) {
	tests := []struct {
		name     string
		mode     fs.FileMode // of the directory above the cache's parent
		wantErr  string      // "" for no error
		wantHint string
	}{
		{"private", 0o700, "", ""},
		{"readable", 0o755, "", ""},
		{"writable by others", 0o777, "which is writable by group or others (mode 0777)", "chmod go-w "},
		{"writable by group", 0o770, "which is writable by group or others (mode 0770)", "chmod go-w "},
		{"sticky like /tmp", 0o777 | fs.ModeSticky, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shared := filepath.Join(t.TempDir(), "shared")
			if err := os.Mkdir(shared, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(shared, tt.mode); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(shared, "victim", "awsrun")
			_, err := Open(Options{Dir: dir, KeyDir: t.TempDir(), KeyStore: "file"})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Open = %v", err)
				}
				return
			}
			var ide *InsecureDirError
			if !errors.As(err, &ide) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), shared) {
				t.Fatalf("Open = %v, want an *InsecureDirError naming %s, %q", err, shared, tt.wantErr)
			}
			if want := tt.wantHint + shared; !strings.HasPrefix(ide.Hint(), want) {
				t.Errorf("hint %q, want it to start %q", ide.Hint(), want)
			}
			if _, err := os.Lstat(filepath.Join(shared, "victim")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open made %s/victim under a directory others can write", shared)
			}
		})
	}
}

// TestSwappedDirectoryFailsToRedirectWrites is the attack of a second user
// who can write the directory above the cache: it swaps the victim's cache
// directory for a link to its own while the victim writes. Every write must
// be refused, and nothing may land in the attacker's directory.
func TestSwappedDirectoryFailsToRedirectWrites(t *testing.T) {
	uid, gid := testworld.OtherUser(t)
	base := t.TempDir()
	if err := os.Chmod(base, 0o755); err != nil { // the attacker can reach shared
		t.Fatal(err)
	}
	shared := filepath.Join(base, "shared")
	evil := filepath.Join(base, "evil")
	for _, d := range []string{shared, evil} {
		if err := os.Mkdir(d, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(evil, uid, gid); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(shared, "awsrun")
	if err := os.Mkdir(victim, 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	swap := exec.CommandContext(ctx, "/bin/sh", "-c", `
		cd "$1" || exit 2
		while :; do
			mv awsrun real 2>/dev/null; ln -s "$2" awsrun 2>/dev/null
			rm -f awsrun 2>/dev/null; mv real awsrun 2>/dev/null
		done`, "swap", shared, evil)
	swap.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	if err := swap.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); swap.Wait() }()

	keyDir := t.TempDir()
	for i := range 30 {
		s, err := Open(Options{Dir: victim, KeyDir: keyDir, KeyStore: "file"})
		if err == nil {
			s.Put(testID(i), testEntry(testID(i)))
			if unlock, err := s.Lock(ctx, testID(i), nil); err == nil {
				unlock()
			}
			s.Close()
			t.Errorf("run %d: Open accepted %s, whose parent another user can write", i, victim)
		}
	}
	cancel()
	swap.Wait()
	des, err := os.ReadDir(evil)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		t.Errorf("the victim's %s landed in the attacker's directory", de.Name())
	}
}

// TestRootWithAUsersHomeCreatesNothing: sudo -E keeps HOME, and a cache
// directory root makes there locks the user out of their own cache.
func TestRootWithAUsersHomeCreatesNothing(t *testing.T) {
	uid, gid := testworld.OtherUser(t)
	home := filepath.Join(t.TempDir(), "alice")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, uid, gid); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(home, ".cache")
	_, err := Open(Options{Dir: filepath.Join(cache, "awsrun"), KeyDir: t.TempDir(), KeyStore: "file"})
	var ide *InsecureDirError
	if !errors.As(err, &ide) || ide.Hint() == "" {
		t.Fatalf("Open = %v, want an *InsecureDirError with a hint", err)
	}
	if _, err := os.Lstat(cache); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s was made under another user's home (err %v)", cache, err)
	}

	// The key directory likewise, with the cache directory elsewhere.
	config := filepath.Join(home, ".config")
	s, err := Open(Options{Dir: filepath.Join(t.TempDir(), "awsrun"), KeyDir: filepath.Join(config, "awsrun"), KeyStore: "file"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(testID(1), testEntry(testID(1))); err == nil {
		t.Error("Put made a key under another user's home")
	}
	if _, err := os.Lstat(config); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s was made under another user's home (err %v)", config, err)
	}
}

func TestMissingHomeCreatesNothing(t *testing.T) {
	home := filepath.Join(t.TempDir(), "nonexistent")
	_, err := Open(Options{Dir: filepath.Join(home, ".cache", "awsrun"), KeyDir: t.TempDir(), KeyStore: "file"})
	if err == nil || !strings.Contains(err.Error(), home) {
		t.Fatalf("Open = %v, want an error naming %s", err, home)
	}
	if _, err := os.Lstat(home); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s was made (err %v)", home, err)
	}
}

func TestDanglingLinkCacheDirSaysSo(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "awsrun")
	target := filepath.Join(base, "gone")
	if err := os.Symlink(target, dir); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Options{Dir: dir, KeyDir: t.TempDir(), KeyStore: "file"})
	var ide *InsecureDirError
	if !errors.As(err, &ide) {
		t.Fatalf("Open = %v, want an *InsecureDirError", err)
	}
	if want := "cache directory " + dir + " is a symbolic link to " + target + ", which does not exist"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if want := "mkdir -m 700 -p " + target; !strings.HasPrefix(ide.Hint(), want) {
		t.Errorf("Hint() = %q, want it to start %q", ide.Hint(), want)
	}
}

func TestLooseCacheDirHintsTheChmod(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "awsrun")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Options{Dir: dir, KeyDir: t.TempDir(), KeyStore: "file"})
	var ide *InsecureDirError
	if !errors.As(err, &ide) {
		t.Fatalf("Open = %v, want an *InsecureDirError", err)
	}
	if want := "chmod 700 " + dir; ide.Hint() != want {
		t.Errorf("Hint() = %q, want %q", ide.Hint(), want)
	}
}

func TestNoCreateLeavesAMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache", "awsrun")
	_, err := Open(Options{Dir: dir, KeyDir: t.TempDir(), KeyStore: "file", NoCreate: true})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Lstat(filepath.Dir(dir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s was made (err %v)", filepath.Dir(dir), err)
	}
}

// TestInventorySkipsWhatIsNotAFile: a FIFO or a link at an entry's name is
// no entry, readable or not — as when the listing checked types itself —
// while a regular file that does not open is counted.
func TestInventorySkipsWhatIsNotAFile(t *testing.T) {
	s, o := newStore(t)
	good := testID(1)
	if err := s.Put(good, testEntry(good)); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(o.Dir, fileName(t, s, testID(2))), 0o600); err != nil {
		t.Fatal(err)
	}
	// A link to a good entry, and one to a file outside the directory.
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, target := range []string{fileName(t, s, good), outside} {
		if err := os.Symlink(target, filepath.Join(o.Dir, fileName(t, s, testID(3+i)))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(o.Dir, fileName(t, s, testID(5))), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	within(t, "Inventory", func() {
		listed, unreadable, err := s.Inventory()
		if err != nil || len(listed) != 1 || listed[0].ID != good || unreadable != 1 {
			t.Errorf("Inventory = %d listed, %d unreadable, %v; want the one entry, 1 unreadable", len(listed), unreadable, err)
		}
	})
}
