//go:build !unix

package cli

// closeOnExec does nothing where the launcher hands over no lock.
func closeOnExec(int) {}
