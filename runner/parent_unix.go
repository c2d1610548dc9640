//go:build unix

package runner

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// Forwarded are the signals [Run] passes on to the child when they are sent
// to awsrun: the ones a supervisor, a CI runner or kill(1) sends to the
// process it started.
var Forwarded = []os.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}

// fromTerminal are the signals a terminal sends to its whole foreground
// process group, the child included: awsrun survives them and waits, and
// does not pass them on, or the child would get each twice (a second
// Ctrl-C makes terraform abandon its state).
var fromTerminal = []os.Signal{syscall.SIGINT, syscall.SIGQUIT}

// Run starts the program at path with argv (argv[0] being the name the user
// typed) and exactly env as a child that shares awsrun's standard streams,
// terminal and process group, and waits for it: for awsrun --server, which
// must outlive the command to serve it. It returns an [*ExitError] with the
// child's exit code, or 128+N when signal N killed it, even code 0; or a
// [*CommandNotFoundError] or [*NotExecutableError] when the child could not
// be started.
//
// While the child runs, the [Forwarded] signals sent to awsrun are sent on
// to it; SIGINT and SIGQUIT, which the terminal delivers to both, do not
// end awsrun, which waits for the child to decide. A signal awsrun was
// started ignoring (nohup, a background job) is left ignored, for awsrun and
// so for the child, as with [Exec]. Nothing is caught outside Run.
//
// When the child exits, what it left in a process group of its own is hung
// up (see hangUpGroup).
//
// Descriptors awsrun opened — the credentials endpoint's socket among them —
// do not reach the child: Go opens files, pipes and sockets close-on-exec.
// Descriptors awsrun inherited open stay open for the child, as with [Exec]
// (a make jobserver's pipe).
func Run(path string, argv []string, env []string) error {
	if len(argv) == 0 {
		argv = []string{path}
	}
	if hasNUL(path) || hasNUL(argv...) || hasNUL(env...) {
		return fmt.Errorf("cannot run %s: an argument or environment variable contains a NUL byte", argv[0])
	}
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}

	// Caught before the child starts, so that no signal in between ends
	// awsrun and orphans the child. Handlers do not survive execve: the
	// child starts with the default action for each.
	forward := make(chan os.Signal, 8)
	notify(forward, Forwarded)
	defer signal.Stop(forward)
	terminal := make(chan os.Signal, 8)
	notify(terminal, fromTerminal)
	defer signal.Stop(terminal)

	if err := cmd.Start(); err != nil {
		return execError(path, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case s := <-forward:
			_ = cmd.Process.Signal(s) // ESRCH: it has just exited, and Wait says how
		case <-terminal:
		case err := <-done:
			hangUpGroup(cmd.Process.Pid)
			var exited *exec.ExitError
			if err != nil && !errors.As(err, &exited) {
				return fmt.Errorf("waiting for %s: %w", argv[0], err)
			}
			return &ExitError{Code: exitCode(cmd.ProcessState)}
		}
	}
}

// hangUpGroup ends what the child left behind in a process group of its
// own — one it made itself (setpgid, setsid: a job-control shell, a
// process manager) and whose id is therefore its pid — as a terminal's
// hangup does: SIGHUP, then SIGCONT for a stopped member. Those processes
// are the command's; with the command gone, whatever awsrun served them
// (the --server endpoint) is gone too, and a process that kept its
// address would ask whoever binds the port next. No group of that id
// exists when the child shared awsrun's: the kernel does not reuse a pid
// while a group bears it, so no other process is ever signalled. Members
// of awsrun's own group are left alone: it may hold the rest of a shell
// pipeline, and the terminal's job control is the shell's.
func hangUpGroup(pgid int) {
	if syscall.Kill(-pgid, 0) != nil {
		return // no such group: the child made none, or left no one in it
	}
	_ = syscall.Kill(-pgid, syscall.SIGHUP)
	_ = syscall.Kill(-pgid, syscall.SIGCONT)
}

// notify catches those of sigs that awsrun was not started ignoring.
func notify(c chan<- os.Signal, sigs []os.Signal) {
	var caught []os.Signal
	for _, s := range sigs {
		if !signal.Ignored(s) {
			caught = append(caught, s)
		}
	}
	if len(caught) > 0 {
		signal.Notify(c, caught...)
	}
}

// exitCode is the status a shell reports for the child: its exit code, or
// 128+N when signal N ended it.
func exitCode(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
