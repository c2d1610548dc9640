package cache

import (
	"fmt"
	"io/fs"
	"os"
)

// OpenPrivateDir opens dir by handle with the checks the cache applies to
// its own directory: no directory above it that another user could change,
// dir itself the effective user's and private to them (mode 0700 or
// stricter), a symbolic link followed only into a safe place. A missing dir
// is made 0700 when create says so — it and at most its parent, and only
// in a directory the effective user owns. What names the directory in
// errors ("key store directory"); variable is the environment variable
// that moves it, for the hint.
func OpenPrivateDir(dir, what, variable string, create bool) (*os.Root, error) {
	return openDir(dir, dirSpec{what: what, variable: variable, mask: 0o077,
		loose: "accessible to group or others", chmod: "700", create: create})
}

// OpenPrivateFile opens name in root as the cache opens its files: a
// symbolic link is never followed, a FIFO or device is opened without
// blocking and then refused, and the file must be a regular file of the
// effective user's that no one else may read or write. Flag and perm are
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
