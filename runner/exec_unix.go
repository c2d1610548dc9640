//go:build unix

package runner

import (
	"bytes"
	"errors"
	"fmt"
	"io"
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
	if errors.Is(err, syscall.ENOEXEC) && isScript(path) {
		// What the kernel cannot run but is text is a shell script without
		// a #! line: execvp(3), and so env(1) and every shell, run it with
		// /bin/sh. Binaries of another format stay an exec format error.
		shArgv := append([]string{shell, path}, argv[1:]...)
		if shErr := syscall.Exec(shell, shArgv, env); shErr != nil {
			return execError(shell, shErr)
		}
	}
	return execError(path, err)
}

// shell runs scripts that name no interpreter.
const shell = "/bin/sh"

// scriptProbe is how much of a file isScript reads.
const scriptProbe = 512

// isScript reports whether the file at path looks like text a shell can
// read: its first line (or first scriptProbe bytes) holds no NUL byte, the
// test bash and dash make before running such a file.
func isScript(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	buf := make([]byte, scriptProbe)
	n, _ := io.ReadFull(f, buf)
	first, _, _ := bytes.Cut(buf[:n], []byte{'\n'})
	return bytes.IndexByte(first, 0) < 0
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
