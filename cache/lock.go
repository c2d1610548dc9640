package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
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
	k, err := s.keys(true)
	if err != nil {
		return nil, err
	}
	return s.lockFile(ctx, k.name(id)+lockSuffix, onWait)
}

// lockFile takes an exclusive lock on the file name in the directory,
// creating it 0600. The file is opened without following a link and
// without blocking on a FIFO, and must be a regular file: a name planted
// by someone else is refused, never chmod-ed or written through. Because
// Clear removes lock files (while holding them), a lock taken on a file
// that has since been unlinked protects nothing: it is dropped and taken
// again.
func (s *Store) lockFile(ctx context.Context, name string, onWait func()) (func(), error) {
	path := filepath.Join(s.dir, name)
	waited := false
	for {
		f, err := s.openLock(name, true)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			if fi, cur := s.current(f, name); cur {
				// Created under the umask; say what we mean.
				if fi.Mode().Perm() != 0o600 {
					_ = f.Chmod(0o600)
				}
				return func() { unlock(f) }, nil
			}
			unlock(f)
			continue
		}
		f.Close()
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

// openLock opens the lock file name, creating it when create says so, and
// checks that it is a regular file.
func (s *Store) openLock(name string, create bool) (*os.File, error) {
	flag := os.O_RDWR | openFlags
	if create {
		flag |= os.O_CREATE
	}
	f, err := s.root.OpenFile(name, flag, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// current reports whether the locked file f is still the one named name,
// with its FileInfo.
func (s *Store) current(f *os.File, name string) (os.FileInfo, bool) {
	held, err := f.Stat()
	if err != nil {
		return nil, false
	}
	named, err := s.root.Lstat(name)
	if err != nil {
		return nil, false
	}
	return held, os.SameFile(held, named)
}

// removeUnlocked removes the lock file name if nobody holds it, taking the
// lock first so that no one can take it between the check and the removal.
func (s *Store) removeUnlocked(name string) (bool, error) {
	f, err := s.openLock(name, false)
	if err != nil {
		return false, err
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		return false, err
	}
	defer unlock(f)
	if _, cur := s.current(f, name); !cur {
		return false, nil
	}
	if err := s.root.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	return true, nil
}
