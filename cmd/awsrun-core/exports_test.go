package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShellExportsColdAndWarm: the fish, PowerShell and dotenv exports
// come out the same from awsrun-core and from the launcher alone, and
// fish, where installed, takes them.
func TestShellExportsColdAndWarm(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	alone := launcherAlone(t)
	for _, tt := range []struct{ format, line string }{
		{"fish", "set -gx AWS_REGION 'eu-west-1'\n"},
		{"powershell", "$Env:AWS_REGION = 'eu-west-1'\n"},
		{"dotenv", "AWS_REGION=eu-west-1\n"},
	} {
		cold := w.run(t, "-p", "role101", "--export", tt.format)
		warm := w.runBinary(t, alone, "-p", "role101", "--export", tt.format)
		if cold.code != 0 || warm.code != 0 || cold.stdout != warm.stdout || !strings.Contains(cold.stdout, tt.line) {
			t.Errorf("--export %s: cold exit %d %q, warm exit %d %q", tt.format, cold.code, cold.stdout, warm.code, warm.stderr)
		}
		if tt.format != "fish" {
			continue
		}
		fish, err := exec.LookPath("fish")
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, fish, "--no-config", "-c", `source; printf '%s %s' $AWS_ACCESS_KEY_ID $AWS_REGION`)
		cmd.Stdin = strings.NewReader(cold.stdout)
		// fish makes its config and data directories in HOME even with
		// --no-config: a home of the test's own.
		home := t.TempDir()
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home,
			"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_DATA_HOME=" + filepath.Join(home, ".local", "share")}
		out, err := cmd.Output()
		cancel()
		if err != nil || !strings.HasPrefix(string(out), "ASIA") || !strings.HasSuffix(string(out), " eu-west-1") {
			t.Errorf("fish sourcing the export: %v, %q", err, out)
		}
	}
	r := w.run(t, "-p", "role101", "--export", "yaml")
	if r.code != 125 || !strings.Contains(r.stderr, "want env, fish, powershell, dotenv, json, credential-process or eks-token") {
		t.Errorf("--export yaml: exit %d, stderr %q", r.code, r.stderr)
	}
}
