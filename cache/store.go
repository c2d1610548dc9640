package cache

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configures a Store; the zero value means the XDG defaults.
type Options struct {
	// Dir holds the entries; default filepath.Join(xdg.CacheHome, "awsrun"), read as adrg/xdg
	// reads it (basedir_unix.go).
	Dir string
	// KeyDir holds cache.key when no keyring answers; default
	// filepath.Join(xdg.ConfigHome, "awsrun").
	KeyDir string
	// KeyStore is "" or "auto" (keyring, then keyctl, then file), or one of
	// "keyring", "keyctl" or "file" to use only that store.
	KeyStore string
	// Timeout is how long a keyring may take before it counts as absent;
	// default 500ms.
	Timeout time.Duration
	// Now tells the time for expiry checks; default time.Now.
	Now func() time.Time
	// Keyring is the OS keyring (macOS Keychain, Secret Service, Windows
	// Credential Manager), first in auto mode; nil leaves it out. Package
	// cache/oskeyring has the real one. Its Linux client links the network
	// stack, which a program that must start fast may not want to pay for.
	Keyring Keyring
	// FindKeyOnly never makes a key: with no key found, every Get is a miss.
	// A program that leaves out Keyring must set it, or it could make a
	// second key beside the one in the OS keyring.
	FindKeyOnly bool
	// NoCreate opens an existing directory only: a missing one is an error
	// wrapping fs.ErrNotExist. For readers such as --list, which must leave
	// a fresh machine as they found it.
	NoCreate bool
	// Getenv reads the variables the default directories come from
	// (HOME, XDG_CACHE_HOME, XDG_CONFIG_HOME) on Linux and the BSDs;
	// default os.Getenv. The launcher passes the environment it already
	// indexed: the first os.Getenv of a process copies the whole
	// environment into a map of its own.
	Getenv func(string) string
	// Warn, if set, is told what a person should know about the key: that
	// a new one replaced a lost one, or that it went to a file because the
	// kernel keyring is blocked.
	Warn func(msg string)

	keyLabel string // the key's name in the keyrings; tests set their own
}

// Keyring is an OS keyring: one secret per service and user.
type Keyring interface {
	// Get returns the secret, or an error wrapping ErrNoSecret when there
	// is none.
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
}

// ErrNoSecret is a keyring's answer for a secret it does not hold.
var ErrNoSecret = errors.New("no such secret in the keyring")

// Store is an encrypted directory of entries; it is safe for concurrent use.
type Store struct {
	dir      string
	root     *os.Root // dir, held open: every file operation goes through it
	safe     safeDirs // directories above dir (and the key directory) checked at Open
	keyDir   string
	keyStore string
	timeout  time.Duration
	now      func() time.Time
	keyring  Keyring
	findOnly bool
	warn     func(string)
	keyLabel string

	mu   sync.Mutex
	k    *keys  // nil until the key is loaded
	desc string // the key store in use, as KeyStore reports it

	// hook, when set by tests, runs before each step of Put ("create",
	// "write", "sync", "close", "rename") and fails the step with its error.
	hook func(step string) error
}

const (
	// DefaultTimeout is how long a keyring may take when Options.Timeout is 0.
	DefaultTimeout = 500 * time.Millisecond

	// maxFileSize bounds what Get reads; entries are small JSON documents.
	maxFileSize = 64 << 10

	idLen      = 64 // lowercase hex SHA-256
	tempPrefix = ".tmp-"
	lockSuffix = ".lock"
)

// Open returns a Store on o.Dir, creating the directory (0700) if needed and
// refusing one that belongs to another user or that group or others may
// access; it does not load the key.
func Open(o Options) (*Store, error) {
	if err := CheckKeyStore(o.KeyStore); err != nil {
		return nil, err
	}
	if o.KeyStore == "keyring" && o.Keyring == nil {
		return nil, &noKeyringError{}
	}
	s := &Store{
		dir:      o.Dir,
		keyDir:   o.KeyDir,
		keyStore: o.KeyStore,
		timeout:  o.Timeout,
		now:      o.Now,
		keyring:  o.Keyring,
		findOnly: o.FindKeyOnly,
		warn:     o.Warn,
		keyLabel: o.keyLabel,
		safe:     safeDirs{},
	}
	if s.dir == "" {
		s.dir = filepath.Join(cacheHome(o.Getenv), "awsrun")
	}
	if s.keyDir == "" {
		s.keyDir = filepath.Join(configHome(o.Getenv), "awsrun")
	}
	if s.keyStore == "" {
		s.keyStore = "auto"
	}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if s.dir, err = filepath.Abs(s.dir); err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", o.Dir, err)
	}
	if s.keyDir, err = filepath.Abs(s.keyDir); err != nil {
		return nil, fmt.Errorf("key directory %s: %w", o.KeyDir, err)
	}
	if s.root, err = openDir(s.dir, dirSpec{what: "cache directory", mask: 0o077, loose: "accessible to group or others", chmod: "700", create: !o.NoCreate, safe: s.safe}); err != nil {
		return nil, err
	}
	return s, nil
}

// KeyStoreError is a key store name awsrun does not know.
type KeyStoreError struct{ Name string }

func (e *KeyStoreError) Error() string {
	return fmt.Sprintf("unknown key store %q in AWSRUN_KEY_STORE (want auto, keyring, keyctl or file)", e.Name)
}

// Hint says how to fix it.
func (e *KeyStoreError) Hint() string {
	return "set AWSRUN_KEY_STORE to auto, keyring, keyctl or file, or unset it for auto"
}

// noKeyringError is AWSRUN_KEY_STORE=keyring in a program built without
// an OS keyring client.
type noKeyringError struct{}

func (*noKeyringError) Error() string {
	return "key store keyring asked for (AWSRUN_KEY_STORE), but this program has no OS keyring client"
}

// Hint says how to fix it.
func (*noKeyringError) Hint() string {
	return "set AWSRUN_KEY_STORE to auto, keyctl or file, or unset it for auto"
}

// CheckKeyStore refuses a KeyStore value Open would refuse; programs call
// it first so that a typo is an error, not a run without the cache.
func CheckKeyStore(name string) error {
	switch name {
	case "", "auto", "keyring", "keyctl", "file":
		return nil
	}
	return &KeyStoreError{Name: name}
}

// DefaultDir is the cache directory when Options.Dir is empty.
func DefaultDir() string { return filepath.Join(cacheHome(nil), "awsrun") }

// Close releases the directory handle; the Store is unusable afterwards.
func (s *Store) Close() error { return s.root.Close() }

// Dir returns the absolute path of the cache directory.
func (s *Store) Dir() string { return s.dir }

// Path returns the path of the file that holds (or would hold) entry id:
// a keyed hash of id in the directory. It loads the key, making it if
// needed.
func (s *Store) Path(id string) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	k, err := s.keys(true)
	if err != nil {
		return "", err
	}
	return filepath.Join(s.dir, k.name(id)), nil
}

// validID reports whether id is a lowercase hex SHA-256.
func validID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func checkID(id string) error {
	if !validID(id) {
		return fmt.Errorf("cache entry id %q is not a lowercase hex SHA-256", id)
	}
	return nil
}

// Get returns the entry stored under id when it opens with the current key
// and expires more than margin from now; anything else is a miss.
func (s *Store) Get(id string, margin time.Duration) (*Entry, bool) {
	if !validID(id) {
		return nil, false
	}
	k, err := s.keys(false) // a read never makes a key
	if err != nil {
		return nil, false
	}
	name := k.name(id)
	blob, ok := s.readSmall(name)
	if !ok {
		return nil, false
	}
	got, e, ok := open(k.aead, name, blob)
	if !ok || got != id || !s.now().Add(margin).Before(e.Expires) {
		return nil, false
	}
	return e, true
}

// readSmall reads a regular file of at most maxFileSize bytes in the
// directory; a link, FIFO or device at the name is a miss, never a wait.
func (s *Store) readSmall(name string) ([]byte, bool) {
	f, err := s.root.OpenFile(name, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() > maxFileSize {
		return nil, false
	}
	// One byte more than the size so a file that grew since Stat shows up.
	// A regular file's first read returns it whole: one system call, where
	// reading on to the end of the file took two (--list reads thousands).
	buf := make([]byte, fi.Size()+1)
	n, err := io.ReadAtLeast(f, buf, int(fi.Size()))
	if err != nil || int64(n) != fi.Size() {
		return nil, false
	}
	return buf[:n], true
}

// Put stores e under id, replacing any earlier entry atomically.
func (s *Store) Put(id string, e *Entry) error {
	if err := checkID(id); err != nil {
		return err
	}
	if e == nil {
		return errors.New("cache: Put of a nil entry")
	}
	plain, err := e.marshal()
	if err != nil {
		return err
	}
	k, err := s.keys(true)
	if err != nil {
		return err
	}
	name := k.name(id)
	blob, err := seal(k.aead, name, id, plain, rand.Reader)
	if err != nil {
		return err
	}
	return s.writeAtomic(name, blob, !e.Kind.Rebuildable() && !e.Rebuildable)
}

// writeAtomic replaces dir/name with data (see writeFile), the failure
// naming the entry's path.
func (s *Store) writeAtomic(name string, data []byte, durable bool) error {
	if err := writeFile(s.root, name, data, durable, s.step); err != nil {
		return fmt.Errorf("write cache entry %s: %w", filepath.Join(s.dir, name), err)
	}
	return nil
}

// WritePrivateFile replaces name in root with data, 0600, synced: what
// the key store writes in its own private directory, as the cache writes
// an entry.
func WritePrivateFile(root *os.Root, name string, data []byte) error {
	return writeFile(root, name, data, true, nil)
}

// writeFile replaces name in root with data through a temporary file made
// exclusively (never through a link), 0600, renamed into place — synced
// first when durable — and removes that file on any failure. step, when
// not nil, runs before each step ("create", "write", "sync", "close",
// "rename"): tests make it fail.
func writeFile(root *os.Root, name string, data []byte, durable bool, step func(string) error) (err error) {
	if step == nil {
		step = func(string) error { return nil }
	}
	if err := step("create"); err != nil {
		return err
	}
	f, tmp, err := createTemp(root)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			root.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if err := step("write"); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if durable {
		if err := step("sync"); err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if err := step("close"); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := step("rename"); err != nil {
		return err
	}
	// A durable file's content is synced before the rename, so no crash
	// can leave it torn under the name; a rebuildable cache entry
	// (Kind.Rebuildable) torn by a power cut fails to open, a miss, and is
	// made again. A kill loses nothing either way: the page cache outlives
	// the process. The directory is not synced after it: a rename lost to
	// a power cut leaves the old entry or none, both a miss, and the sync
	// would cost every cold launch a third of a millisecond per entry.
	return root.Rename(tmp, name)
}

// createTemp makes a new temporary file in root, 0600.
func createTemp(root *os.Root) (*os.File, string, error) {
	var b [8]byte
	for range 100 {
		if _, err := rand.Read(b[:]); err != nil {
			return nil, "", err
		}
		name := tempPrefix + hex.EncodeToString(b[:])
		f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|openFlags, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", errors.New("no free temporary file name")
}

func (s *Store) step(name string) error {
	if s.hook == nil {
		return nil
	}
	return s.hook(name)
}

// Delete removes the entry stored under id; a missing entry is not an error.
func (s *Store) Delete(id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	k, err := s.keys(false)
	if err != nil {
		return nil // no key, so no entry could be read: nothing to delete
	}
	name := k.name(id)
	if err := s.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete cache entry %s: %w", filepath.Join(s.dir, name), err)
	}
	return nil
}

// isTemp reports whether name is one of Put's temporary files.
func isTemp(name string) bool { return strings.HasPrefix(name, tempPrefix) }
