package main

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLauncherLinksNoSDK keeps the launcher's promise: no AWS SDK, no
// D-Bus client, no HTTP stack, on every system it is released for. Each
// of them costs milliseconds of every warm launch. Nor net, runtime/cgo
// or any package with cgo files: under the default CGO_ENABLED=1 they
// make the launcher dynamically linked, and the dynamic loader's and the
// C library's start are most of a warm launch's overhead over a static
// build's.
func TestLauncherLinksNoSDK(t *testing.T) {
	forbidden := []string{"github.com/aws/", "github.com/godbus/", "net/http"}
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd"} {
		exact := []string{"runtime/cgo", "net"}
		if goos == "windows" {
			// golang.org/x/sys/windows imports net; on Windows net has
			// no cgo files, and no program has a dynamic loader to start.
			exact = exact[:1]
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", "{{.ImportPath}}{{if .CgoFiles}} cgo{{end}}", "github.com/awsrun/awsrun/cmd/awsrun")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=1")
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("GOOS=%s go list -deps: %v", goos, err)
		}
		deps := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(deps) < 10 {
			t.Fatalf("GOOS=%s: go list -deps printed %q", goos, out)
		}
		for _, d := range deps {
			d, cgo := strings.CutSuffix(d, " cgo")
			if cgo {
				t.Errorf("GOOS=%s: the launcher links %s, which has cgo files: a default build is dynamically linked", goos, d)
			} else if slices.Contains(exact, d) {
				t.Errorf("GOOS=%s: the launcher links %s: a default build is dynamically linked", goos, d)
			}
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, f) && strings.HasSuffix(f, "/") || strings.HasPrefix(d, f+"/") {
					t.Errorf("GOOS=%s: the launcher links %s", goos, d)
				}
			}
		}
	}
}

// TestDarwinLauncherSpawnsNoKeychainProcess: on macOS the Keychain client
// runs /usr/bin/security, a process spawn on every launch. The launcher
// built for macOS links no keyring client (and so cannot run it); it
// finds the key in the key file awsrun-core mirrors it to.
func TestDarwinLauncherSpawnsNoKeychainProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, arch := range []string{"amd64", "arm64"} {
		cmd := exec.CommandContext(ctx, "go", "list", "-deps", "github.com/awsrun/awsrun/cmd/awsrun")
		cmd.Env = append(os.Environ(), "GOOS=darwin", "GOARCH="+arch)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("GOOS=darwin GOARCH=%s go list -deps: %v", arch, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("go list -deps printed %q", out)
		}
		for _, d := range deps {
			if strings.HasPrefix(d, "github.com/zalando/go-keyring") || d == "github.com/awsrun/awsrun/cache/oskeyring" {
				t.Errorf("GOOS=darwin GOARCH=%s: the launcher links %s", arch, d)
			}
		}
	}
}
