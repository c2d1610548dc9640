//go:build unix

package e2e

import (
	"regexp"
	"syscall"
	"testing"
)

func TestExitStatusIsTheChildsOrEnvs(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	warm := f.awsrun(t, ctx, "-p", "role101", "--", "true")
	warm.answerMFA(serial, f.Code())
	warm.waitExit(0)
	f.Write(t, "not-executable", "#!/bin/sh\necho ran\n") // mode 0600

	t.Run("child's own status", func(t *testing.T) {
		s := f.awsrun(t, ctx, "-p", "role101", "--", "sh", "-c", "exit 42")
		s.waitExit(42)
	})
	t.Run("child's death by signal", func(t *testing.T) {
		s := f.awsrun(t, ctx, "-p", "role101", "--", "sh", "-c", "kill -TERM $$")
		ps := s.wait()
		// Only the process awsrun became can die of the signal in the
		// eyes of its parent: a wrapper would exit 143 instead.
		ws, ok := ps.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
			s.fatalf("awsrun ended with %s, want killed by SIGTERM as its child was (no exec?)", ps)
		}
	})
	t.Run("command not found", func(t *testing.T) {
		s := f.awsrun(t, ctx, "-p", "role101", "--", "no-such-command-e2e", "arg")
		s.expect(`awsrun: error: .*no-such-command-e2e: command not found\n`)
		s.waitExit(127)
	})
	t.Run("command not executable", func(t *testing.T) {
		s := f.awsrun(t, ctx, "-p", "role101", "--", f.Path("not-executable"))
		s.expect(`awsrun: error: .*` + regexp.QuoteMeta(f.Path("not-executable")) + `: permission denied\n`)
		s.waitExit(126)
		if regexp.MustCompile(`(?m)^ran`).MatchString(s.text()) {
			s.errorf("the file ran")
		}
	})
	if calls := f.credentialCalls(); len(calls) != 2 {
		t.Errorf("STS calls %+v, want only the first run's two: the others use the cache", calls)
	}
}

func TestSignalsReachChild(t *testing.T) {
	t.Parallel()
	const script = `trap "echo got INT" INT; trap "echo got TERM" TERM; echo ready; while :; do sleep 0.1; done`
	for _, tc := range []struct {
		name string
		send func(s *session)
		want string
	}{
		{"SIGINT to the process group", func(s *session) { signalGroup(s, syscall.SIGINT) }, "got INT"},
		{"SIGTERM to the process group", func(s *session) { signalGroup(s, syscall.SIGTERM) }, "got TERM"},
		{"Ctrl-C typed", func(s *session) { s.send("\x03") }, "got INT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			f := newFixture(t)
			s := f.awsrun(t, ctx, "-p", "role101", "--", "sh", "-c", script)
			s.answerMFA(serial, f.Code())
			s.expect(`ready\n`)
			tc.send(s)
			s.expect(tc.want + `\n`)
			// The trap ran and the loop goes on: the child, not awsrun, had
			// the signal. The session's cleanup kills it.
			select {
			case <-s.exited:
				s.fatalf("the child ended after trapping the signal: %s", s.cmd.ProcessState)
			default:
			}
		})
	}
}

func signalGroup(s *session, sig syscall.Signal) {
	s.t.Helper()
	if err := syscall.Kill(-s.cmd.Process.Pid, sig); err != nil {
		s.fatalf("kill: %v", err)
	}
}

func TestChildOwnsTheTerminal(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	s := f.awsrun(t, ctx, "-p", "role101", "--", "sh", "-c", "tty; read x; echo got:$x")
	s.answerMFA(serial, f.Code())
	tty := s.expect(`(/dev/\S+)\n`)[1]
	if tty != s.tty {
		s.errorf("the child's tty is %s, want awsrun's terminal %s", tty, s.tty)
	}
	s.send("hello\r")
	s.expect(`got:hello\n`)
	s.waitExit(0)
}
