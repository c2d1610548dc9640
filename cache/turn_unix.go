//go:build unix

package cache

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// WaitTurn waits, blocked on a shared flock, until nobody holds the lock of
// entry id, or ctx is done; onWait, if not nil, is called once the wait
// has lasted a second. It never creates the lock file: a missing one is
// free. The lock is released again before it returns.
func (s *Store) WaitTurn(ctx context.Context, id string, onWait func()) error {
	if err := checkID(id); err != nil {
		return err
	}
	k, err := s.keys(false)
	if err != nil {
		return err
	}
	f, err := s.openLock(k.name(id)+lockSuffix, false)
	if err != nil {
		return err
	}
	// The goroutine owns f: it closes it once flock returns, never while
	// flock may still be blocked on the descriptor (closed under it, the
	// number could be reused, and a retry after EINTR lock another file).
	done := make(chan error, 1)
	go func() {
		fd := int(f.Fd())
		for {
			err := unix.Flock(fd, unix.LOCK_SH)
			if err != unix.EINTR {
				f.Close() // releases the shared lock taken
				done <- err
				return
			}
		}
	}()
	notice := time.After(time.Second)
	for {
		select {
		case err := <-done:
			return err
		case <-notice:
			if onWait != nil {
				onWait()
			}
			notice = nil
		case <-ctx.Done():
			// The goroutine stays blocked until the lock is free, then
			// closes its file; or until the process exits or execs (Go
			// opens files close-on-exec, so no command inherits it).
			return fmt.Errorf("wait for lock: %w", context.Cause(ctx))
		}
	}
}

// AdoptTurn takes charge of descriptor fd, which a launcher says is the
// locked file of entry id (TakeTurn): when it is that very file it is made
// close-on-exec — the command awsrun runs, or mfa_process, must not hold
// it — and returned, to be closed once the entry is written. Anything else
// is left alone, open and inherited as it was.
func (s *Store) AdoptTurn(fd int, id string) (*os.File, bool) {
	if fd <= 2 || checkID(id) != nil {
		return nil, false
	}
	k, err := s.keys(false)
	if err != nil {
		return nil, false
	}
	var held unix.Stat_t
	if err := unix.Fstat(fd, &held); err != nil || held.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, false
	}
	fi, err := s.root.Lstat(k.name(id) + lockSuffix)
	if err != nil {
		return nil, false
	}
	named, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || uint64(named.Dev) != uint64(held.Dev) || named.Ino != held.Ino {
		return nil, false
	}
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), "cold turn"), true
}

// PassTurn lets f, a lock TakeTurn returned, survive the exec of
// awsrun-core, and returns the descriptor to name in TurnVar.
func PassTurn(f *os.File) (int, error) {
	fd := int(f.Fd())
	_, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
	return fd, err
}
