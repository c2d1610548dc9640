//go:build unix

package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

const (
	// testTimeout bounds every test that runs awsrun.
	testTimeout = 30 * time.Second
	// deadlineMargin is kept free before go test's own -timeout, so that a
	// hung test fails with its screen instead of a panic with goroutines.
	deadlineMargin = 5 * time.Second
	// screenLines is how much of the screen a failure shows.
	screenLines = 20
)

// testContext returns the context that bounds a test: testTimeout, or less
// when go test's deadline is nearer.
func testContext(t *testing.T) context.Context {
	deadline := time.Now().Add(testTimeout)
	if d, ok := t.Deadline(); ok && d.Add(-deadlineMargin).Before(deadline) {
		deadline = d.Add(-deadlineMargin)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// killGroup kills the process group led by pid: the command and whatever it
// started in its group.
func killGroup(pid int) error { return syscall.Kill(-pid, syscall.SIGKILL) }

// session is a command running on its own pseudo-terminal, which is its
// controlling terminal (a new session, as a login gives). Everything written
// to the terminal is kept: that is the screen a person would see.
type session struct {
	t   *testing.T
	ctx context.Context
	cmd *exec.Cmd
	pty *os.File // the terminal's master side, pollable
	tty string   // the terminal's name, e.g. /dev/pts/3

	mu     sync.Mutex
	screen []byte

	seen int // how much of text() earlier expects matched; the test's goroutine only

	readDone chan struct{} // the terminal was closed: screen is complete
	readErr  error         // set before readDone closes
	exited   chan struct{} // the command was waited for
}

// startSession starts cmd, made with exec.CommandContext(ctx, …), on a new
// pseudo-terminal. Stdin, stdout and stderr left nil become the terminal.
// When ctx ends, or the test does, the command's process group is killed.
func startSession(t *testing.T, ctx context.Context, cmd *exec.Cmd) *session {
	t.Helper()
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if err != nil {
		t.Fatalf("starting %q on a pty: %v", cmd.Args, err)
	}
	s := &session{t: t, ctx: ctx, cmd: cmd, readDone: make(chan struct{}), exited: make(chan struct{})}
	if f, ok := cmd.Stdin.(*os.File); ok {
		s.tty = f.Name()
	}
	if s.pty, err = pollable(master); err != nil {
		_ = killGroup(cmd.Process.Pid)
		_ = cmd.Wait()
		t.Fatalf("pty: %v", err)
	}
	go s.read()
	go func() {
		_ = cmd.Wait() // the result is in cmd.ProcessState
		close(s.exited)
	}()
	t.Cleanup(s.close)
	return s
}

// pollable returns a non-blocking duplicate of the pty master and closes f.
// The pty package leaves its master in blocking mode, where Close cannot
// interrupt a Read: the reader could outlive the test.
func pollable(f *os.File) (*os.File, error) {
	syscall.ForkLock.RLock() // no child may inherit the duplicate
	fd, err := syscall.Dup(int(f.Fd()))
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("dup: %w", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("set non-blocking: %w", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// read copies the terminal's output into the screen until the terminal is
// closed. EIO is how a pty master says that every process closed its side.
func (s *session) read() {
	defer close(s.readDone)
	buf := make([]byte, 4096)
	for {
		n, err := s.pty.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.screen = append(s.screen, buf[:n]...)
			s.mu.Unlock()
		}
		if err != nil {
			if !errors.Is(err, syscall.EIO) && !errors.Is(err, os.ErrClosed) {
				s.readErr = err
			}
			return
		}
	}
}

// close kills the process group if the command still runs, and closes the
// terminal.
func (s *session) close() {
	select {
	case <-s.exited:
	default:
		_ = killGroup(s.cmd.Process.Pid)
		<-s.exited
	}
	s.drain(time.Second)
	s.pty.Close()
	<-s.readDone
	if s.readErr != nil {
		s.t.Errorf("reading the terminal: %v", s.readErr)
	}
}

// drain waits up to d for the rest of the output after the command exited.
func (s *session) drain(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-s.readDone:
	case <-t.C:
	}
}

// text is the screen so far, with the terminal's CR LF as LF.
func (s *session) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.ReplaceAll(string(s.screen), "\r\n", "\n")
}

// tail is the last lines of the screen, for failure messages.
func (s *session) tail() string {
	lines := strings.Split(strings.TrimRight(s.text(), "\n"), "\n")
	if len(lines) > screenLines {
		lines = lines[len(lines)-screenLines:]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "last %d lines of the screen of %q:\n", len(lines), s.cmd.Args)
	for _, l := range lines {
		fmt.Fprintf(&b, "\t| %s\n", strings.ReplaceAll(l, "\r", `\r`))
	}
	return b.String()
}

// fatalf fails the test with the end of the screen.
func (s *session) fatalf(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf(format+"\n%s", append(args, s.tail())...)
}

// errorf reports a failure with the end of the screen.
func (s *session) errorf(format string, args ...any) {
	s.t.Helper()
	s.t.Errorf(format+"\n%s", append(args, s.tail())...)
}

// expect waits until pattern matches the screen after what earlier expects
// matched, and returns the match and its submatches. It fails the test when
// the deadline passes or the terminal closes first.
func (s *session) expect(pattern string) []string {
	s.t.Helper()
	re := regexp.MustCompile(pattern)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if m := s.match(re); m != nil {
			return m
		}
		select {
		case <-s.readDone:
			if m := s.match(re); m != nil {
				return m
			}
			s.fatalf("%q never appeared: the terminal closed (%s)", pattern, s.status())
		case <-s.ctx.Done():
			s.fatalf("%q did not appear in time", pattern)
		case <-tick.C:
		}
	}
}

func (s *session) match(re *regexp.Regexp) []string {
	screen := s.text()[s.seen:]
	loc := re.FindStringSubmatchIndex(screen)
	if loc == nil {
		return nil
	}
	s.seen += loc[1]
	m := make([]string, len(loc)/2)
	for i := range m {
		if loc[2*i] >= 0 {
			m[i] = screen[loc[2*i]:loc[2*i+1]]
		}
	}
	return m
}

// status describes the command's state for failure messages.
func (s *session) status() string {
	select {
	case <-s.exited:
		return "the command ended: " + s.cmd.ProcessState.String()
	default:
		return "the command still runs"
	}
}

// send types text on the terminal. Call it only after expect saw the
// prompt that asks for it.
func (s *session) send(text string) {
	s.t.Helper()
	if _, err := s.pty.Write([]byte(text)); err != nil {
		s.fatalf("typing %q: %v", text, err)
	}
}

// termios returns the terminal's current modes. On the master side the
// ioctl reports the modes of the terminal the command uses.
func (s *session) termios() (*unix.Termios, error) {
	rc, err := s.pty.SyscallConn()
	if err != nil {
		return nil, err
	}
	var tio *unix.Termios
	var ierr error
	if err := rc.Control(func(fd uintptr) { tio, ierr = unix.IoctlGetTermios(int(fd), ioctlGetTermios) }); err != nil {
		return nil, err
	}
	return tio, ierr
}

// echoing reports whether the terminal echoes what is typed.
func (s *session) echoing() bool {
	s.t.Helper()
	tio, err := s.termios()
	if err != nil {
		s.fatalf("reading the terminal modes: %v", err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitEchoOff waits until the program reading a secret turned echo off: the
// prompt is written before that, and a fast typist would see the code.
func (s *session) waitEchoOff() {
	s.t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for s.echoing() {
		select {
		case <-s.exited:
			s.fatalf("the command ended while waiting for it to turn echo off (%s)", s.status())
		case <-s.ctx.Done():
			s.fatalf("the terminal still echoes: no one is reading a secret")
		case <-tick.C:
		}
	}
}

// answerMFA waits for awsrun's prompt for the device serial and types code.
func (s *session) answerMFA(serial, code string) {
	s.t.Helper()
	s.expect(regexp.QuoteMeta(promptFor(serial)))
	s.waitEchoOff()
	s.send(code + "\r")
}

// promptFor is the prompt the README promises (Usage).
func promptFor(serial string) string { return "Enter MFA code for " + serial + ": " }

// wait waits for the command to end and for its last output, and returns
// how it ended.
func (s *session) wait() *os.ProcessState {
	s.t.Helper()
	select {
	case <-s.exited:
	case <-s.ctx.Done():
		<-s.exited // exec.CommandContext kills the process group
		s.drain(time.Second)
		s.fatalf("the command did not end in time")
	}
	s.drain(2 * time.Second)
	return s.cmd.ProcessState
}

// waitExit waits for the command and checks its exit status.
func (s *session) waitExit(want int) {
	s.t.Helper()
	ps := s.wait()
	if got := ps.ExitCode(); got != want {
		s.fatalf("%q ended with %s, want exit status %d", s.cmd.Args, ps, want)
	}
}
