//go:build windows

package keys

import "io/fs"

// Windows keeps a user's profile directory private through ACLs; mode
// bits say nothing there.
func insecure(fs.FileInfo) bool      { return false }
func groupWritable(fs.FileInfo) bool { return false }
func syncDir(string)                 {}
