package runner

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// defaultPathExt is what cmd.exe uses when PATHEXT is unset.
const defaultPathExt = ".com;.exe;.bat;.cmd"

func lookPath(name string, env []string) (string, error) {
	exts := pathExts(env)
	if strings.ContainsAny(name, `:\/`) {
		file, err := findExecutable(name, exts)
		if err != nil {
			if errors.Is(err, syscall.EISDIR) {
				return "", &NotExecutableError{Path: name, Err: err}
			}
			return "", &CommandNotFoundError{Name: name, Err: err}
		}
		return file, nil
	}

	// Unlike cmd.exe, and like PowerShell and Go's os/exec, the current
	// directory is not searched unless PATH names it: a file dropped in a
	// checkout must not shadow a real command.
	path, _ := getenv(env, "PATH", true)
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		if file, err := findExecutable(filepath.Join(dir, name), exts); err == nil {
			return file, nil
		}
	}
	return "", &CommandNotFoundError{Name: name, Err: ErrNotFound}
}

func pathExts(env []string) []string {
	list, _ := getenv(env, "PATHEXT", true)
	if list == "" {
		list = defaultPathExt
	}
	var exts []string
	for _, ext := range strings.Split(strings.ToLower(list), ";") {
		if ext == "" {
			continue
		}
		if ext[0] != '.' {
			ext = "." + ext
		}
		exts = append(exts, ext)
	}
	return exts
}

// findExecutable returns file, or file with one of exts appended, whichever
// exists first and is not a directory. Windows has no execute permission to
// check: CreateProcess decides.
func findExecutable(file string, exts []string) (string, error) {
	var first error
	if hasExt(file) {
		first = isFile(file)
		if first == nil {
			return file, nil
		}
	}
	for _, ext := range exts {
		if isFile(file+ext) == nil {
			return file + ext, nil
		}
	}
	if first == nil {
		first = isFile(file)
	}
	return "", first
}

func isFile(file string) error {
	fi, err := os.Stat(file)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return &fs.PathError{Op: "exec", Path: file, Err: syscall.EISDIR}
	}
	return nil
}

// hasExt reports whether the last element of file has an extension.
func hasExt(file string) bool {
	i := strings.LastIndex(file, ".")
	return i >= 0 && strings.LastIndexAny(file, `:\/`) < i
}
