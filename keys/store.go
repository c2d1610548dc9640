package keys

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/adrg/xdg"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/warm"
)

// Entry is one profile's long-term access key.
type Entry struct {
	Profile         string    `json:"profile"`
	AccessKeyID     string    `json:"access_key_id"`
	SecretAccessKey string    `json:"secret_access_key"`
	Created         time.Time `json:"created"`
}

// String names the entry without its secret, for messages, its key id
// masked as -v masks every key id.
func (e Entry) String() string { return e.Profile + " " + warm.MaskKeyID(e.AccessKeyID) }

// GoString keeps the secret out of %#v.
func (e Entry) GoString() string { return "keys.Entry{" + e.String() + "}" }

// Kinds of store.
const (
	KindKeyring = "keyring"
	KindFile    = "file"
)

// Error is a store that cannot be used as things are, with the fix.
type Error struct {
	Profile string // "" when the store itself is at fault
	Err     error
	Fix     string
}

func (e *Error) Error() string {
	if e.Profile != "" {
		return "profile " + e.Profile + ": " + e.Err.Error()
	}
	return e.Err.Error()
}
func (e *Error) Unwrap() error { return e.Err }

// forProfile names profile in a store error that names none: the store
// is reached for one profile's key, which the error then says. Other
// errors are returned as they are.
func forProfile(err error, profile string) error {
	var e *Error
	if profile == "" || !errors.As(err, &e) || e.Profile != "" {
		return err
	}
	named := *e
	named.Profile = profile
	return &named
}

// Hint says what to do about it.
func (e *Error) Hint() string { return e.Fix }

// Options say where the store is and how to reach the user.
type Options struct {
	// Getenv reads AWSRUN_KEYS_STORE and AWSRUN_KEYS_PASSPHRASE; nil: os.Getenv.
	Getenv func(string) string
	// Dir holds keys.age; default $XDG_DATA_HOME/awsrun.
	Dir string
	// Keyring is the OS keyring; nil: no keyring, the file store only.
	Keyring Keyring
	// Timeout is how long the keyring may take before it counts as
	// absent; default 3s.
	Timeout time.Duration
	// Passphrase asks the user for the file's passphrase; confirm asks
	// twice, for a new file. Nil: the terminal.
	Passphrase func(prompt string, confirm bool) (string, error)
	// WorkFactor is the scrypt work factor (log2 N) of files written;
	// 0: age's default. Tests lower it.
	WorkFactor int
}

// Store is the key store. Open it with Open; it is not safe for
// concurrent use by several goroutines.
type Store struct {
	o     Options
	force string // "", keyring or file
	file  *fileStore
	kr    *keyringStore
}

// Open prepares the store; nothing is read before the first call.
func Open(o Options) (*Store, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(xdg.DataHome, "awsrun")
	}
	if o.Timeout == 0 {
		o.Timeout = 3 * time.Second
	}
	if o.Passphrase == nil {
		o.Passphrase = TerminalPassphrase
	}
	s := &Store{o: o}
	switch v := o.Getenv("AWSRUN_KEYS_STORE"); v {
	case "", "auto":
	case KindKeyring, KindFile:
		s.force = v
	default:
		return nil, &Error{Err: fmt.Errorf("AWSRUN_KEYS_STORE=%q is not a key store", v),
			Fix: "set AWSRUN_KEYS_STORE to keyring or file, or unset it"}
	}
	if s.force == KindKeyring && o.Keyring == nil {
		return nil, &Error{Err: errors.New("AWSRUN_KEYS_STORE=keyring, but this build has no keyring client"),
			Fix: "unset AWSRUN_KEYS_STORE to use the passphrase-encrypted file"}
	}
	s.file = &fileStore{dir: o.Dir, o: &s.o}
	if o.Keyring != nil {
		s.kr = &keyringStore{keyring: o.Keyring, timeout: o.Timeout}
	}
	return s, nil
}

// backend is where entries are read and written: the forced store; else
// the file once it exists (the user's keys are there); else the keyring
// when it answers; else the file.
func (s *Store) backend() (backend, error) {
	switch s.force {
	case KindFile:
		return s.file, nil
	case KindKeyring:
		return s.kr, s.kr.check()
	}
	if s.file.exists() || s.kr == nil {
		return s.file, nil
	}
	if err := s.kr.check(); err != nil {
		if errors.Is(err, errNoKeyring) {
			return s.file, nil
		}
		return nil, &Error{Err: fmt.Errorf("the OS keyring: %w", err),
			Fix: "unlock the keyring (or start its service) and try again, or set AWSRUN_KEYS_STORE=file"}
	}
	return s.kr, nil
}

// backend is one place entries live.
type backend interface {
	name() string
	get(profile string) (Entry, bool, error)
	put(e Entry) error
	remove(profile string) (bool, error)
	list() ([]Entry, error)
}

// Name says where entries are kept: "keyring" or "file PATH".
func (s *Store) Name() string {
	b, err := s.backend()
	if err != nil {
		return KindKeyring + " (not answering)"
	}
	return b.name()
}

// Kind is KindKeyring or KindFile.
func (s *Store) Kind() string {
	if b, err := s.backend(); err == nil && b == backend(s.kr) {
		return KindKeyring
	}
	return KindFile
}

// markerName is an empty file beside where keys.age would be, written
// when the keyring first takes a key: without it or keys.age (or
// AWSRUN_KEYS_STORE), no key was ever stored on this machine, and a run
// asks no keyring — which could mean an unlock dialog — for nothing.
const markerName = "keys-in-keyring"

// InUse reports whether keys may have been stored: keys.age or the
// keyring marker exists, or AWSRUN_KEYS_STORE names a store.
func (s *Store) InUse() bool {
	if s.force != "" || s.file.exists() {
		return true
	}
	_, err := os.Lstat(filepath.Join(s.o.Dir, markerName))
	return err == nil
}

// NeedsPassphrase reports whether reading the store would ask for the
// passphrase now: the file store exists, AWSRUN_KEYS_PASSPHRASE is not
// set, and it was not asked yet.
func (s *Store) NeedsPassphrase() bool {
	if !s.InUse() {
		return false
	}
	b, err := s.backend()
	if err != nil || b != backend(s.file) || !s.file.exists() {
		return false
	}
	return s.file.doc == nil && s.file.passphrase == "" && s.o.Getenv("AWSRUN_KEYS_PASSPHRASE") == ""
}

// Get returns profile's entry; ok is false when the store has none.
// A store never used on this machine is not asked at all.
func (s *Store) Get(profile string) (e Entry, ok bool, err error) {
	defer func() { err = forProfile(err, profile) }()
	if !s.InUse() {
		return Entry{}, false, nil
	}
	b, err := s.backend()
	if err != nil {
		return Entry{}, false, err
	}
	if b == backend(s.file) && !s.file.exists() {
		return Entry{}, false, nil // no file, no entries: no passphrase asked
	}
	return b.get(profile)
}

// Put stores e, replacing the profile's entry.
func (s *Store) Put(e Entry) (err error) {
	defer func() { err = forProfile(err, e.Profile) }()
	if e.Profile == "" || e.AccessKeyID == "" || e.SecretAccessKey == "" {
		return &Error{Profile: e.Profile, Err: errors.New("a key store entry needs a profile, an access key id and a secret access key"),
			Fix: "awsrun --keys add -p PROFILE stores a key with both its id and its secret"}
	}
	if e.Created.IsZero() {
		e.Created = time.Now().UTC()
	}
	b, err := s.backend()
	if err != nil {
		return err
	}
	if b == backend(s.kr) {
		root, err := s.file.openDir(true)
		if err != nil {
			return s.file.dirFail(err)
		}
		err = cache.WritePrivateFile(root, markerName, nil)
		root.Close()
		if err != nil {
			return &Error{Err: fmt.Errorf("cannot write %s: %w", filepath.Join(s.o.Dir, markerName), err),
				Fix: "check that the directory is writable, or set AWSRUN_KEYS_STORE=file"}
		}
	}
	return b.put(e)
}

// Remove deletes profile's entry and reports whether there was one.
func (s *Store) Remove(profile string) (found bool, err error) {
	defer func() { err = forProfile(err, profile) }()
	if !s.InUse() {
		return false, nil
	}
	b, err := s.backend()
	if err != nil {
		return false, err
	}
	if b == backend(s.file) && !s.file.exists() {
		return false, nil
	}
	return b.remove(profile)
}

// List returns every entry, by profile name.
func (s *Store) List() ([]Entry, error) {
	if !s.InUse() {
		return nil, nil
	}
	b, err := s.backend()
	if err != nil {
		return nil, err
	}
	if b == backend(s.file) && !s.file.exists() {
		return nil, nil
	}
	es, err := b.list()
	sort.Slice(es, func(i, j int) bool { return es[i].Profile < es[j].Profile })
	return es, err
}
