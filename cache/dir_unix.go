//go:build unix

package cache

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// insecureReason says why a file or directory is not private to the
// effective user: another owner, or a permission bit in mask (described by
// what). It returns "" when it is private.
func insecureReason(fi fs.FileInfo, mask fs.FileMode, what string) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if euid := os.Geteuid(); int64(st.Uid) != int64(euid) {
			return fmt.Sprintf("owned by uid %d, not %d", st.Uid, euid)
		}
	}
	if perm := fi.Mode().Perm(); perm&mask != 0 {
		return fmt.Sprintf("%s (mode %04o)", what, perm)
	}
	return ""
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
