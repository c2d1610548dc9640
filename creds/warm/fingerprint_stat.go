//go:build linux || darwin

package warm

import (
	"fmt"
	"os"
	"syscall"
)

// fingerprint identifies a file's content without reading it. Size and
// mtime alone are not enough: cp -p, rsync -t and archives copy an old
// mtime onto new content. The inode change time cannot be set by anyone
// but the kernel, and a replaced file has a new inode.
func fingerprint(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "missing"
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Sprintf("%d %d %v", fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
	}
	return fmt.Sprintf("%d %d %v dev=%d ino=%d ctime=%d", fi.Size(), fi.ModTime().UnixNano(), fi.Mode(),
		st.Dev, st.Ino, changeTime(st))
}
