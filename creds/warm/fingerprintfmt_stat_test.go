//go:build linux || darwin

package warm

import (
	"fmt"
	"os"
	"syscall"
)

// fmtFingerprint is fingerprint as it was first written, with fmt.
func fmtFingerprint(path string) string {
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
