//go:build !linux && !darwin

package warm

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// maxFingerprinted bounds what is read to fingerprint a file: as much as
// awsrun-core reads of the config and credentials files.
const maxFingerprinted = 16 << 20

// fingerprint identifies a file by its content: without an inode change
// time, size and mtime could be copied onto new content (cp -p, archives).
// Only a regular file of a bounded size is read: a FIFO would hang the
// launcher, /dev/zero would never end. Anything else is never a hit, and
// awsrun-core says what is wrong with it.
func fingerprint(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "missing"
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return "empty" // reads as empty, as awsrun-core reads it
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxFingerprinted {
		return "unusable"
	}
	f, err := os.Open(path)
	if err != nil {
		return "missing"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(f, maxFingerprinted+1)); err != nil {
		return "missing"
	}
	return hex.EncodeToString(h.Sum(nil))
}
