package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// staleTemp is the age past which a temporary file belongs to no running Put.
const staleTemp = time.Minute

// Listed is an entry found by List, with the id it is stored under.
type Listed struct {
	ID    string
	Entry Entry
}

// List returns every entry that opens with the current key, expired or not,
// in file name order.
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
	aead, err := s.cipher()
	if err != nil {
		return nil, 0, err
	}
	for _, id := range names {
		blob, ok := readSmall(filepath.Join(s.dir, id))
		if !ok {
			unreadable++
			continue
		}
		e, ok := open(aead, id, blob)
		if !ok {
			unreadable++
			continue
		}
		listed = append(listed, Listed{ID: id, Entry: *e})
	}
	return listed, unreadable, nil
}

// entryNames returns the names of the entry files in the cache directory.
func (s *Store) entryNames() ([]string, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list cache directory: %w", err)
	}
	var names []string
	for _, de := range des {
		if validID(de.Name()) && de.Type().IsRegular() {
			names = append(names, de.Name())
		}
	}
	return names, nil
}

// Clear removes every entry file, and the temporary and lock files that no
// running process is using; removed counts the entries.
func (s *Store) Clear() (removed int, err error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, fmt.Errorf("clear cache directory: %w", err)
	}
	var errs []error
	for _, de := range des {
		name := de.Name()
		path := filepath.Join(s.dir, name)
		switch {
		case validID(name) && de.Type().IsRegular():
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
				continue
			}
			removed++
		case isTemp(name) && de.Type().IsRegular():
			if fi, err := de.Info(); err == nil && time.Since(fi.ModTime()) > staleTemp {
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
			}
		case isLock(name) && de.Type().IsRegular():
			// Best effort: a held lock stays, and so does one this OS
			// cannot remove while it is open.
			_, _ = removeUnlocked(path)
		}
	}
	if len(errs) > 0 {
		return removed, fmt.Errorf("clear cache directory: %w", errors.Join(errs...))
	}
	return removed, nil
}

// isLock reports whether name is an entry's lock or the key lock.
func isLock(name string) bool {
	return name == keyLockName || (strings.HasSuffix(name, lockSuffix) && validID(strings.TrimSuffix(name, lockSuffix)))
}
