//go:build unix

package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// Exec replaces the current process with the program at path, run with argv
// (argv[0] being the name the user typed) and exactly env. It returns only on
// failure: a [*CommandNotFoundError] when execve(2) says ENOENT, a
// [*NotExecutableError] for any other refusal (EACCES, ENOEXEC, a directory,
// E2BIG, …), or a plain error for arguments execve cannot carry.
//
// On success deferred functions do not run; files awsrun opened are closed by
// the kernel (Go opens them close-on-exec), which also releases the locks
// they hold. Descriptors awsrun inherited stay open for the child.
//
// Signals: handlers do not survive execve, so a signal awsrun catches with
// signal.Notify is back to its default action in the child, but a signal set
// to be ignored stays ignored. Never call signal.Ignore before Exec: it cannot
// be undone. Stop every channel passed to signal.Notify before Exec: Go then
// puts back an ignored SIGHUP or SIGINT that awsrun inherited (nohup, a
// background job), so the child inherits it as awsrun did. Exec itself does
// not touch os/signal: waiting for its delivery loop to go idle costs a
// millisecond on the warm path.
func Exec(path string, argv []string, env []string) error {
	if len(argv) == 0 {
		argv = []string{path}
	}
	if hasNUL(path) || hasNUL(argv...) || hasNUL(env...) {
		return fmt.Errorf("cannot run %s: an argument or environment variable contains a NUL byte", argv[0])
	}
	err := syscall.Exec(path, argv, env)
	return execError(path, err)
}

func execError(path string, err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return fmt.Errorf("cannot run %s: %w", path, err)
	}
	if errno == syscall.ENOENT {
		if _, statErr := os.Stat(path); statErr == nil {
			// The file is there: what is missing is the interpreter on
			// its #! line or its dynamic loader.
			return &CommandNotFoundError{Name: path, Err: &interpreterError{}}
		}
		return &CommandNotFoundError{Name: path, Err: &fs.PathError{Op: "exec", Path: path, Err: errno}}
	}
	return &NotExecutableError{Path: path, Err: &fs.PathError{Op: "exec", Path: path, Err: errno}}
}

func hasNUL(s ...string) bool {
	for _, s := range s {
		if strings.IndexByte(s, 0) >= 0 {
			return true
		}
	}
	return false
}
