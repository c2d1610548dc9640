package cache

import "golang.org/x/sys/unix"

// joinSessionKeyring gives the process a new session keyring that does not
// link the user keyring, as in a container: the process then does not
// possess the user keyring or the keys in it.
func joinSessionKeyring(name string) error {
	_, err := unix.KeyctlJoinSessionKeyring(name)
	return err
}
