//go:build unix

package e2e

import (
	"os"
	"strings"
	"testing"
)

// A run without a command starts the user's shell, interactive, on the
// terminal, with the credentials; its exit status is awsrun's.
func TestNoCommandStartsTheShellWithCredentials(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	f.env = append(f.env, "SHELL=/bin/sh", "PS1=$ ")

	s := f.awsrun(t, ctx, "-p", "role101")
	s.answerMFA(serial, f.Code())
	s.expect(`awsrun: starting /bin/sh with the credentials of profile role101, valid until \d\d:\d\d \S+ \((59m|1h) left\); exit to return\r?\n`)
	s.send("echo \"profile=$AWSRUN_PROFILE key=${AWS_ACCESS_KEY_ID%${AWS_ACCESS_KEY_ID#????}} flags=$-\"\n")
	got := s.expect(`profile=role101 key=ASIA flags=(\S*)\r?\n`)
	if !strings.Contains(got[1], "i") {
		s.errorf("the shell is not interactive: $- = %q", got[1])
	}
	// The nesting guard applies inside, as for any command.
	s.send("awsrun -p role101 -- true; echo \"inner=$?\"\n")
	s.expect(`awsrun: error: .*AWSRUN_PROFILE=role101.*\r?\n`)
	s.expect(`inner=125\r?\n`)
	s.send("awsrun --nested -p role101 -- sh -c 'echo \"nested as $AWSRUN_PROFILE\"'\n")
	s.expect(`nested as role101\r?\n`)
	s.send("exit 3\n")
	s.waitExit(3)

	// The second time the launcher serves it warm: no code, no STS call.
	calls := len(f.credentialCalls())
	s = f.awsrun(t, ctx, "-p", "role101")
	s.expect(`awsrun: starting /bin/sh with the credentials of profile role101`)
	s.send("exit\n")
	s.waitExit(0)
	if strings.Contains(s.text(), "MFA code") || len(f.credentialCalls()) != calls {
		s.errorf("the warm run asked for a code or called STS: %d calls, was %d", len(f.credentialCalls()), calls)
	}
}

func TestNoCommandWithoutSHELLStartsBinSh(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	for _, kv := range f.env {
		if strings.HasPrefix(kv, "SHELL=") {
			t.Fatalf("the fixture sets %s", kv)
		}
	}
	s := f.awsrun(t, ctx, "-p", "role101")
	s.answerMFA(serial, f.Code())
	s.expect(`awsrun: starting /bin/sh with the credentials`)
	s.send("echo \"as=$AWSRUN_PROFILE\"; exit 0\n")
	s.expect(`as=role101\r?\n`)
	s.waitExit(0)
}

func TestNoCommandStartsSHELL(t *testing.T) {
	t.Parallel()
	bash := "/bin/bash"
	if _, err := os.Stat(bash); err != nil {
		t.Skip("no /bin/bash")
	}
	ctx := testContext(t)
	f := newFixture(t)
	f.env = append(f.env, "SHELL="+bash)
	s := f.awsrun(t, ctx, "-p", "role101")
	s.answerMFA(serial, f.Code())
	s.expect(`awsrun: starting /bin/bash with the credentials`)
	s.send("echo \"bash=${BASH_VERSION:+yes}\"; exit 7\n")
	s.expect(`bash=yes\r?\n`)
	s.waitExit(7)
}
