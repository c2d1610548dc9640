//go:build unix

package cli

import (
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// TestTakenTurnIsNotInherited guards the waiting launches against a lock
// that leaks into what awsrun-core runs: the descriptor the launcher handed
// over is close-on-exec once taken, even if awsrun-core never adopts it.
func TestTakenTurnIsNotInherited(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "turn")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd, err := unix.Dup(int(f.Fd())) // a dup is inheritable, as the launcher's is
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if got := TakeTurnFD([]string{TurnVar + "=" + strconv.Itoa(fd)}); got != fd {
		t.Fatalf("TakeTurnFD = %d, want %d", got, fd)
	}
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	if err != nil || flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("the turn's descriptor flags %#x, %v: want close-on-exec", flags, err)
	}
	if got := TakeTurnFD([]string{TurnVar + "=1"}); got != -1 {
		t.Errorf("TakeTurnFD of stdout = %d, want -1", got)
	}
}
