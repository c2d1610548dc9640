//go:build unix

package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunExitStatus(t *testing.T) {
	for _, code := range []int{0, 1, 3, 125, 126, 127, 255} {
		spec := helperSpec{Argv: []string{"sh", "-c", "exit " + strconv.Itoa(code)}, Run: true}
		r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "")
		if r.code() != code {
			t.Errorf("sh -c 'exit %d': awsrun exit %d; stderr: %s", code, r.code(), r.stderr)
		}
	}
}

// TestRunChildKilledBySignal guards the shell's convention: the parent
// exits 128+N, it is not killed itself.
func TestRunChildKilledBySignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL, syscall.SIGSEGV} {
		spec := helperSpec{Argv: []string{"sh", "-c", fmt.Sprintf("kill -%d $$; sleep 10", sig)}, Run: true}
		r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "")
		if r.code() != 128+int(sig) {
			t.Errorf("child killed by %v: awsrun %v, want exit %d; stderr: %s", sig, r.state, 128+int(sig), r.stderr)
		}
	}
}

func TestRunStartFailures(t *testing.T) {
	dir := t.TempDir()
	noexec := writeFile(t, filepath.Join(dir, "noexec.sh"), "#!/bin/sh\nexit 0\n", 0o644)
	for _, tt := range []struct {
		path string
		want int
	}{{dir + "/missing", 127}, {noexec, 126}, {dir, 126}} {
		r := runHelper(t, helperSpec{Path: tt.path, Argv: []string{"x"}, Run: true}, []string{"PATH=" + testPath(t)}, "")
		if r.code() != tt.want || !strings.Contains(r.stderr, tt.path) {
			t.Errorf("Run(%s): exit %d, stderr %q; want %d naming the path", tt.path, r.code(), r.stderr, tt.want)
		}
	}
}

// started is a helper process running Run in a process group of its own,
// whose child has said "ready" on stdout.
type started struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	lines  chan string
}

// startRun starts the helper with Run on script (sh -c) and waits until the
// script prints ready.
func startRun(t *testing.T, script string) *started {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(helperSpec{Argv: []string{"sh", "-c", script}, Run: true})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, self, string(js))
	cmd.Env = []string{"PATH=" + testPath(t), helperVar + "=exec"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &started{cmd: cmd, stderr: &bytes.Buffer{}, lines: make(chan string, 16)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	select {
	case l := <-s.lines:
		if l != "ready" {
			t.Fatalf("child said %q, want ready", l)
		}
	case <-ctx.Done():
		t.Fatal("the child never said ready")
	}
	return s
}

// wait returns the helper's exit status and the rest of the child's output.
func (s *started) wait(t *testing.T) (int, string) {
	t.Helper()
	var rest []string
	for l := range s.lines {
		rest = append(rest, l)
	}
	err := s.cmd.Wait()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("helper: %v; stderr: %s", err, s.stderr)
	}
	if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("awsrun itself was killed by %v; stderr: %s", ws.Signal(), s.stderr)
	}
	return s.cmd.ProcessState.ExitCode(), strings.Join(rest, "\n")
}

// TestRunForwardsSignals sends each forwarded signal to awsrun alone, as
// kill(1) or a supervisor does: the child gets it once.
func TestRunForwardsSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2} {
		t.Run(sig.String(), func(t *testing.T) {
			s := startRun(t, fmt.Sprintf(`n=0; trap 'n=$((n+1))' %d; echo ready; i=0; while [ $i -lt 20 ]; do sleep 0.05; i=$((i+1)); done; echo "got $n"; exit 3`, int(sig)))
			if err := s.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			code, out := s.wait(t)
			if code != 3 || out != "got 1" {
				t.Errorf("%v to awsrun: exit %d, child said %q; want 3 and got 1; stderr: %s", sig, code, out, s.stderr)
			}
		})
	}
}

// TestRunForwardedTermEndsTheChild: the default action, as a CI runner's
// cancel expects — and 128+15 from awsrun.
func TestRunForwardedTermEndsTheChild(t *testing.T) {
	s := startRun(t, `echo ready; exec sleep 30`)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code, _ := s.wait(t); code != 143 {
		t.Errorf("exit %d, want 143; stderr: %s", code, s.stderr)
	}
}

// TestRunTerminalInterruptReachesBoth plays Ctrl-C: SIGINT to the whole
// process group. awsrun survives it, the child gets it once and decides.
func TestRunTerminalInterruptReachesBoth(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT} {
		s := startRun(t, fmt.Sprintf(`n=0; trap 'n=$((n+1))' %d; echo ready; i=0; while [ $i -lt 20 ]; do sleep 0.05; i=$((i+1)); done; echo "got $n"; exit 7`, int(sig)))
		if err := syscall.Kill(-s.cmd.Process.Pid, sig); err != nil {
			t.Fatal(err)
		}
		code, out := s.wait(t)
		// The loop's sleep may die of the signal too; the shell's trap
		// runs once for the signal it got.
		if code != 7 || out != "got 1" {
			t.Errorf("%v to the group: exit %d, child said %q; want 7 and got 1; stderr: %s", sig, code, out, s.stderr)
		}
	}
}

// TestRunKeepsInheritedIgnoredHangup: under nohup, the child ignores
// SIGHUP too, and awsrun does not undo that by catching it.
func TestRunKeepsInheritedIgnoredHangup(t *testing.T) {
	ownSignalMasks(t)
	spec := helperSpec{Argv: []string{"cat", "/proc/self/status"}, Run: true}
	r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, `trap "" HUP; exec "$0" "$@"`)
	if r.code() != 0 {
		t.Fatalf("exit %d; stderr: %s", r.code(), r.stderr)
	}
	blocked, ignored := sigMasks(t, r.stdout)
	if ignored&sigBit(syscall.SIGHUP) == 0 {
		t.Errorf("child does not ignore SIGHUP, which awsrun inherited ignored (SigIgn %016x)", ignored)
	}
	for _, s := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1, syscall.SIGQUIT} {
		if ignored&sigBit(s) != 0 || blocked&sigBit(s) != 0 {
			t.Errorf("child ignores or blocks %v (SigIgn %016x SigBlk %016x)", s, ignored, blocked)
		}
	}
}

// TestRunDescriptors: what awsrun opened stays with awsrun, what it
// inherited (a make jobserver's pipe) reaches the child, as with Exec.
func TestRunDescriptors(t *testing.T) { checkDescriptors(t, true) }
