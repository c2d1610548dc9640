//go:build !unix

package cache

import "io/fs"

// insecureReason returns "": permission bits mean nothing here, and the
// per-user profile directories the defaults point into are private already.
func insecureReason(fs.FileInfo, fs.FileMode, string) string { return "" }

// syncDir does nothing: directories cannot be opened for syncing here.
func syncDir(string) error { return nil }
