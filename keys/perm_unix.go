//go:build unix

package keys

import "os"

// syncDir makes a rename durable; failure costs only durability.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
