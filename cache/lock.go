package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockPoll is how often a waiting Lock tries again.
const lockPoll = 20 * time.Millisecond

// Lock takes the advisory lock of entry id, waiting until ctx is done; onWait,
// if not nil, is called once when the lock is not free at once. The returned
// function releases the lock. A lock whose holder died is free.
func (s *Store) Lock(ctx context.Context, id string, onWait func()) (unlock func(), err error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	return lockFile(ctx, filepath.Join(s.dir, id+lockSuffix), onWait)
}

// lockFile takes an exclusive flock on path, creating it 0600. Because Clear
// removes lock files (while holding them), a lock taken on a file that has
// since been unlinked protects nothing: it is dropped and taken again.
func lockFile(ctx context.Context, path string, onWait func()) (func(), error) {
	waited := false
	for {
		fl := flock.New(path, flock.SetPermissions(0o600))
		ok, err := fl.TryLock()
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			if current(fl, path) {
				// Created under the umask; say what we mean.
				_ = os.Chmod(path, 0o600)
				return func() { fl.Unlock() }, nil
			}
			fl.Unlock()
			continue
		}
		if !waited && onWait != nil {
			onWait()
		}
		waited = true
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("wait for lock %s: %w", path, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// current reports whether the locked file is still the one named path.
func current(fl *flock.Flock, path string) bool {
	held, err := fl.Stat()
	if err != nil {
		return false
	}
	named, err := os.Stat(path)
	if err != nil {
		return false
	}
	return os.SameFile(held, named)
}

// removeUnlocked removes the lock file path if nobody holds it, taking the
// lock first so that no one can take it between the check and the removal.
func removeUnlocked(path string) (bool, error) {
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil || !ok {
		return false, err
	}
	defer fl.Unlock()
	if !current(fl, path) {
		return false, nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	return true, nil
}
