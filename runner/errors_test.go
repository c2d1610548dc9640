package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"not found", &CommandNotFoundError{Name: "terraform", Err: ErrNotFound}, 127},
		{"not found, wrapped", fmt.Errorf("run: %w", &CommandNotFoundError{Name: "x"}), 127},
		{"missing interpreter", &CommandNotFoundError{Name: "./s", Err: &interpreterError{}}, 127},
		{"not executable", &NotExecutableError{Path: "./s", Err: syscall.EACCES}, 126},
		{"not executable, wrapped", fmt.Errorf("run: %w", &NotExecutableError{Path: "./s"}), 126},
		{"child code", &ExitError{Code: 42}, 42},
		{"child code 0", &ExitError{Code: 0}, 0},
		{"child code, wrapped", fmt.Errorf("run: %w", &ExitError{Code: 3}), 3},
		{"our failure", errors.New("sts: AccessDenied"), 125},
		{"bare errno", syscall.ENOENT, 125},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	pathErr := func(path string, errno syscall.Errno) error {
		return &fs.PathError{Op: "exec", Path: path, Err: errno}
	}
	tests := []struct {
		err  error
		want string
	}{
		{&CommandNotFoundError{Name: "terraform", Err: ErrNotFound}, "terraform: command not found"},
		{&CommandNotFoundError{Name: "terraform"}, "terraform: command not found"},
		// awsrun -p x 123456: an MFA code without -t is not repeated
		{&CommandNotFoundError{Name: "123456", Err: ErrNotFound}, "command not found: the command is 6 digits, like an MFA code"},
		{&CommandNotFoundError{Name: "1234567", Err: ErrNotFound}, "1234567: command not found"},
		{&CommandNotFoundError{Name: "./missing", Err: pathErr("./missing", syscall.ENOENT)}, "./missing: no such file or directory"},
		{&CommandNotFoundError{Name: "./s", Err: &interpreterError{}}, "./s: cannot execute: required file not found"},
		{&NotExecutableError{Path: "./script.sh", Err: pathErr("./script.sh", syscall.EACCES)}, "./script.sh: permission denied"},
		{&NotExecutableError{Path: "./dir", Err: pathErr("./dir", syscall.EISDIR)}, "./dir: is a directory"},
		{&NotExecutableError{Path: "./junk", Err: pathErr("./junk", syscall.ENOEXEC)}, "./junk: exec format error"},
		{&NotExecutableError{Path: "./x", Err: errors.New("odd")}, "./x: odd"},
		{&ExitError{Code: 3}, "exit status 3"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestErrorsMatch(t *testing.T) {
	nf := &CommandNotFoundError{Name: "./s", Err: &interpreterError{}}
	if !errors.Is(nf, fs.ErrNotExist) || !errors.Is(nf, syscall.ENOENT) {
		t.Errorf("missing interpreter does not match ENOENT")
	}
	ne := &NotExecutableError{Path: "./s", Err: &fs.PathError{Op: "exec", Path: "./s", Err: syscall.EACCES}}
	if !errors.Is(ne, fs.ErrPermission) {
		t.Errorf("permission denied does not match fs.ErrPermission")
	}
	if nf.Hint() == "" || ne.Hint() == "" || (&CommandNotFoundError{Name: "x", Err: ErrNotFound}).Hint() == "" {
		t.Errorf("missing hints")
	}
}
