package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestLauncherLinksNoSDK keeps the launcher's promise: no AWS SDK, no
// D-Bus client, no HTTP stack, on every system it is released for. Each
// of them costs milliseconds of every warm launch.
func TestLauncherLinksNoSDK(t *testing.T) {
	forbidden := []string{"github.com/aws/", "github.com/godbus/", "net/http"}
	for _, goos := range []string{"linux", "darwin", "windows", "freebsd"} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "go", "list", "-deps", "github.com/awsrun/awsrun/cmd/awsrun")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64")
		out, err := cmd.Output()
		cancel()
		if err != nil {
			t.Fatalf("GOOS=%s go list -deps: %v", goos, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 10 {
			t.Fatalf("GOOS=%s: go list -deps printed %q", goos, out)
		}
		for _, d := range deps {
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, f) && strings.HasSuffix(f, "/") || strings.HasPrefix(d, f+"/") {
					t.Errorf("GOOS=%s: the launcher links %s", goos, d)
				}
			}
		}
	}
}
