//go:build unix

package keys

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsrun/awsrun/internal/testworld"
)

// asUser runs a shell script as uid and returns its error.
func asUser(t *testing.T, uid, gid int, script string, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh"}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return cmd.Run()
}

func fileEnv() env { return env{"AWSRUN_KEYS_STORE": "file", "AWSRUN_KEYS_PASSPHRASE": "p"} }

func testEntry() Entry {
	return Entry{Profile: "user101", AccessKeyID: testID, SecretAccessKey: testSecret}
}

// sharedBase is a directory the other user can reach.
func sharedBase(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} { // the test's own, and this one
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return base
}

// TestKeyDirOfAnotherUserIsRefused: an XDG_DATA_HOME/awsrun another user
// made (and could empty or fill) holds no keys of ours, and none are read
// from it.
func TestKeyDirOfAnotherUserIsRefused(t *testing.T) {
	uid, gid := testworld.OtherUser(t)
	dir := filepath.Join(sharedBase(t), "awsrun")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	asked := 0
	err := openFile(t, dir, fileEnv(), &asked).Put(testEntry())
	if err == nil || !strings.Contains(err.Error(), "owned by uid "+strconv.Itoa(uid)) {
		t.Fatalf("Put into another user's directory = %v, want a refusal naming the owner", err)
	}
	if h := hintOf(err); !strings.Contains(h, "XDG_DATA_HOME") || strings.Contains(h, "no-cache") || strings.Contains(h, "XDG_CACHE_HOME") {
		t.Errorf("hint %q does not say how to move the store", h)
	}
	if des, _ := os.ReadDir(dir); len(des) != 0 {
		t.Errorf("files left in the other user's directory: %v", des)
	}
	// A store the other user planted there is not read either.
	if err := asUser(t, uid, gid, `printf 'age-encryption.org/v1\n' > "$1/keys.age" && chmod 600 "$1/keys.age"`, dir); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openFile(t, dir, fileEnv(), &asked).Get("user101"); err == nil || !strings.Contains(err.Error(), "owned by uid") {
		t.Errorf("Get from another user's directory = %v, want a refusal", err)
	}
}

// TestPlantedLockLinkCreatesNothing: a keys.lock planted as a link must not
// make awsrun (root, say) create or truncate a file where it points.
func TestPlantedLockLinkCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "awsrun")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "made-by-awsrun")
	if err := os.Symlink(target, filepath.Join(dir, lockName)); err != nil {
		t.Fatal(err)
	}
	asked := 0
	err := openFile(t, dir, fileEnv(), &asked).Put(testEntry())
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Put with a planted lock link = %v, want a refusal", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("awsrun created %s through the planted link (err %v)", target, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, fileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("keys.age written without the lock")
	}
}

// TestHostileKeyFiles: keys.age must be a private regular file of the
// user's, checked by the handle that is read — a FIFO does not hang the
// read, a file of another user's is not trusted.
func TestHostileKeyFiles(t *testing.T) {
	t.Run("FIFO", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mkfifo(filepath.Join(dir, fileName), 0o600); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			asked := 0
			_, _, err := openFile(t, dir, fileEnv(), &asked).Get("user101")
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("Get of a FIFO = %v, want a refusal", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Get blocked on a FIFO")
		}
	})
	t.Run("another user's", func(t *testing.T) {
		uid, gid := testworld.OtherUser(t)
		dir := t.TempDir()
		path := filepath.Join(dir, fileName)
		if err := os.WriteFile(path, []byte("age-encryption.org/v1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, uid, gid); err != nil {
			t.Fatal(err)
		}
		asked := 0
		if _, _, err := openFile(t, dir, fileEnv(), &asked).Get("user101"); err == nil || !strings.Contains(err.Error(), "owned by uid") {
			t.Errorf("Get of another user's keys.age = %v, want a refusal", err)
		}
	})
}

// TestOthersCannotDeleteTheStore: the file holds the only copy of the
// secrets once imported; another user must not be able to remove it, and a
// directory where they could is refused before anything is stored.
func TestOthersCannotDeleteTheStore(t *testing.T) {
	uid, gid := testworld.OtherUser(t)
	base := sharedBase(t)
	dir := filepath.Join(base, "awsrun")
	asked := 0
	if err := openFile(t, dir, fileEnv(), &asked).Put(testEntry()); err != nil {
		t.Fatal(err)
	}
	if err := asUser(t, uid, gid, `rm -f "$1/keys.age"`, dir); err == nil {
		t.Error("the other user's rm succeeded")
	}
	if _, ok, err := openFile(t, dir, fileEnv(), &asked).Get("user101"); err != nil || !ok {
		t.Errorf("after the other user's attempt: Get = %v, %v", ok, err)
	}

	// A directory anyone may write, or one inside such a directory.
	for _, loose := range []string{filepath.Join(base, "open"), filepath.Join(base, "open", "awsrun")} {
		if err := os.MkdirAll(loose, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(base, "open"), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := openFile(t, loose, fileEnv(), &asked).Put(testEntry()); err == nil || !strings.Contains(err.Error(), "writable by group or others") {
			t.Errorf("Put into %s = %v, want a refusal", loose, err)
		}
		if _, err := os.Lstat(filepath.Join(loose, fileName)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("keys.age written in %s, which others may write", loose)
		}
	}
}

func hintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}
