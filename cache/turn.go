package cache

import (
	"os"
)

// A cold turn is how parallel launches of one invocation share the work:
// the launcher that finds the invocation's warm index entry missing takes
// the lock of that entry (TakeTurn) and hands it, open, to awsrun-core,
// which holds it until the entry is written; the others wait on it
// (WaitTurn) — blocked in the kernel, not polling, and without starting
// awsrun-core — and read the entry again when it is released. The lock
// file is the entry's, named like every other by the keyed hash, so the
// launcher needs the key but not the SDK.

// TakeTurn takes the lock of entry id without waiting. It returns the
// locked file, to be closed to release it, or nil when another process
// holds it (busy) or the lock cannot be taken (err).
func (s *Store) TakeTurn(id string) (f *os.File, busy bool, err error) {
	if err := checkID(id); err != nil {
		return nil, false, err
	}
	k, err := s.keys(false)
	if err != nil {
		return nil, false, err
	}
	name := k.name(id) + lockSuffix
	f, err = s.openLock(name, true)
	if err != nil {
		return nil, false, err
	}
	ok, err := tryLock(f)
	if err != nil || !ok {
		f.Close()
		return nil, err == nil, err
	}
	if fi, cur := s.current(f, name); !cur {
		unlock(f)
		return nil, true, nil // Clear removed it under us: someone is at work
	} else if fi.Mode().Perm() != 0o600 {
		_ = f.Chmod(0o600)
	}
	return f, false, nil
}
