//go:build unix

package runner

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// defaultPath is the search path execvp(3) uses when PATH is unset.
const defaultPath = "/bin:/usr/bin"

func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if err := executable(name); err != nil {
			return "", lookError(name, err)
		}
		return name, nil
	}

	path, ok := getenv(env, "PATH", false)
	if !ok {
		path = defaultPath
	}
	var denied error
	for _, dir := range strings.Split(path, ":") {
		switch {
		case dir == "":
			dir = "./"
		case !strings.HasSuffix(dir, "/"):
			dir += "/"
		}
		file := dir + name
		err := executable(file)
		if err == nil {
			return file, nil
		}
		if denied == nil && errors.Is(err, fs.ErrPermission) {
			denied = &NotExecutableError{Path: file, Err: err}
		}
	}
	if denied != nil {
		return "", denied
	}
	return "", &CommandNotFoundError{Name: name, Err: ErrNotFound}
}

// executable returns nil when file is something other than a directory that
// this process may execute, else the reason it cannot be run.
func executable(file string) error {
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return &fs.PathError{Op: "exec", Path: file, Err: syscall.EISDIR}
	}
	// access(2) applies the kernel's own rules (owner, group, others, root)
	// instead of a guess from the mode bits.
	const xOK = 1
	if err := syscall.Access(file, xOK); err != nil {
		return &fs.PathError{Op: "access", Path: file, Err: err}
	}
	return nil
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
