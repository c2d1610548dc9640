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

// stamped builds the named programs into dir with the release's -ldflags
// stamp of version, commit and date.
func stamped(t *testing.T, dir, version, commit string, programs ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const pkg = "github.com/awsrun/awsrun/internal/cli"
	ldflags := "-X " + pkg + ".version=" + version + " -X " + pkg + ".commit=" + commit + " -X " + pkg + ".date=2026-01-02T03:04:05Z"
	args := []string{"build", "-trimpath", "-ldflags", ldflags, "-o", dir + string(filepath.Separator)}
	for _, p := range programs {
		args = append(args, "github.com/awsrun/awsrun/cmd/"+p)
	}
	if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestVersionsOfAPairAgree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stamped(t, dir, "1.2.3", "1111111111111111111111111111111111111111", "awsrun", "awsrun-core")
	w := newWorld(t, "")
	launcher := w.runBinary(t, filepath.Join(dir, "awsrun"), "--version")
	core := w.runBinary(t, filepath.Join(dir, "awsrun-core"), "--version")
	const build = "1.2.3 (commit 1111111111111111111111111111111111111111, 2026-01-02T03:04:05Z)\n"
	if launcher.code != 0 || launcher.stdout != "awsrun "+build {
		t.Errorf("awsrun --version: exit %d, stdout %q, stderr %q", launcher.code, launcher.stdout, launcher.stderr)
	}
	if core.code != 0 || core.stdout != "awsrun-core "+build {
		t.Errorf("awsrun-core --version: exit %d, stdout %q, stderr %q", core.code, core.stdout, core.stderr)
	}

	// The hand-over's variable is awsrun's business, not the command's nor
	// mfa_process's.
	w.write(t, ".aws/config", "[profile role101]\nrole_arn = "+roleARN+"\nsource_profile = user101\nmfa_serial = "+serial+
		"\nmfa_process = printf %s \"${AWSRUN_LAUNCHER_BUILD-unset}\" > \"$HOME/seen\"; echo "+w.code()+"\n")
	r := w.runBinary(t, filepath.Join(dir, "awsrun"), "-p", "role101", "--", "sh", "-c", `printf %s "${AWSRUN_LAUNCHER_BUILD-unset}"`)
	seen, _ := os.ReadFile(filepath.Join(w.home, "seen"))
	if r.code != 0 || r.stdout != "unset" || string(seen) != "unset" {
		t.Errorf("the command saw AWSRUN_LAUNCHER_BUILD=%q, mfa_process %q (exit %d, stderr %q)", r.stdout, seen, r.code, r.stderr)
	}
}

func TestLauncherRefusesCoreOfAnotherBuild(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stamped(t, dir, "1.2.3", "1111111111111111111111111111111111111111", "awsrun")
	stamped(t, dir, "1.3.0", "2222222222222222222222222222222222222222", "awsrun-core")
	w := newWorld(t, "")
	// Every hand-over is refused before awsrun-core does anything.
	for _, args := range [][]string{
		{"-p", "role101", "-t", w.code(), "--", "true"},
		{"-p", "role101", "--export", "json"},
		{"--list"},
	} {
		r := w.runBinary(t, filepath.Join(dir, "awsrun"), args...)
		want := "awsrun: error: awsrun 1.2.3 (commit 1111111111111111111111111111111111111111) will not hand over to awsrun-core 1.3.0 (commit 2222222222222222222222222222222222222222) at " +
			filepath.Join(dir, "awsrun-core") + ": they are from different builds, and may disagree on the cache format and the flags\n" +
			"awsrun: hint: install awsrun and awsrun-core together, from one release archive or package, or with `go install github.com/awsrun/awsrun/cmd/...@VERSION`; `type -a awsrun awsrun-core` shows which ones are found\n"
		if r.code != 125 || r.stdout != "" || r.stderr != want {
			t.Errorf("awsrun %q with another core: exit %d, stdout %q, stderr:\n%s\nwant:\n%s", args, r.code, r.stdout, r.stderr, want)
		}
	}
	if n := len(w.srv.Calls()); n != 0 {
		t.Errorf("a refused hand-over made %d STS calls", n)
	}
	// awsrun-core run by its own name has no launcher to disagree with.
	if r := w.runBinary(t, filepath.Join(dir, "awsrun-core"), "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "awsrun-core 1.3.0 ") {
		t.Errorf("awsrun-core --version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
