package runner

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"syscall"
)

// Exit statuses (README: Exit status), as coreutils env and timeout use them.
const (
	ExitFailure      = 125 // awsrun itself failed
	ExitCannotInvoke = 126 // the command was found but cannot be run
	ExitNotFound     = 127 // the command was not found
)

// ErrNotFound is the cause of a [CommandNotFoundError] for a name searched for
// in PATH and found nowhere.
var ErrNotFound = errors.New("command not found")

// CommandNotFoundError is a command that does not exist: exit status 127.
type CommandNotFoundError struct {
	Name string // as the user typed it
	Err  error  // ErrNotFound after a PATH search, else the system's error
}

func (e *CommandNotFoundError) Error() string {
	if e.Err == nil || errors.Is(e.Err, ErrNotFound) {
		if looksLikeCode(e.Name) {
			// awsrun -p x 123456: a code without its -t, not repeated.
			return "command not found: the command is 6 digits, like an MFA code"
		}
		return e.Name + ": command not found"
	}
	return e.Name + ": " + describe(e.Err)
}

// looksLikeCode reports whether a command word is six digits, as an MFA
// code given without --mfa-code is.
func looksLikeCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (e *CommandNotFoundError) Unwrap() error { return e.Err }

// Hint says what to check.
func (e *CommandNotFoundError) Hint() string {
	if e.Err == nil || errors.Is(e.Err, ErrNotFound) {
		if looksLikeCode(e.Name) {
			return "pass the MFA code with -t CODE (or AWSRUN_MFA_CODE), before -- and the command"
		}
		return "check the spelling, and that the command's directory is in PATH"
	}
	var ie *interpreterError
	if errors.As(e.Err, &ie) {
		return "check the interpreter named on the script's #! line"
	}
	return ""
}

// NotExecutableError is a command that exists but cannot be run (permission
// denied, exec format error, a directory, …): exit status 126.
type NotExecutableError struct {
	Path string
	Err  error
}

func (e *NotExecutableError) Error() string { return e.Path + ": " + describe(e.Err) }

func (e *NotExecutableError) Unwrap() error { return e.Err }

// Hint says what to check.
func (e *NotExecutableError) Hint() string {
	switch {
	case errors.Is(e.Err, syscall.EISDIR):
		return "name a program, not a directory"
	case errors.Is(e.Err, fs.ErrPermission):
		return "make it executable: chmod +x " + e.Path
	case errors.Is(e.Err, syscall.ENOEXEC):
		return "a script needs a #! line naming its interpreter"
	}
	return ""
}

// ExitError is the exit code of a child that ran as a subprocess (on
// Windows). It is returned even for code 0: the child's failure is not
// awsrun's, and callers should exit with Code without printing anything.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return "exit status " + strconv.Itoa(e.Code) }

// ExitCode maps an error from [LookPath] or [Exec] to awsrun's exit status:
// 0 for nil, 127 for a command not found, 126 for one that cannot be run, the
// child's code for an [*ExitError], and 125 for anything else.
func ExitCode(err error) int {
	var (
		notFound *CommandNotFoundError
		notExec  *NotExecutableError
		exited   *ExitError
	)
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exited):
		return exited.Code
	case errors.As(err, &notFound):
		return ExitNotFound
	case errors.As(err, &notExec):
		return ExitCannotInvoke
	}
	return ExitFailure
}

// interpreterError is execve's ENOENT for a file that exists: the interpreter
// on its #! line, or its dynamic loader, is missing.
type interpreterError struct{}

func (*interpreterError) Error() string { return "cannot execute: required file not found" }

func (*interpreterError) Is(target error) bool {
	return target == syscall.ENOENT || target == fs.ErrNotExist
}

// describe says what went wrong in the system's words, lowercase and without
// the operation and path that *fs.PathError adds: the caller names the file.
func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	errno, ok := err.(syscall.Errno)
	switch {
	case !ok:
		return err.Error()
	case errors.Is(errno, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(errno, fs.ErrPermission):
		return "permission denied"
	}
	msg := errno.Error()
	// Windows' own messages are sentences: "The file is not a valid
	// application." Make them read like the Unix ones.
	msg = strings.TrimSuffix(msg, ".")
	if len(msg) > 1 && 'A' <= msg[0] && msg[0] <= 'Z' && !('A' <= msg[1] && msg[1] <= 'Z') {
		msg = string(msg[0]+'a'-'A') + msg[1:]
	}
	return msg
}
