package testworld

import (
	"os"
	"os/user"
	"strconv"
	"testing"
)

// OtherUser is a second local user for the attacks that need one: nobody,
// when the test runs as root and can act as it. Otherwise the test is
// skipped, saying why.
func OtherUser(t *testing.T) (uid, gid int) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("acting as a second user needs root (CI and the sandbox run as root)")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody to act as the other user: %v", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid
}
