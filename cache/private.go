package cache

import (
	"fmt"
	"io/fs"
	"os"
)

// PrivateDir says which directory OpenPrivateDir opens, and how.
type PrivateDir struct {
	Dir string
	// What names it in errors ("key store directory"); Variable is the
	// environment variable that moves it, for the hints.
	What, Variable string
	// Create makes it 0700 when missing, with at most Levels-1 missing
	// directories above it (0: its parent only), and only in a directory
	// the effective user owns.
	Create bool
	Levels int
	// OthersMayRead allows group and others to read and enter it (no one
	// else may ever write it); else it must be 0700 or stricter.
	OthersMayRead bool
}

// OpenPrivateDir opens d.Dir by handle with the checks the cache applies
// to its own directory: no directory above it that another user could
// change, the directory itself the effective user's and not writable (or,
// unless OthersMayRead, readable) by anyone else, a symbolic link followed
// only into a safe place.
func OpenPrivateDir(d PrivateDir) (*os.Root, error) {
	spec := dirSpec{what: d.What, variable: d.Variable, mask: 0o077,
		loose: "accessible to group or others", chmod: "700", create: d.Create, levels: d.Levels}
	if d.OthersMayRead {
		spec.mask, spec.loose, spec.chmod = 0o022, "writable by group or others", "go-w"
	}
	return openDir(d.Dir, spec)
}

// OpenPrivateFile opens name in root as the cache opens its files: a
// symbolic link is followed only inside root (see openFlags), a FIFO or
// device is opened without blocking and then refused, and the file must be
// a regular file of the effective user's that no one else may read or
// write. Flag and perm are
// os.OpenFile's; O_CREATE makes the file with perm.
func OpenPrivateFile(root *os.Root, name string, flag int, perm fs.FileMode) (*os.File, error) {
	f, err := root.OpenFile(name, flag|openFlags, perm)
	if err != nil {
		if fi, lerr := root.Lstat(name); lerr == nil && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file (%v)", name, fi.Mode().Type())
		}
		return nil, err
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case !fi.Mode().IsRegular():
		err = fmt.Errorf("%s is not a regular file (%v)", name, fi.Mode().Type())
	default:
		if reason := insecureReason(fi, 0o077, "accessible to group or others"); reason != "" {
			err = fmt.Errorf("%s is %s", name, reason)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// TryLock takes an exclusive lock on f (flock on Unix, LockFileEx on
// Windows) without waiting: false when another open file holds it. The
// lock lasts until f is closed.
func TryLock(f *os.File) (bool, error) { return tryLock(f) }
