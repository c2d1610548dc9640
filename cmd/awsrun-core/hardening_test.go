package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// setEnv replaces (or adds) a variable of the world's environment.
func (w *world) setEnv(k, v string) {
	for i, kv := range w.env {
		if strings.HasPrefix(kv, k+"=") {
			w.env[i] = k + "=" + v
			return
		}
	}
	w.env = append(w.env, k+"="+v)
}

// TestListOnAFreshMachineMakesNothing: --list made the cache directory and
// a key.
func TestListOnAFreshMachineMakesNothing(t *testing.T) {
	w := newWorld(t, "")
	for _, args := range [][]string{{"--list"}, {"--list", "--json"}} {
		r := w.run(t, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		if args[len(args)-1] == "--list" && !strings.Contains(r.stdout, "nothing cached yet") {
			t.Errorf("%v does not say nothing is cached:\n%s", args, r.stdout)
		}
	}
	for _, d := range []string{".cache/awsrun", ".config/awsrun"} {
		if _, err := os.Lstat(filepath.Join(w.home, d)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("--list made ~/%s (err %v)", d, err)
		}
	}
}

// TestInvalidKeyStoreIsAnError: an unknown AWSRUN_KEY_STORE only warned
// and ran without the cache, while an invalid AWSRUN_STS_TIMEOUT stopped.
func TestInvalidKeyStoreIsAnError(t *testing.T) {
	w := newWorld(t, "")
	w.setEnv("AWSRUN_KEY_STORE", "keychain")
	r := w.run(t, "-p", "role101", "--mfa-code", w.code(), "--", "true")
	if r.code != 125 {
		t.Fatalf("exit %d, want 125: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, `awsrun: error: unknown key store "keychain"`) ||
		!strings.Contains(r.stderr, "awsrun: hint: set AWSRUN_KEY_STORE to auto, keyring, keyctl or file") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if s, r := w.counts(); s+r != 0 {
		t.Errorf("STS was called %d times before the error", s+r)
	}
}

// TestFileSizeLimitCostsOnlyTheCache: under ulimit -f 0 a write past the
// limit raises SIGXFSZ, whose default action kills. The Go runtime drops
// it (no channel asks for it), so the write fails with EFBIG: the run must
// go on uncached and say so once. (A shell whose stdout is a file dies of
// it on its next echo, which is easy to mistake for awsrun dying.)
func TestFileSizeLimitCostsOnlyTheCache(t *testing.T) {
	w := newWorld(t, "")
	limited := func(code string) result {
		t.Helper()
		bin := binary(t)
		return w.runBinary(t, "/bin/sh", "-c", `ulimit -f 0 && exec "$0" "$@"`, bin,
			"-p", "role101", "--mfa-code", code, "--", "sh", "-c", "echo ran")
	}
	check := func(r result, note string) {
		t.Helper()
		if r.code != 0 || r.stdout != "ran\n" {
			t.Fatalf("exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, r.stderr)
		}
		if n := strings.Count(r.stderr, note); n != 1 {
			t.Errorf("stderr says %q %d times, want once:\n%s", note, n, r.stderr)
		}
	}
	// No key yet: the key file cannot be written.
	check(limited(w.code()), "awsrun: not using the cache: ")
	// A key, but no entry can be written.
	if _, err := w.store(t).KeyStore(); err != nil {
		t.Fatal(err)
	}
	check(limited(w.dev.Code(w.srv.Now().Add(30*time.Second))), "awsrun: not caching credentials: ")
	if kinds := w.cached(t); len(kinds) != 0 {
		t.Errorf("cached %v under a file size limit of 0", kinds)
	}
}

// TestLooseCacheDirSaysHowToFix: a cache directory open to others was
// refused on every run (a code each time) without saying how to fix it.
func TestLooseCacheDirSaysHowToFix(t *testing.T) {
	w := newWorld(t, "")
	dir := filepath.Join(w.home, ".cache", "awsrun")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := w.run(t, "-p", "role101", "--mfa-code", w.code(), "--", "true")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if want := "awsrun: hint: chmod 700 " + dir + "\n"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

// TestLooseKeyFileSaysHowToFix: a key file open to others was refused on
// every run, each costing a code, with no word on the fix.
func TestLooseKeyFileSaysHowToFix(t *testing.T) {
	w := newWorld(t, "")
	if r := w.run(t, "-p", "role101", "--mfa-code", w.code(), "--", "true"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	keyFile := filepath.Join(w.home, ".config", "awsrun", "cache.key")
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	r := w.run(t, "-p", "role101", "--refresh", "--mfa-code", w.dev.Code(w.srv.Now().Add(30*time.Second)), "--", "true")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if want := "awsrun: hint: chmod 600 " + keyFile + "\n"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}
