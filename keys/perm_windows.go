//go:build windows

package keys

// syncDir does nothing: directories cannot be opened for syncing here.
func syncDir(string) {}
