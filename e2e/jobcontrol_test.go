//go:build linux

package e2e

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// interactiveBash starts an interactive bash with job control on a new
// terminal, as a person's shell: without line editing, so the terminal's
// own echo is what shows typed text, and with job changes reported at once.
// It fails the test when bash is not installed.
func (f *fixture) interactiveBash(t *testing.T, ctx context.Context) *session {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed: job control needs a shell that has it")
	}
	cmd := f.command(ctx, bash, "--noprofile", "--norc", "--noediting", "-i")
	cmd.Env = append(cmd.Env, "PS1=$ ")
	s := startSession(t, ctx, cmd)
	s.expect(`\$ $`)
	s.send("set -b\r")
	s.expect(`\$ $`)
	return s
}

// Ctrl-Z at the prompt stops awsrun with the terminal as the shell wants it;
// after fg the code is asked for again with echo off, so it is never shown.
func TestCtrlZAtThePromptThenFgHidesTheCode(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	s := f.interactiveBash(t, ctx)

	s.send("awsrun -p role101 -- printenv AWSRUN_PROFILE\r")
	s.expect(regexp.QuoteMeta(promptFor(serial)))
	s.waitEchoOff()
	s.send("\x1a") // Ctrl-Z
	s.expect(`Stopped`)
	s.expect(`\$ $`)
	if !s.echoing() {
		s.fatalf("the terminal does not echo after awsrun stopped: the shell gets it with echo off")
	}

	s.send("fg\r")
	s.answerMFA(serial, f.Code()) // the question again, echo off again
	s.expect(`\nrole101\n`)
	s.expect(`\$ $`)
	s.send("exit\r")
	s.waitExit(0)
	if strings.Contains(s.text(), f.Code()) {
		s.errorf("the code typed after fg was shown on the terminal")
	}
}

// Started in the background, awsrun neither asks on the shell's line nor
// changes the terminal's modes: it says what it waits for, stops as a read
// from the terminal would, and asks once brought to the foreground.
func TestBackgroundJobWaitsForFgBeforeAsking(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	s := f.interactiveBash(t, ctx)

	s.send("awsrun -p role101 -- printenv AWSRUN_PROFILE &\r")
	s.expect(`waiting in the background for an MFA code`)
	s.expect(`Stopped`)
	if strings.Contains(s.text(), promptFor(serial)) {
		s.fatalf("awsrun asked for the code while in the background: the answer would go to the shell")
	}
	if !s.echoing() {
		s.fatalf("awsrun in the background turned the shell's echo off")
	}

	s.send("fg\r")
	s.answerMFA(serial, f.Code())
	s.expect(`\nrole101\n`)
	s.expect(`\$ $`)
	s.send("exit\r")
	s.waitExit(0)
}
