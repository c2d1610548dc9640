package cache

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// helperEnv makes the test binary act as another process for a test (see
// runHelper) instead of running tests.
const helperEnv = "AWSRUN_CACHE_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	os.Exit(m.Run())
}

// runHelper is the child side of the multi-process tests. It reads the store
// to use from AWSRUN_CACHE_TEST_DIR, _KEYDIR, _KEYSTORE and the entry from _ID.
func runHelper(mode string) int {
	if ses := os.Getenv("AWSRUN_CACHE_TEST_SESSION"); ses != "" {
		// The session keyring belongs to this thread only.
		runtime.LockOSThread()
		if err := joinSessionKeyring(ses); err != nil {
			fmt.Fprintln(os.Stderr, "join session keyring:", err)
			return 2
		}
	}
	s, err := Open(Options{
		Dir:      os.Getenv("AWSRUN_CACHE_TEST_DIR"),
		KeyDir:   os.Getenv("AWSRUN_CACHE_TEST_KEYDIR"),
		KeyStore: os.Getenv("AWSRUN_CACHE_TEST_KEYSTORE"),
		keyLabel: os.Getenv("AWSRUN_CACHE_TEST_KEYLABEL"),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	id := os.Getenv("AWSRUN_CACHE_TEST_ID")
	switch mode {
	case "lock":
		// Hold the lock until killed, or give up after a while so that a
		// test that failed to kill us leaves nothing behind for long.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := s.Lock(ctx, id, nil); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Println("locked")
		time.Sleep(30 * time.Second)
		return 3
	case "put":
		if err := s.Put(id, testEntry(id)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Println("put")
		return 0
	case "get":
		e, ok := s.Get(id, 0)
		if !ok || string(e.Data) != string(testEntry(id).Data) {
			fmt.Println("miss")
			return 0
		}
		fmt.Println("hit")
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
	return 2
}

// helper is a child process running the test binary in a helper mode.
type helper struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
}

// startHelper runs the test binary in mode against the store s was opened
// with; it is killed at the end of the test.
func startHelper(t *testing.T, mode string, o Options, id string, extraEnv ...string) *helper {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	if d, ok := t.Deadline(); ok && d.Add(-time.Second).Before(deadline) {
		deadline = d.Add(-time.Second)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		helperEnv+"="+mode,
		"AWSRUN_CACHE_TEST_DIR="+o.Dir,
		"AWSRUN_CACHE_TEST_KEYDIR="+o.KeyDir,
		"AWSRUN_CACHE_TEST_KEYSTORE="+o.KeyStore,
		"AWSRUN_CACHE_TEST_ID="+id,
		"AWSRUN_CACHE_TEST_KEYLABEL="+o.keyLabel,
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stderr = &testWriter{t: t, prefix: mode + " helper: "}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		cancel()
	})
	return &helper{cmd: cmd, lines: bufio.NewScanner(out)}
}

// expect reads the helper's next line and fails the test unless it is want.
func (h *helper) expect(t *testing.T, want string) {
	t.Helper()
	if !h.lines.Scan() {
		t.Fatalf("helper said nothing (want %q): %v", want, h.lines.Err())
	}
	if got := h.lines.Text(); got != want {
		t.Fatalf("helper said %q, want %q", got, want)
	}
}

// testWriter logs a child's stderr through the test.
type testWriter struct {
	t      *testing.T
	prefix string
}

func (w *testWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Log(w.prefix + line)
	}
	return len(p), nil
}

// testOptions are the options of a store in fresh temporary directories with
// the key in a file.
func testOptions(t testing.TB) Options {
	t.Helper()
	root := t.TempDir()
	return Options{
		Dir:      filepath.Join(root, "cache", "awsrun"),
		KeyDir:   filepath.Join(root, "config", "awsrun"),
		KeyStore: "file",
		// Never the user's own key in the kernel keyring.
		keyLabel: "cache-key-test-" + testID(int(time.Now().UnixNano()))[:16],
	}
}

// newStore opens a store in fresh temporary directories with the key in a file.
func newStore(t testing.TB) (*Store, Options) {
	t.Helper()
	o := testOptions(t)
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	return s, o
}

// testID is the id of the n-th test entry.
func testID(n int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "entry %d", n))
	return hex.EncodeToString(sum[:])
}

// testEntry is a recognizable entry that expires in a day.
func testEntry(id string) *Entry {
	return &Entry{
		Kind:    "role",
		Label:   "role101 arn:aws:iam::123456789012:role/r-" + id[:8],
		Expires: time.Now().Add(24 * time.Hour).Truncate(0),
		Data:    []byte(`{"AccessKeyId":"ASIATESTKEY` + id[:8] + `","SecretAccessKey":"s3cr3t-` + id[8:16] + `"}`),
	}
}

// sameEntry reports whether two entries hold the same values.
func sameEntry(a, b *Entry) bool {
	return a.Kind == b.Kind && a.Label == b.Label && a.Expires.Equal(b.Expires) && string(a.Data) == string(b.Data)
}

// writeKeyFile installs key as the file store's key in dir.
func writeKeyFile(t testing.TB, dir string, key []byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, keyFileName), key, 0o600); err != nil {
		t.Fatal(err)
	}
}

// tempFiles lists Put's temporary files left in dir.
func tempFiles(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, tempPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fileName is the name of the file that holds entry id.
func fileName(t testing.TB, s *Store, id string) string {
	t.Helper()
	k, err := s.keys(true)
	if err != nil {
		t.Fatal(err)
	}
	return k.name(id)
}
