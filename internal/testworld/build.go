package testworld

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// The programs awsrun is made of, installed side by side as go install
// puts them.
var programs = []string{"github.com/awsrun/awsrun/cmd/awsrun", "github.com/awsrun/awsrun/cmd/awsrun-core"}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// Programs returns the directory holding awsrun and awsrun-core built from
// this module's source. They are built once per source: the directory is
// keyed by a hash of the module's non-test Go files, go.mod, go.sum, the Go
// version and the target, so the test binaries of several packages (which
// go test runs side by side) share one build, and the next run reuses it
// until the source changes. A file lock keeps two builders from racing.
func Programs() (string, error) {
	buildOnce.Do(func() { buildDir, buildErr = buildPrograms() })
	return buildDir, buildErr
}

// Program is the path of the built program name (awsrun or awsrun-core);
// it fails the test if they do not build.
func Program(t interface {
	Helper()
	Fatal(...any)
}, name string) string {
	t.Helper()
	dir, err := Programs()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

func buildPrograms() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	key, err := sourceHash(root)
	if err != nil {
		return "", err
	}
	parent := filepath.Join(os.TempDir(), "awsrun-testbin")
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	dir := filepath.Join(parent, key)
	lock := flock.New(dir + ".lock")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if _, err := lock.TryLockContext(ctx, 100*time.Millisecond); err != nil {
		return "", fmt.Errorf("waiting for another test's build of awsrun: %w", err)
	}
	defer lock.Unlock()
	if complete(dir) {
		now := time.Now()
		os.Chtimes(dir, now, now) // in use: keep it from the sweep below
		return dir, nil
	}
	sweep(parent, key)
	tmp, err := os.MkdirTemp(parent, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", tmp + string(filepath.Separator)}, programs...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building awsrun: %v\n%s", err, out)
	}
	os.RemoveAll(dir) // a build cut short
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, nil
}

// complete reports whether dir holds every program.
func complete(dir string) bool {
	for _, p := range programs {
		if _, err := os.Stat(filepath.Join(dir, exe(p[strings.LastIndex(p, "/")+1:]))); err != nil {
			return false
		}
	}
	return true
}

func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// sweep removes builds of other sources not used for an hour: every edit
// of the source makes a new one (about 20 MB), and no test run lasts that
// long.
func sweep(parent, keep string) {
	des, _ := os.ReadDir(parent)
	for _, de := range des {
		if de.Name() == keep || !de.IsDir() {
			continue
		}
		if info, err := de.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.RemoveAll(filepath.Join(parent, de.Name()))
			os.Remove(filepath.Join(parent, de.Name()+".lock"))
		}
	}
}

// moduleRoot is the directory holding this module's go.mod, found from
// this file's own source path when it exists (the usual go test) and
// otherwise from the go command.
func moduleRoot() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return filepath.Clean(root), nil
		}
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("finding awsrun's module: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("finding awsrun's module: not inside it")
	}
	return filepath.Dir(gomod), nil
}

// sourceHash is a hash of what goes into the programs: every non-test Go
// file of the module, go.mod, go.sum, the toolchain and the build settings
// from the environment.
func sourceHash(root string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, v := range []string{"GOFLAGS", "CGO_ENABLED", "GOEXPERIMENT", "GOAMD64", "GOTOOLCHAIN"} {
		fmt.Fprintf(h, "%s=%s\n", v, os.Getenv(v))
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if (strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")) || p == filepath.Join(root, "go.mod") || p == filepath.Join(root, "go.sum") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	slices.Sort(files)
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "%s\n", filepath.ToSlash(rel))
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:24], nil
}
