//go:build unix

package e2e

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// assumedRole matches the child's identity as role101 in the aws partition.
var assumedRole = regexp.QuoteMeta("arn:aws:sts::"+account+":assumed-role/role101/") + `[\w+=,.@-]{2,64}`

func TestPromptOnTerminalHidesCodeAndChildGetsRole(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)

	s := f.awsrun(t, ctx, "--profile", "role101", "--", testBin, helperArg, "whoami")
	code := f.Code()
	s.answerMFA(serial, code)
	key := s.expect(`AWS_ACCESS_KEY_ID=(ASIA[A-Z0-9]{16})\n`)[1]
	s.expect(`AWSRUN_PROFILE=role101\n`)
	s.expect(`arn=(` + assumedRole + `)`)
	s.waitExit(0)

	if strings.Contains(s.text(), code) {
		s.errorf("the typed code %s was echoed on the terminal", code)
	}
	calls := f.credentialCalls()
	if len(calls) != 2 || calls[0].Action != "GetSessionToken" || calls[1].Action != "AssumeRole" {
		s.fatalf("STS calls %+v, want GetSessionToken then AssumeRole", calls)
	}
	if calls[0].SerialNumber != serial || calls[0].TokenCode != code {
		s.errorf("GetSessionToken sent device %q code %q, want %q %q", calls[0].SerialNumber, calls[0].TokenCode, serial, code)
	}
	if calls[1].RoleARN != roleARN || calls[1].ErrorCode != "" {
		s.errorf("AssumeRole %+v, want %s accepted", calls[1], roleARN)
	}
	var sawKey bool
	for _, c := range f.Srv.Calls() {
		if c.Action == "GetCallerIdentity" && c.AccessKeyID == key && c.CallerARN != "" {
			sawKey = true
		}
	}
	if !sawKey {
		s.errorf("no GetCallerIdentity accepted for the child's key %s", key)
	}
}

func TestSecondRunUsesCacheWithoutPromptOrSTSCall(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)

	first := f.awsrun(t, ctx, "-p", "role101", "--", "printenv", "AWS_ACCESS_KEY_ID")
	first.answerMFA(serial, f.Code())
	key := first.expect(`(ASIA[A-Z0-9]{16})\n`)[1]
	first.waitExit(0)
	before := len(f.Srv.Calls())

	second := f.awsrun(t, ctx, "-p", "role101", "--", "printenv", "AWS_ACCESS_KEY_ID")
	second.waitExit(0)
	if strings.Contains(second.text(), "Enter MFA code") {
		second.errorf("the second run asked for a code")
	}
	if got := second.text(); !strings.Contains(got, key+"\n") {
		second.errorf("the second run's child did not get the cached key %s", key)
	}
	if calls := f.Srv.Calls()[before:]; len(calls) != 0 {
		second.errorf("the second run called STS: %+v", calls)
	}
}

func TestWrongCodeFailsCachesNothingAndPromptsAgain(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)

	s := f.awsrun(t, ctx, "-p", "role101", "--", "true")
	s.answerMFA(serial, f.WrongCode())
	s.expect(`awsrun: error: .*AccessDenied`)
	s.waitExit(125)
	if got := f.cachedCredentials(t); len(got) != 0 {
		s.errorf("credentials cached after a refused code: %s", describeEntries(got))
	}
	calls := f.credentialCalls()
	if len(calls) != 1 || calls[0].Action != "GetSessionToken" || calls[0].ErrorCode != "AccessDenied" {
		s.errorf("STS calls %+v, want one GetSessionToken denied", calls)
	}

	again := f.awsrun(t, ctx, "-p", "role101", "--", "true")
	again.answerMFA(serial, f.Code())
	again.waitExit(0)
	got := kinds(f.cachedCredentials(t))
	if !slices.Contains(got, "session") || !slices.Contains(got, "role") {
		again.errorf("after a good code the cache holds %q, want the MFA session and the role", got)
	}
}

func TestCtrlCAtPromptExits130AndRestoresTerminal(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)

	s := f.awsrun(t, ctx, "-p", "role101", "--", "true")
	s.expect(regexp.QuoteMeta(promptFor(serial)))
	s.waitEchoOff()
	s.send("\x03") // the terminal's intr character: SIGINT to the foreground group
	s.waitExit(130)

	tio, err := s.termios()
	if err != nil {
		s.fatalf("reading the terminal modes after awsrun ended: %v", err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		s.errorf("awsrun left the terminal without echo (lflag %#x)", tio.Lflag)
	}
	if tio.Lflag&unix.ICANON == 0 {
		s.errorf("awsrun left the terminal out of canonical mode (lflag %#x)", tio.Lflag)
	}
	if got := f.cachedCredentials(t); len(got) != 0 {
		s.errorf("credentials cached after Ctrl-C: %s", describeEntries(got))
	}
	if calls := f.Srv.Calls(); len(calls) != 0 {
		s.errorf("STS called after Ctrl-C: %+v", calls)
	}
}

// TestNoTerminalFailsAtOnceWithHint runs awsrun as a CI job or a cron entry
// does: no controlling terminal, stdin from /dev/null.
func TestNoTerminalFailsAtOnceWithHint(t *testing.T) {
	t.Parallel()

	t.Run("no code source", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		stdout, stderr, code := runDetached(t, f, "-p", "role101", "--", testBin, helperArg, "whoami")
		if code != 125 {
			t.Fatalf("exit status %d, want 125\nstderr:\n%s", code, stderr)
		}
		hint := regexp.MustCompile(`(?m)^awsrun: hint: .*$`).FindString(stderr)
		if !strings.Contains(hint, "--mfa-code") || !strings.Contains(hint, "mfa_process") {
			t.Errorf("stderr has no hint naming --mfa-code and mfa_process:\n%s", stderr)
		}
		if !regexp.MustCompile(`(?m)^awsrun: error: .*` + regexp.QuoteMeta(serial)).MatchString(stderr) {
			t.Errorf("the error does not name the MFA device %s:\n%s", serial, stderr)
		}
		if stdout != "" {
			t.Errorf("stdout is %q, want nothing: the child never ran", stdout)
		}
		if calls := f.Srv.Calls(); len(calls) != 0 {
			t.Errorf("STS called without a code: %+v", calls)
		}
		if got := f.cachedCredentials(t); len(got) != 0 {
			t.Errorf("credentials cached after a failure: %s", describeEntries(got))
		}
	})

	t.Run("--mfa-code", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		stdout, stderr, code := runDetached(t, f, "-p", "role101", "--mfa-code", f.Code(), "--", testBin, helperArg, "whoami")
		if code != 0 || !regexp.MustCompile(`arn=`+assumedRole).MatchString(stdout) {
			t.Fatalf("exit status %d, want 0 and the role's identity\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})

	t.Run("mfa_process", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.addConfig(t, "mfa_process = cat "+f.Path("code")+"\n") // in [profile role101]
		f.Write(t, "code", f.Code()+"\n")
		stdout, stderr, code := runDetached(t, f, "-p", "role101", "--", testBin, helperArg, "whoami")
		if code != 0 || !regexp.MustCompile(`arn=`+assumedRole).MatchString(stdout) {
			t.Fatalf("exit status %d, want 0 and the role's identity\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
}

// runDetached runs awsrun in a session of its own with no terminal, and
// gives it 5 seconds: awsrun must not wait for a code no one can type.
func runDetached(t *testing.T, f *fixture, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(testContext(t), 5*time.Second)
	defer cancel()
	cmd := f.command(ctx, append([]string{awsrunBin}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = time.Second // an orphan holding the pipes must not hold the test
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut // stdin stays /dev/null
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("awsrun with no terminal was still running after 5s\nstderr:\n%s", errOut.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running awsrun: %v", err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}
