package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

// These tests run the launcher (cmd/awsrun) and awsrun-core as installed
// together, and the launcher alone.

// launcherAlone copies the launcher into a directory of its own: an
// installation missing awsrun-core.
func launcherAlone(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(binary(t))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "awsrun")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// The launcher's own tests, warm hits and a missing awsrun-core among
// them, are in cmd/awsrun.

func TestWarmIndexFollowsConfigAndEnvironment(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	region := func(extraEnv ...string) string {
		t.Helper()
		saved := w.env
		w.env = append(append([]string{}, w.env...), extraEnv...)
		defer func() { w.env = saved }()
		r := w.run(t, "-p", "role101", "--", "sh", "-c", `printf %s "$AWS_REGION"`)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		return r.stdout
	}
	if got := region(); got != "eu-west-1" {
		t.Fatalf("region %q, want eu-west-1 from the profile", got)
	}
	// The environment changes the answer: the warm index must not hide it.
	if got := region("AWS_REGION=ap-south-1"); got != "ap-south-1" {
		t.Errorf("with AWS_REGION=ap-south-1 the child got %q", got)
	}
	// So does an edit of the config file.
	cfg := filepath.Join(w.home, ".aws/config")
	b, _ := os.ReadFile(cfg)
	w.write(t, ".aws/config", strings.Replace(string(b), "region = eu-west-1", "region = eu-north-1", 1))
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(cfg, future, future)
	if got := region(); got != "eu-north-1" {
		t.Errorf("after editing the config the child got region %q, want eu-north-1", got)
	}
}

func TestLauncherPassesFailuresToCore(t *testing.T) {
	w := newWorld(t, "")
	tests := []struct {
		args []string
		want int
		msg  string
	}{
		{[]string{"-p", "nope", "--", "true"}, 125, "awsrun: error: profile nope: profile nope not found"},
		{[]string{"-p", "role101", "--", "no-such-command-xyz"}, 127, "awsrun: error: no-such-command-xyz: command not found"},
		{[]string{"--bogus"}, 125, "awsrun: error: unknown flag: --bogus"},
	}
	for _, tt := range tests {
		r := w.run(t, tt.args...)
		if r.code != tt.want || !strings.HasPrefix(r.stderr, tt.msg) {
			t.Errorf("awsrun %v: exit %d, stderr %q; want %d and %q", tt.args, r.code, r.stderr, tt.want, tt.msg)
		}
	}
	r := w.run(t, "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "awsrun ") {
		t.Errorf("--version: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestConfigEditedDuringThePromptIsNotIndexed guards the warm index
// against naming credentials after files they were not made from: here
// the config is edited while awsrun waits for the code.
func TestConfigEditedDuringThePromptIsNotIndexed(t *testing.T) {
	const admin = "arn:aws:iam::" + acct + ":role/admin"
	w := newWorld(t, "")
	w.srv.AddRole(admin, ststest.RolePolicy{Principals: []string{userARN}, RequireMFA: true})
	codeFile := w.write(t, "mfa/code", w.code()+"\n")
	edit := w.write(t, "mfa/edit.sh", "sed -i 's#role/role101#role/admin#' \"$AWS_CONFIG_FILE\"\ncat '"+codeFile+"'\n")
	cfg := filepath.Join(w.home, ".aws/config")
	b, _ := os.ReadFile(cfg)
	w.write(t, ".aws/config", string(b)+"mfa_process = sh '"+edit+"'\n")

	whoami := []string{"-p", "role101", "--", "sh", "-c", `AWSRUN_TEST_ROLE=whoami "$0"`, os.Args[0]}
	if r := w.run(t, whoami...); r.code != 0 || !strings.Contains(r.stdout, ":assumed-role/role101/") {
		t.Fatalf("first run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := w.run(t, whoami...); r.code != 0 || !strings.Contains(r.stdout, ":assumed-role/admin/") {
		t.Errorf("after the edit the profile names admin, but the command ran as %q (exit %d, stderr %q)", r.stdout, r.code, r.stderr)
	}
}
