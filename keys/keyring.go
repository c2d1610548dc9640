package keys

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/awsrun/awsrun/cache"
)

// Keyring is an OS keyring: secrets by service and user name.
type Keyring interface {
	Get(service, user string) (string, error) // ErrNotFound when absent
	Set(service, user, secret string) error
	Delete(service, user string) error // ErrNotFound when absent
}

// ErrNotFound is a keyring item that does not exist.
var ErrNotFound = errors.New("not in the keyring")

// OSKeyring is the system's keyring through zalando/go-keyring: the macOS
// Keychain, a Secret Service over D-Bus, or the Windows Credential Manager.
type OSKeyring struct{}

func (OSKeyring) Get(service, user string) (string, error) {
	v, err := keyring.Get(service, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNotFound
	}
	return v, err
}

func (OSKeyring) Set(service, user, secret string) error { return keyring.Set(service, user, secret) }

func (OSKeyring) Delete(service, user string) error {
	err := keyring.Delete(service, user)
	if errors.Is(err, keyring.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

const (
	// keyringService names awsrun's items; the user name is the profile.
	keyringService = "awsrun-keys"
	// indexService holds the list of profiles: keyrings cannot be listed
	// through one portable API.
	indexService = "awsrun-keys-index"
	indexUser    = "profiles"
)

// errNoKeyring is a system without a keyring to ask.
var errNoKeyring = errors.New("no OS keyring")

// keyringStore keeps one item per profile (its entry as JSON) and an
// index item naming the profiles. An item stays small, well under the
// Windows Credential Manager's 2.5 KB.
type keyringStore struct {
	keyring  Keyring
	timeout  time.Duration
	checked  bool
	checkErr error
}

func (k *keyringStore) name() string { return KindKeyring }

// check asks the keyring once whether it answers.
func (k *keyringStore) check() error {
	if k.checked {
		return k.checkErr
	}
	k.checked = true
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		// Asking would make the D-Bus library try to start a bus.
		if _, isOS := k.keyring.(OSKeyring); isOS {
			k.checkErr = errNoKeyring
			return k.checkErr
		}
	}
	_, err := k.call(func() (string, error) { return k.keyring.Get(indexService, indexUser) })
	if errors.Is(err, ErrNotFound) {
		err = nil
	}
	k.checkErr = err
	return err
}

// call runs f and gives up waiting after the timeout (cache.WithTimeout).
func (k *keyringStore) call(f func() (string, error)) (string, error) {
	return cache.WithTimeout(k.timeout, f)
}

func (k *keyringStore) fail(profile, what string, err error) error {
	return &Error{Profile: profile, Err: fmt.Errorf("%s the OS keyring: %w", what, err),
		Fix: "unlock the keyring and try again, or set AWSRUN_KEYS_STORE=file to use the passphrase-encrypted file"}
}

func (k *keyringStore) get(profile string) (Entry, bool, error) {
	v, err := k.call(func() (string, error) { return k.keyring.Get(keyringService, profile) })
	if errors.Is(err, ErrNotFound) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, k.fail(profile, "reading", err)
	}
	var e Entry
	if json.Unmarshal([]byte(v), &e) != nil || e.AccessKeyID == "" || e.SecretAccessKey == "" {
		return Entry{}, false, &Error{Profile: profile, Err: fmt.Errorf("the keyring item %s/%s is not an awsrun key", keyringService, profile),
			Fix: "awsrun --keys remove -p " + profile + ", then add the key again"}
	}
	e.Profile = profile
	return e, true, nil
}

func (k *keyringStore) index() ([]string, error) {
	v, err := k.call(func() (string, error) { return k.keyring.Get(indexService, indexUser) })
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, k.fail("", "reading", err)
	}
	var names []string
	_ = json.Unmarshal([]byte(v), &names) // a broken index is rebuilt as keys are stored
	return names, nil
}

func (k *keyringStore) setIndex(names []string) error {
	b, _ := json.Marshal(names)
	_, err := k.call(func() (string, error) { return "", k.keyring.Set(indexService, indexUser, string(b)) })
	if err != nil {
		return k.fail("", "writing", err)
	}
	return nil
}

func (k *keyringStore) put(e Entry) error {
	b, _ := json.Marshal(Entry{AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey, Created: e.Created.UTC()})
	if _, err := k.call(func() (string, error) { return "", k.keyring.Set(keyringService, e.Profile, string(b)) }); err != nil {
		return k.fail(e.Profile, "writing", err)
	}
	names, err := k.index()
	if err != nil {
		return err
	}
	if !slices.Contains(names, e.Profile) {
		return k.setIndex(append(names, e.Profile))
	}
	return nil
}

func (k *keyringStore) remove(profile string) (bool, error) {
	_, err := k.call(func() (string, error) { return "", k.keyring.Delete(keyringService, profile) })
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, k.fail(profile, "deleting from", err)
	}
	names, err := k.index()
	if err != nil {
		return found, err
	}
	if i := slices.Index(names, profile); i >= 0 {
		return found, k.setIndex(slices.Delete(names, i, i+1))
	}
	return found, nil
}

func (k *keyringStore) list() ([]Entry, error) {
	names, err := k.index()
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, n := range names {
		e, ok, err := k.get(n)
		if err != nil {
			return out, err
		}
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}
