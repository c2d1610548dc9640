//go:build unix

package creds

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openNonblock opens a FIFO without waiting for a writer.
const openNonblock = syscall.O_NONBLOCK

// clearNonblock makes reads of a checked regular file blocking again, as
// the os package expects.
func clearNonblock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}

// looseFile says why another user could change the file fi describes, as
// ssh judges its config: writable by group or others, or owned by a user
// other than the effective user and root. "" when only the user (or root)
// can.
func looseFile(fi fs.FileInfo) string {
	if fi == nil {
		return ""
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := int(st.Uid); uid != 0 && uid != os.Geteuid() {
			return fmt.Sprintf("owned by uid %d", uid)
		}
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Sprintf("writable by group or others (mode %04o)", perm)
	}
	return ""
}
