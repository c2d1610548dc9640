package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keyFileName is the key file's name under the key directory.
const keyFileName = "cache.key"

// fileStore keeps the key as 32 raw bytes in a 0600 file under a private
// directory, separate from the entries it protects.
type fileStore struct {
	dir      string
	cacheDir string // the entries' directory, which must not hold the key
}

func (f *fileStore) path() string { return filepath.Join(f.dir, keyFileName) }

func (f *fileStore) name() string { return "file " + f.path() }

func (f *fileStore) load() ([]byte, error) {
	path := f.path()
	if err := f.checkApart(); err != nil {
		return nil, err
	}
	if err := checkKeyDir(f.dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errNoKey
		}
		return nil, err
	}
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	if reason := insecureReason(fi, 0o077, "accessible to group or others"); reason != "" {
		return nil, fmt.Errorf("key file %s is %s", path, reason)
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if !validKey(key) {
		return nil, errNoKey // left by a crash of an older writer: replace it
	}
	return key, nil
}

// save writes the key to a temporary file and links it into place, so a
// reader never sees part of a key and a key another process linked first wins.
func (f *fileStore) save(key []byte) (_ []byte, err error) {
	path := f.path()
	if err := f.checkApart(); err != nil {
		return nil, err
	}
	if err := makeKeyDir(f.dir); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(f.dir, "."+keyFileName+"-*")
	if err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(key)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}

	err = os.Link(tmp.Name(), path)
	if errors.Is(err, fs.ErrExist) {
		existing, lerr := f.load()
		if lerr == nil {
			return existing, nil
		}
		if !errors.Is(lerr, errNoKey) {
			return nil, lerr
		}
		err = os.Rename(tmp.Name(), path) // the existing file is no key
	} else if err != nil {
		// No hard links here (some network and FAT file systems).
		if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
			err = os.Rename(tmp.Name(), path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	_ = syncDir(f.dir)
	return key, nil
}

// checkApart refuses a key directory in the cache directory, where the key
// would sit beside the entries it protects.
func (f *fileStore) checkApart() error {
	rel, err := filepath.Rel(f.cacheDir, f.dir)
	if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("key directory %s is inside the cache directory %s", f.dir, f.cacheDir)
	}
	return nil
}

// makeKeyDir creates the key directory as 0700 when it is missing, and
// checks it.
func makeKeyDir(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create key directory: %w", err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("create key directory: %w", err)
		}
	}
	return checkKeyDir(dir)
}

// checkKeyDir refuses a key directory that others could put a key of their
// choosing into. It may hold the user's other files, so reading is allowed.
func checkKeyDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("key directory: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("key directory %s is not a directory", dir)
	}
	if reason := insecureReason(fi, 0o022, "writable by group or others"); reason != "" {
		return fmt.Errorf("key directory %s is %s", dir, reason)
	}
	return nil
}
