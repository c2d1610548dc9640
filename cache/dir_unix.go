//go:build unix

package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// openFlags go with every open of a file in the directory: a FIFO or
// device at an entry's name is opened without blocking, then refused by its
// type. O_NOFOLLOW does not stop os.Root from following a symbolic link
// that stays inside the directory (it refuses one that leads out): only the
// user can make one in the private directory, and an entry read through it
// fails to decrypt, its file name being part of the sealed data.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// insecureReason says why a file or directory is not private to the
// effective user: another owner, or a permission bit in mask (described by
// what). It returns "" when it is private.
func insecureReason(fi fs.FileInfo, mask fs.FileMode, what string) string {
	if uid, ok := owner(fi); ok {
		if euid := effectiveUID(); uid != euid {
			return fmt.Sprintf("owned by uid %d, not %d", uid, euid)
		}
	}
	if perm := fi.Mode().Perm(); perm&mask != 0 {
		return fmt.Sprintf("%s (mode %04o)", what, perm)
	}
	return ""
}

// owner is the uid that owns fi.
func owner(fi fs.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// maxLinks bounds the symbolic links followed while checking a path.
const maxLinks = 40

// checkParents checks every directory above path as ssh's StrictModes does:
// each must belong to root or the effective user and be writable by no one
// else, unless it is sticky (/tmp), where others cannot rename or remove
// what is ours. A directory that fails could have the cache directory
// swapped under awsrun between a check and a use. A symbolic link on the
// way is followed, and the directories its target lies in are checked too.
//
// Directories in safe (may be nil) passed with all theirs above them a
// moment ago, in this process: they are not checked again, and those that
// pass now are added.
func checkParents(path string, safe safeDirs) error {
	links := 0
	var passed []string
	if err := checkChain(filepath.Dir(path), &links, safe, &passed); err != nil {
		return err
	}
	if safe != nil {
		for _, p := range passed {
			safe[p] = true
		}
	}
	return nil
}

func checkChain(dir string, links *int, safe safeDirs, passed *[]string) error {
	for p := dir; ; p = filepath.Dir(p) {
		if safe[p] {
			return nil
		}
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Made later, by awsrun, 0700.
		case err != nil:
			return err
		case fi.Mode()&fs.ModeSymlink != 0:
			if *links++; *links > maxLinks {
				return &InsecureDirError{Dir: p, What: "directory", Reason: "behind too many symbolic links"}
			}
			target, err := filepath.EvalSymlinks(p)
			if err != nil {
				return err
			}
			if err := checkChain(target, links, safe, passed); err != nil {
				return err
			}
		default:
			if reason := unsafeParent(fi); reason != "" {
				return &parentError{Dir: p, Reason: reason}
			}
			*passed = append(*passed, p)
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}

// unsafeParent says why a directory above the cache lets another user
// replace what is below it, or "".
func unsafeParent(fi fs.FileInfo) string {
	uid, ok := owner(fi)
	if !ok {
		return ""
	}
	if uid != 0 && uid != effectiveUID() {
		return fmt.Sprintf("owned by uid %d", uid)
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0 {
		return fmt.Sprintf("writable by group or others (mode %04o)", fi.Mode().Perm())
	}
	return ""
}

// mayCreateIn reports whether awsrun may make a directory in parent: one the
// effective user owns, or a sticky one of root's (/tmp). Anything else is
// another user's: root run with a user's HOME (sudo -E) would leave a
// root-owned directory there that locks the user out.
func mayCreateIn(parent fs.FileInfo) error {
	uid, ok := owner(parent)
	if !ok {
		return nil
	}
	euid := effectiveUID()
	if uid == euid || (uid == 0 && parent.Mode()&fs.ModeSticky != 0) {
		return nil
	}
	return fmt.Errorf("its parent belongs to uid %d and awsrun runs as uid %d", uid, euid)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
