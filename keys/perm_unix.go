//go:build unix

package keys

import (
	"io/fs"
	"os"
)

func insecure(fi fs.FileInfo) bool      { return fi.Mode().Perm()&0o077 != 0 }
func groupWritable(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o022 != 0 }

// syncDir makes a rename durable; failure costs only durability.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
