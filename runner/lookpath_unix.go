//go:build unix

package runner

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
)

// defaultPath is the search path execvp(3) uses when PATH is unset.
const defaultPath = "/bin:/usr/bin"

func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if op, err := executable(name); err != nil {
			return "", lookError(name, &fs.PathError{Op: op, Path: name, Err: err})
		}
		return name, nil
	}

	path, ok := getenv(env, "PATH", false)
	if !ok {
		path = defaultPath
	}
	var denied error
	for dir := range strings.SplitSeq(path, ":") {
		var file string
		switch {
		case dir == "":
			file = "./" + name
		case !strings.HasSuffix(dir, "/"):
			file = dir + "/" + name
		default:
			file = dir + name
		}
		op, err := executable(file)
		if err == nil {
			return file, nil
		}
		if denied == nil && errors.Is(err, fs.ErrPermission) {
			denied = &NotExecutableError{Path: file, Err: &fs.PathError{Op: op, Path: file, Err: err}}
		}
	}
	if denied != nil {
		return "", denied
	}
	return "", &CommandNotFoundError{Name: name, Err: ErrNotFound}
}

// executable returns nil when file is something other than a directory that
// this process may execute, else the reason it cannot be run and the
// operation that found it. The error is a bare errno, wrapped only by a
// caller that keeps it: most directories of PATH miss, and a warm launch
// should not allocate for each of them.
func executable(file string) (op string, err error) {
	var st syscall.Stat_t
	for {
		err = syscall.Stat(file, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return "stat", err
	}
	if st.Mode&syscall.S_IFMT == syscall.S_IFDIR {
		return "exec", syscall.EISDIR
	}
	// access(2) applies the kernel's own rules (owner, group, others, root)
	// instead of a guess from the mode bits.
	const xOK = 1
	if err := syscall.Access(file, xOK); err != nil {
		return "access", err
	}
	return "", nil
}

// lookError classifies why a file named by its path cannot be run. Only a
// missing file is "not found" (127); anything else, a path through a regular
// file or a symlink loop included, is 126, as in bash and env.
func lookError(name string, err error) error {
	if errors.Is(err, syscall.ENOENT) {
		return &CommandNotFoundError{Name: name, Err: err}
	}
	return &NotExecutableError{Path: name, Err: err}
}
