package cache

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

const (
	keySize = 32

	// keyLockTimeout bounds the wait for another process creating the key;
	// creation takes at most a few keyring timeouts.
	keyLockTimeout = 30 * time.Second
	keyLockName    = "key.lock"
)

// errNoKey is a key store that answered and holds no key for this cache.
var errNoKey = errors.New("no cache key")

// ErrNoKey is the error (wrapped) of a Store that finds no key and may not
// make one (FindKeyOnly): nothing has been cached yet, or the key is gone.
var ErrNoKey = errNoKey

// errUnanswered is a key store that did not answer in time: it may hold the
// key, so no other key may be made.
var errUnanswered = errors.New("no answer")

// mirrorLifetime is how long the kernel keyring keeps its copy of the OS
// keyring's key. The copy only saves the launcher a trip to awsrun-core:
// once it is gone, the next awsrun-core run copies the key again.
const mirrorLifetime = 12 * time.Hour

// keyctlFor makes the kernel keyring store of a key description; tests
// replace it to stand for a kernel keyring that a seccomp filter blocks.
var keyctlFor = newKeyctlStore

// keyStore is one place the key can live.
type keyStore interface {
	// name is what KeyStore reports: "keyring", "keyctl" or "file <path>".
	name() string
	// load returns the key, errNoKey when the store has none (or an unusable
	// one it may overwrite), or another error when the store does not work.
	load() ([]byte, error)
	// save stores key and returns the key now in the store, which is another
	// process's when it got there first.
	save(key []byte) ([]byte, error)
}

// KeyStore loads the key if needed (making it, unless FindKeyOnly) and
// names the store that holds it: "keyring", "keyctl" or "file <path>".
func (s *Store) KeyStore() (string, error) {
	if _, err := s.keys(true); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.desc, nil
}

// keys are the two keys derived from the cache key: one seals entries, the
// other names their files.
type keys struct {
	aead  cipher.AEAD
	names []byte
}

// deriveKeys derives the subkeys of the cache key with HKDF-SHA256, so the
// key that names files never touches the one that seals them.
func deriveKeys(master []byte) (*keys, error) {
	prk, err := hkdf.Extract(sha256.New, master, nil)
	if err != nil {
		return nil, fmt.Errorf("cache key: %w", err)
	}
	defer clear(prk)
	enc, err := hkdf.Expand(sha256.New, prk, "awsrun cache v2 entries", keySize)
	if err != nil {
		return nil, fmt.Errorf("cache key: %w", err)
	}
	names, err := hkdf.Expand(sha256.New, prk, "awsrun cache v2 file names", sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("cache key: %w", err)
	}
	block, err := aes.NewCipher(enc)
	clear(enc)
	if err != nil {
		return nil, fmt.Errorf("cache key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cache key: %w", err)
	}
	return &keys{aead: aead, names: names}, nil
}

// name is the file name of the entry id: an HMAC of the id, so that no one
// without the key can tell which device, role or profile a file is for by
// hashing guesses of them.
func (k *keys) name(id string) string { return k.namer()(id) }

// namer is name for many ids, on one goroutine: the HMAC's key is set up
// once, not for each id.
func (k *keys) namer() func(id string) string {
	m := hmac.New(sha256.New, k.names)
	return func(id string) string {
		m.Reset()
		m.Write([]byte(id))
		var sum [sha256.Size]byte
		var out [2 * sha256.Size]byte
		hex.Encode(out[:], m.Sum(sum[:0]))
		return string(out[:])
	}
}

// keys returns the store's keys, finding the cache key on first use and
// making it when create is true (and FindKeyOnly is not set).
func (s *Store) keys(create bool) (*keys, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.k != nil {
		return s.k, nil
	}
	key, desc, err := s.loadKey(create && !s.findOnly)
	if err != nil {
		return nil, err
	}
	k, err := deriveKeys(key)
	clear(key)
	if err != nil {
		return nil, err
	}
	s.k, s.desc = k, desc
	return k, nil
}

// keyName is the key's name in the OS and kernel keyrings. There is one
// key per user, whatever the cache directory: a key per directory was
// never removed, and users of many XDG_CACHE_HOMEs ran into the kernel's
// key quota.
func (s *Store) keyName() string {
	if s.keyLabel != "" {
		return s.keyLabel
	}
	return "cache-key"
}

// stores lists the key stores to try, in order.
func (s *Store) stores() []keyStore {
	name := s.keyName()
	kc := keyctlFor("awsrun:"+name, 0)
	f := &fileStore{dir: s.keyDir, cacheDir: s.dir, safe: s.safe}
	var kr keyStore
	if s.keyring != nil {
		kr = &keyringStore{keyring: s.keyring, user: name, timeout: s.timeout}
	}
	switch s.keyStore {
	case "keyring":
		return []keyStore{kr}
	case "keyctl":
		return []keyStore{kc}
	case "file":
		return []keyStore{f}
	}
	if kr == nil {
		return []keyStore{kc, f}
	}
	return []keyStore{kr, kc, f}
}

// mirror copies a key found in the OS keyring into the kernel keyring
// (Linux), where a program without a keyring client (the launcher) finds it
// in microseconds. The OS keyring stays the store of record; a failure only
// costs such a program its fast path.
//
// The copy lives mirrorLifetime, and only the user's processes can read
// it; see the README for what that does and does not keep out.
func (s *Store) mirror(key []byte) {
	if s.keyStore != "auto" {
		return
	}
	if mirrorToFile {
		s.mirrorFile(key)
		return
	}
	ks := keyctlFor("awsrun:"+s.keyName(), mirrorLifetime)
	if k, err := ks.load(); err == nil && string(k) == string(key) {
		return
	}
	_, _ = ks.save(key)
}

// mirrorToFile (a variable for tests): macOS has no kernel keyring, and its Keychain is read by
// running /usr/bin/security — a process spawn on every launch. There the
// key found in the Keychain is copied into the key file (0600, in the
// private key directory), where the launcher, which has no Keychain
// client, finds it; the README says what that gives away.
var mirrorToFile = runtime.GOOS == "darwin"

// mirrorFile writes key into the key file, replacing another key there:
// the Keychain is the store of record.
func (s *Store) mirrorFile(key []byte) {
	f := &fileStore{dir: s.keyDir, cacheDir: s.dir, safe: s.safe}
	k, err := f.load()
	if err == nil && string(k) == string(key) {
		return
	}
	if err == nil || errors.Is(err, errNoKey) {
		if k != nil {
			if root, err := openDir(f.dir, f.spec(false)); err == nil {
				_ = root.Remove(keyFileName)
				root.Close()
			}
		}
		_, _ = f.save(key)
	}
}

// loadKey finds the key in the first store that has one; when none has, it
// makes one under the key lock and saves it in the first store that takes it.
//
// The making is a function of its own: it is not a warm launch's work,
// and its frame here grew the launcher's stack on every launch.
func (s *Store) loadKey(create bool) (key []byte, desc string, err error) {
	stores := s.stores()
	broken := make([]error, len(stores)) // a store that failed is not asked again
	if k, d, ok := findKey(stores, broken); ok {
		if d == "keyring" {
			s.mirror(k)
		}
		return k, d, nil
	}
	if !create {
		return nil, "", noKeyError(broken)
	}
	return s.makeKey(stores, broken)
}

// findKey returns the key of the first of stores that holds one, and
// notes in broken the stores that failed, which it does not ask again.
func findKey(stores []keyStore, broken []error) ([]byte, string, bool) {
	for i, ks := range stores {
		if broken[i] != nil {
			continue
		}
		k, err := ks.load()
		if err == nil {
			return k, ks.name(), true
		}
		if !errors.Is(err, errNoKey) {
			broken[i] = fmt.Errorf("%s: %w", ks.name(), err)
		}
	}
	return nil, "", false
}

// noKeyError is loadKey's error when no store holds a key and none may be
// made.
func noKeyError(broken []error) error {
	return fmt.Errorf("no cache key found: %w", errors.Join(append(broken, errNoKey)...))
}

// makeKey makes the key under the key lock and saves it in the first of
// stores that takes it, unless another process made one meanwhile.
func (s *Store) makeKey(stores []keyStore, broken []error) (key []byte, desc string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), keyLockTimeout)
	defer cancel()
	unlock, err := s.lockFile(ctx, keyLockName, nil)
	if err != nil {
		return nil, "", fmt.Errorf("create cache key: %w", err)
	}
	defer unlock()

	// Another process may have made the key while we waited.
	if k, d, ok := findKey(stores, broken); ok {
		return k, d, nil
	}
	// A store that did not answer may hold the key, and one refused for
	// its permissions does: a second key would make what is sealed under
	// the first unreadable once it answers, or once it is fixed.
	for i, err := range broken {
		var insecure *InsecureDirError
		switch {
		case errors.Is(err, errUnanswered):
			return nil, "", fmt.Errorf("%s did not answer, and may hold the cache key: not making another (%w)", stores[i].name(), err)
		case errors.As(err, &insecure):
			return nil, "", err
		}
	}

	key = make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, "", fmt.Errorf("create cache key: %w", err)
	}
	for i, ks := range stores {
		if broken[i] != nil {
			continue
		}
		k, err := ks.save(key)
		if err == nil {
			if ks.name() == "keyring" {
				s.mirror(k)
			}
			s.warnNewKey(ks, stores, broken)
			return k, ks.name(), nil
		}
		broken[i] = fmt.Errorf("%s: %w", ks.name(), err)
	}
	clear(key)
	return nil, "", fmt.Errorf("no key store holds the cache key: %w", errors.Join(broken...))
}

// warnNewKey says what a new key means when it is not the first: entries
// sealed under a key that is gone (the kernel keyring forgets its keys at
// logout and reboot) cannot be read, and the MFA session is asked for
// again. And a key kept in a file because the kernel keyring is blocked (a
// container's seccomp filter) is said once, when the file is made.
func (s *Store) warnNewKey(made keyStore, stores []keyStore, broken []error) {
	if s.warn == nil {
		return
	}
	if names, err := s.entryNames(); err == nil && len(names) > 0 {
		s.warn(fmt.Sprintf("made a new cache key: the one that sealed the %d entries in %s is gone "+
			"(the kernel keyring forgets keys at logout and reboot), so their credentials are fetched again", len(names), s.dir))
	}
	if !strings.HasPrefix(made.name(), "file ") || s.keyStore != "auto" {
		return
	}
	for i, ks := range stores {
		if ks.name() == "keyctl" && broken[i] != nil {
			s.warn(fmt.Sprintf("the kernel keyring is not usable (%v): the cache key is kept in %s instead; "+
				"AWSRUN_KEY_STORE=keyctl (or keyring) refuses this fallback", broken[i], strings.TrimPrefix(made.name(), "file ")))
		}
	}
}

// validKey reports whether k can be a key.
func validKey(k []byte) bool { return len(k) == keySize }
