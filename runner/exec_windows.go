package runner

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// errorBadExeFormat is ERROR_BAD_EXE_FORMAT: not a program Windows can start.
const errorBadExeFormat syscall.Errno = 193

// Exec runs the program at path with argv (argv[0] being the name the user
// typed) and exactly env as a subprocess, since Windows has no exec: the
// standard handles are inherited, and awsrun waits. It returns an
// [*ExitError] with the child's exit code once the child has run, even code
// 0, or a [*CommandNotFoundError] or [*NotExecutableError] when the child
// could not be started.
//
// Ctrl-C and Ctrl-Break reach the child directly, since the console sends them
// to every process attached to it; awsrun catches them while it waits, so that
// it outlives the child and reports the child's code.
func Exec(path string, argv []string, env []string) error {
	if len(argv) == 0 {
		argv = []string{path}
	}
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env, Stdout: os.Stdout, Stderr: os.Stderr}
	if os.Stdin != nil {
		cmd.Stdin = os.Stdin
	}

	// Buffered, and nobody reads it: Notify drops what does not fit, and all
	// we want is that the signal does not kill awsrun.
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)

	if err := cmd.Start(); err != nil {
		return startError(path, err)
	}
	err := cmd.Wait()
	var exited *exec.ExitError
	if err != nil && !errors.As(err, &exited) {
		return err
	}
	return &ExitError{Code: cmd.ProcessState.ExitCode()}
}

func startError(path string, err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if errno == errorBadExeFormat {
			errno = syscall.ENOEXEC
		}
		err = &fs.PathError{Op: "exec", Path: path, Err: errno}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return &CommandNotFoundError{Name: path, Err: err}
	}
	return &NotExecutableError{Path: path, Err: err}
}
