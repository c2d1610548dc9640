package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// listChunk is how many entries make another worker worth starting.
const listChunk = 256

// staleTemp is the age past which a temporary file belongs to no running Put.
const staleTemp = time.Minute

// Listed is an entry found by List, with the id it is stored under.
type Listed struct {
	ID    string
	Entry Entry
	// File is the name of the entry's file in the directory: a keyed
	// hash of ID.
	File string
}

// List returns every entry that opens with the current key, expired or not,
// in id order.
func (s *Store) List() ([]Listed, error) {
	listed, _, err := s.Inventory()
	return listed, err
}

// Inventory is List that also counts the entry files that do not open with
// the current key (written under a lost key, or damaged).
func (s *Store) Inventory() (listed []Listed, unreadable int, err error) {
	names, err := s.entryNames()
	if err != nil || len(names) == 0 {
		return nil, 0, err
	}
	k, err := s.keys(true)
	if err != nil {
		return nil, 0, err
	}
	files, err := s.entryReader()
	if err != nil {
		return nil, 0, fmt.Errorf("list cache directory: %w", err)
	}
	defer files.close()
	// Each entry is a file to read and a seal to open: with thousands of
	// them, one worker per CPU.
	found := make([]*Listed, len(names))
	notFile := make([]bool, len(names))
	workers := min(runtime.GOMAXPROCS(0), (len(names)+listChunk-1)/listChunk)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			name := k.namer()
			for i := w; i < len(names); i += workers {
				file := names[i]
				blob, ok := files.read(file)
				var id string
				var e *Entry
				if ok {
					id, e, ok = open(k.aead, file, blob)
				}
				if !ok || name(id) != file {
					// What is not a regular file (a FIFO, a link) is no
					// entry: not counted as one that does not open.
					fi, err := s.root.Lstat(file)
					notFile[i] = err != nil || !fi.Mode().IsRegular()
					continue
				}
				found[i] = &Listed{ID: id, Entry: *e, File: file}
			}
		})
	}
	wg.Wait()
	listed = make([]Listed, 0, len(names))
	for i, l := range found {
		if l == nil {
			if !notFile[i] {
				unreadable++
			}
			continue
		}
		listed = append(listed, *l)
	}
	slices.SortFunc(listed, func(a, b Listed) int { return strings.Compare(a.ID, b.ID) })
	return listed, unreadable, nil
}

// entryNames returns the names of the entry files in the cache directory,
// sorted. The names alone: a directory opened in an os.Root stats every
// entry for ReadDir, one system call per entry, and whoever opens an
// entry checks its type by its handle anyway (readSmall).
func (s *Store) entryNames() ([]string, error) {
	d, err := s.root.Open(".")
	if err == nil {
		var all []string
		all, err = d.Readdirnames(-1)
		d.Close()
		if err == nil {
			names := slices.DeleteFunc(all, func(n string) bool { return !validID(n) })
			slices.Sort(names)
			return names, nil
		}
	}
	return nil, fmt.Errorf("list cache directory: %w", err)
}

// Clear removes every entry file but the records of MFA codes already
// sent (KindMFACode), and the temporary and lock files that no running
// process is using; removed counts the entries. The code records stay:
// without them the next run could send a code again, which AWS refuses.
// Entries that do not open with the current key all go, records or not:
// no run can read them either.
func (s *Store) Clear() (removed int, err error) {
	k, err := s.keys(false)
	if err != nil {
		k = nil
	}
	return s.sweep("clear", func(name string, _ fs.FileInfo) bool {
		if k == nil {
			return true
		}
		blob, ok := s.readSmall(name)
		if !ok {
			return true
		}
		id, e, ok := open(k.aead, name, blob)
		return !ok || k.name(id) != name || e.Kind != KindMFACode
	})
}

// Prune removes what was written more than age ago — entries, and the
// unused lock files beside them — with stale temporary files. An entry
// older than the longest credentials can live is dead weight that --list
// would still decrypt; Prune reads no entry and needs no key.
func (s *Store) Prune(age time.Duration) (removed int, err error) {
	cutoff := s.now().Add(-age)
	return s.sweep("prune", func(_ string, fi fs.FileInfo) bool { return fi.ModTime().Before(cutoff) })
}

// pruneMark is the file whose time says when the cache was last pruned.
const pruneMark = ".pruned"

// PruneDaily runs Prune(age) at most once a day, so that frequent callers
// pay one stat for it.
func (s *Store) PruneDaily(age time.Duration) (removed int, err error) {
	if fi, err := s.root.Lstat(pruneMark); err == nil && s.now().Sub(fi.ModTime()) < 24*time.Hour {
		return 0, nil
	}
	if f, err := s.root.OpenFile(pruneMark, os.O_CREATE|os.O_WRONLY|openFlags, 0o600); err == nil {
		fi, err := f.Stat()
		f.Close()
		if err == nil && fi.Mode().IsRegular() {
			now := s.now()
			_ = s.root.Chtimes(pruneMark, now, now)
		}
	}
	return s.Prune(age)
}

// sweep removes the entry files that dead accepts, the stale temporary
// files, and the lock files dead accepts that no process holds. dead is
// given the entry's file name (for a lock, the name of the entry it locks).
func (s *Store) sweep(verb string, dead func(entry string, fi fs.FileInfo) bool) (removed int, err error) {
	des, err := s.readDir()
	if err != nil {
		return 0, fmt.Errorf("%s cache directory: %w", verb, err)
	}
	var errs []error
	for _, de := range des {
		name := de.Name()
		if !de.Type().IsRegular() {
			continue
		}
		fi, err := s.root.Lstat(name)
		if err != nil || !fi.Mode().IsRegular() {
			continue // gone meanwhile
		}
		switch {
		case validID(name) && dead(name, fi):
			if err := s.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
				continue
			}
			removed++
		case isTemp(name) && time.Since(fi.ModTime()) > staleTemp:
			if err := s.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		case isLock(name) && dead(strings.TrimSuffix(name, lockSuffix), fi):
			// Best effort: a held lock stays, and so does one this OS
			// cannot remove while it is open.
			_, _ = s.removeUnlocked(name)
		}
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("%s cache directory: %w", verb, errors.Join(errs...))
	}
	return removed, nil
}

// readDir lists the directory through its handle.
func (s *Store) readDir() ([]fs.DirEntry, error) {
	d, err := s.root.Open(".")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	des, err := d.ReadDir(-1)
	slices.SortFunc(des, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return des, err
}

// isLock reports whether name is an entry's lock or the key lock.
func isLock(name string) bool {
	return name == keyLockName || (strings.HasSuffix(name, lockSuffix) && validID(strings.TrimSuffix(name, lockSuffix)))
}
