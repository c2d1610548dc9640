package cache

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keyFileName is the key file's name under the key directory.
const keyFileName = "cache.key"

// fileStore keeps the key as 32 raw bytes in a 0600 file under a private
// directory, separate from the entries it protects. The directory is held
// by handle, like the cache directory, and the file is opened without
// following links.
type fileStore struct {
	dir      string
	cacheDir string   // the entries' directory, which must not hold the key
	safe     safeDirs // the Store's directories checked already
}

func (f *fileStore) path() string { return filepath.Join(f.dir, keyFileName) }

func (f *fileStore) name() string { return "file " + f.path() }

// spec: the key directory may hold the user's other files, so
// reading is allowed; writing is not, or others could put a key of their
// choosing there.
func (f *fileStore) spec(create bool) dirSpec {
	return dirSpec{what: "key directory", mask: 0o022, loose: "writable by group or others", chmod: "go-w", create: create, safe: f.safe}
}

func (f *fileStore) load() ([]byte, error) {
	if err := f.checkApart(); err != nil {
		return nil, err
	}
	root, err := openDir(f.dir, f.spec(false))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoKey
	}
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return f.read(root)
}

// read reads the key file in root: a regular file of the user's, private.
// Its error paths are functions of their own, so that its frame stays
// small: a warm launch reads the key at the deepest point of its stack.
func (f *fileStore) read(root *os.Root) ([]byte, error) {
	file, err := root.OpenFile(keyFileName, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, f.openError(root, err)
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if err := f.checkFile(fi); err != nil {
		return nil, err
	}
	// One byte more than a key, so a longer file shows.
	var buf [keySize + 1]byte
	defer clear(buf[:])
	n, err := io.ReadFull(file, buf[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if n != keySize {
		return nil, errNoKey // left by a crash of an older writer: replace it
	}
	return bytes.Clone(buf[:n]), nil
}

// openError is read's error for a key file that did not open.
func (f *fileStore) openError(root *os.Root, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return errNoKey
	}
	if fi, lerr := root.Lstat(keyFileName); lerr == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("key file %s is not a regular file", f.path()) // a link out of the directory
	}
	return fmt.Errorf("key file: %w", err)
}

// checkFile refuses a key file (fi, by its handle) that is not a regular
// file of the user's, private.
func (f *fileStore) checkFile(fi fs.FileInfo) error {
	path := f.path()
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("key file %s is not a regular file", path)
	}
	if reason := insecureReason(fi, 0o077, "accessible to group or others"); reason != "" {
		hint := "chmod 600 " + path
		if uid, ok := owner(fi); ok && uid != effectiveUID() {
			hint = "it is another user's: remove it (rm " + path + ") or set XDG_CONFIG_HOME to a directory of your own"
		}
		return &InsecureDirError{Dir: path, What: "key file", Reason: reason, hint: hint}
	}
	return nil
}

// save writes the key to a temporary file and links it into place, so a
// reader never sees part of a key and a key another process linked first wins.
func (f *fileStore) save(key []byte) (_ []byte, err error) {
	path := f.path()
	if err := f.checkApart(); err != nil {
		return nil, err
	}
	root, err := openDir(f.dir, f.spec(true))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	tmpName := "." + keyFileName + "-" + hex.EncodeToString(b[:])
	tmp, err := root.OpenFile(tmpName, os.O_RDWR|os.O_CREATE|os.O_EXCL|openFlags, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	defer root.Remove(tmpName)
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

	err = root.Link(tmpName, keyFileName)
	if errors.Is(err, fs.ErrExist) {
		existing, lerr := f.read(root)
		if lerr == nil {
			return existing, nil
		}
		if !errors.Is(lerr, errNoKey) {
			return nil, lerr
		}
		err = root.Rename(tmpName, keyFileName) // the existing file is no key
	} else if err != nil {
		// No hard links here (some network and FAT file systems).
		if _, serr := root.Lstat(keyFileName); errors.Is(serr, fs.ErrNotExist) {
			err = root.Rename(tmpName, keyFileName)
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
