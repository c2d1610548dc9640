//go:build !unix

package cache

import "io/fs"

// openFlags adds nothing here: os.Root already refuses links that leave the
// directory, and there are no FIFOs to block on.
const openFlags = 0

// insecureReason returns "": permission bits mean nothing here, and the
// per-user profile directories the defaults point into are private already.
func insecureReason(fs.FileInfo, fs.FileMode, string) string { return "" }

// checkParents checks nothing: ACLs, not mode bits, guard directories here.
func checkParents(string, safeDirs) error { return nil }

// mayCreateIn allows any parent the OS lets us write.
func mayCreateIn(fs.FileInfo) error { return nil }

// syncDir does nothing: directories cannot be opened for syncing here.
func syncDir(string) error { return nil }

// owner is unknown here.
func owner(fs.FileInfo) (int, bool) { return 0, false }
