//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsrun/awsrun/internal/testworld"
)

// These tests run the built launcher, with and without awsrun-core beside
// it, against the fake STS: awsrun-core fills the cache, the launcher
// serves it.

var (
	// bin holds awsrun and awsrun-core side by side, as go install puts them.
	bin string
	// alone holds the launcher without awsrun-core.
	alone string
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	var err error
	if bin, err = testworld.Programs(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "awsrun-launcher-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	alone = filepath.Join(dir, "alone")
	launcher, err := os.ReadFile(filepath.Join(bin, "awsrun"))
	if err == nil {
		if err = os.MkdirAll(alone, 0o755); err == nil {
			err = os.WriteFile(filepath.Join(alone, "awsrun"), launcher, 0o755)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

const (
	acct    = testworld.Account
	userARN = testworld.UserARN
	serial  = testworld.Serial
	roleARN = testworld.RoleARN
)

// world is the seed setup against a fake STS, in a temp HOME: role101
// (region eu-west-1) and role102, the same role in ap-south-1.
type world struct{ *testworld.World }

func newWorld(t *testing.T) *world {
	t.Helper()
	profile := func(name, region string) string {
		return "[profile " + name + "]\nrole_arn = " + roleARN + "\nsource_profile = user101\nmfa_serial = " + serial + "\nregion = " + region + "\n"
	}
	tw := testworld.New(t, testworld.Options{
		Config: profile("role101", "eu-west-1") + profile("role102", "ap-south-1"),
		Path:   systemPath(t),
	})
	return &world{tw}
}

// systemPath is PATH without any directory holding an awsrun-core, so
// that "the launcher alone" is alone whatever is installed.
func systemPath(t *testing.T) string {
	t.Helper()
	var keep []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "awsrun-core")); err != nil && d != "" {
			keep = append(keep, d)
		}
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

type result struct {
	code           int
	stdout, stderr string
}

// run starts program with args and extra variables, with no terminal
// (stdin /dev/null, a session of its own, as in CI), and waits for it.
func (w *world) run(t *testing.T, program string, extraEnv []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = append(append([]string{}, w.Env...), extraEnv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %q did not finish: %s", filepath.Base(program), args, stderr.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stdout.String()+stderr.String(), w.User.SecretAccessKey) {
		t.Errorf("the source secret key appears in the output of %q", args)
	}
	return result{code, stdout.String(), stderr.String()}
}

// installed is the launcher with awsrun-core beside it; launcherAlone is
// the launcher without.
var (
	installed     = func() string { return filepath.Join(bin, "awsrun") }
	launcherAlone = func() string { return filepath.Join(alone, "awsrun") }
	core          = func() string { return filepath.Join(bin, "awsrun-core") }
)

// fill makes awsrun-core (through the launcher) fetch and cache role101's
// credentials, and returns the key the command saw.
func (w *world) fill(t *testing.T, profile string) string {
	t.Helper()
	r := w.run(t, installed(), nil, "-p", profile, "-t", w.Code(), "--", "sh", "-c", `printf '%s %s' "$AWS_ACCESS_KEY_ID" "${AWSRUN_MFA_CODE-unset}"`)
	key, code, _ := strings.Cut(r.stdout, " ")
	if r.code != 0 || !strings.HasPrefix(key, "ASIA") {
		t.Fatalf("cold run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// The launcher handed the code to awsrun-core in AWSRUN_MFA_CODE:
	// it must not reach the command.
	if code != "unset" {
		t.Errorf("the command of a cold run has AWSRUN_MFA_CODE=%q", code)
	}
	w.Srv.ResetCalls()
	return key
}

// noSTS fails the test if STS was called since the last reset.
func (w *world) noSTS(t *testing.T, what string) {
	t.Helper()
	if n := len(w.Srv.Calls()); n != 0 {
		t.Errorf("%s made %d STS calls", what, n)
	}
}
