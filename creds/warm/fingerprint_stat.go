//go:build linux || darwin

package warm

import (
	"os"
	"strconv"
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
	// What fmt made of "%d %d %v dev=%d ino=%d ctime=%d": the index id
	// hashes it, so it may not change by a byte.
	var a [128]byte
	b := strconv.AppendInt(a[:0], fi.Size(), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, fi.ModTime().UnixNano(), 10)
	b = append(b, ' ')
	b = append(b, fi.Mode().String()...)
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		b = append(b, " dev="...)
		b = appendDecimal(b, st.Dev)
		b = append(b, " ino="...)
		b = appendDecimal(b, st.Ino)
		b = append(b, " ctime="...)
		b = strconv.AppendInt(b, changeTime(st), 10)
	}
	return string(b)
}

// appendDecimal appends v in decimal, as %d does, whatever the platform's
// integer type of the field.
func appendDecimal[T ~int32 | ~int64 | ~uint32 | ~uint64](b []byte, v T) []byte {
	if v < 0 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendUint(b, uint64(v), 10)
}
