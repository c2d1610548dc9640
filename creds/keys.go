package creds

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// stubKeyID stands for keys kept in awsrun's key store when the SDK reads
// the files: it refuses a source_profile without credentials, so it is
// shown a stub credentials file that gives the source placeholder keys.
// The placeholders are no secret and never sign anything: the chain's
// source carries the stored keys.
const (
	stubKeyID  = "AKIAAWSRUNKEYSTORE00"
	stubSecret = "kept-in-the-awsrun-key-store"
)

// storedKeys returns the keys awsrun's key store holds for the chain's
// root profile, found by following source_profile as the SDK will. ok is
// false when the store has none, or the root's credentials come from a
// provider. Keys both in the files and in the store are an error naming
// both: which one signs would be a guess.
func storedKeys(r *rawConfig, profile string, lookup func(string) (Credentials, bool, error)) (root string, keys Credentials, ok bool, err error) {
	if lookup == nil {
		return "", Credentials{}, false, nil
	}
	root = profile
	for seen := map[string]bool{}; !seen[root]; {
		seen[root] = true
		if root != profile && r.hasKeys(root) {
			break
		}
		next := r.sdkValue(root, "source_profile")
		if next == "" || next == root {
			break
		}
		root = next
	}
	for _, k := range []string{"credential_source", "web_identity_token_file", "credential_process", "sso_session",
		"sso_start_url", "sso_account_id", "sso_role_name", "sso_region", "login_session"} {
		if r.sdkValue(root, k) != "" {
			return "", Credentials{}, false, nil
		}
	}
	inFile := r.hasKeys(root)
	keys, ok, err = lookup(root)
	switch {
	case err != nil && inFile:
		return "", Credentials{}, false, nil // the file's keys do; the store is not needed
	case err != nil:
		return root, Credentials{}, false, err
	case ok && inFile:
		return root, Credentials{}, false, &ConfigError{Profile: root,
			Err: fmt.Errorf("keys for profile %s are both in %s and in awsrun's key store", root, r.credentialsFile),
			Fix: fmt.Sprintf("keep one: awsrun --keys remove -p %s, or awsrun --keys import -p %s to move the file's keys into the store", root, root)}
	case ok && (keys.AccessKeyID == "" || keys.SecretAccessKey == ""):
		return root, Credentials{}, false, &ConfigError{Profile: root, Err: errors.New("the key store's entry is incomplete"),
			Fix: "awsrun --keys add -p " + root + " to store the key again"}
	}
	keys.SessionToken, keys.Expiration = "", keys.Expiration.UTC()
	return root, keys, ok, nil
}

func (r *rawConfig) hasKeys(profile string) bool {
	return r.sdkValue(profile, "aws_access_key_id") != "" && r.sdkValue(profile, "aws_secret_access_key") != ""
}

// credentialsFiles are the credentials files the SDK reads to load
// profile: the user's and, when the source's keys are in awsrun's key
// store and profile links to it by source_profile, a stub. done removes
// the stub.
//
// The SDK refuses a source_profile without credentials and reads the
// shared files only by name: no option hands it keys or INI text, so a
// chain through a stored source needs a file, written without a secret.
// A profile that is the stored source itself is loaded as it stands (the
// SDK asks nothing of a profile's own keys), so a plain user profile
// writes nothing. The stub lives in a directory of its own (0700), is
// written 0600 with the placeholders only, and is gone once the SDK's
// parse returns: no prompt or network call happens in between.
func credentialsFiles(credsFile, storedProfile, profile string) (files []string, done func(), err error) {
	if storedProfile == "" || storedProfile == profile {
		return []string{credsFile}, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "awsrun-keystub-")
	if err != nil {
		return nil, nil, stubError(storedProfile, err)
	}
	done = func() { os.RemoveAll(dir) }
	stub := filepath.Join(dir, "credentials")
	text := fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", storedProfile, stubKeyID, stubSecret)
	if err := os.WriteFile(stub, []byte(text), 0o600); err != nil {
		done()
		return nil, nil, stubError(storedProfile, err)
	}
	return []string{credsFile, stub}, done, nil
}

func stubError(profile string, err error) error {
	return &ConfigError{Profile: profile, Err: fmt.Errorf("cannot write a temporary file for the SDK: %w", err),
		Fix: "make the temporary directory ($TMPDIR) writable"}
}

// MovedKeysComment is the comment line (without "# ") that awsrun --keys
// import leaves in a profile's credentials section in place of its keys.
// store is the key store's kind (keyring or file), since the day import ran.
func MovedKeysComment(profile, store string, since time.Time) string {
	return fmt.Sprintf("%s (%s) since %s: awsrun --keys list", movedKeysMark(profile), store, since.UTC().Format("2006-01-02"))
}

func movedKeysMark(profile string) string {
	return fmt.Sprintf("aws_access_key_id and aws_secret_access_key of [%s] are in awsrun's key store", profile)
}

// keysMoved reports whether the credentials file holds awsrun's comment
// that profile's keys were moved to the key store.
func keysMoved(credsFile, profile string) bool {
	b, err := readBounded(credsFile, maxSharedFile, "AWS_SHARED_CREDENTIALS_FILE")
	return err == nil && KeysMovedIn(b, profile)
}

// KeysMovedIn reports whether the credentials file's content holds the
// comment MovedKeysComment left for profile.
func KeysMovedIn(content []byte, profile string) bool {
	for line := range strings.Lines(string(content)) {
		t := strings.TrimLeft(line, " \t")
		if c, ok := strings.CutPrefix(t, "#"); ok && strings.HasPrefix(strings.TrimLeft(c, " \t"), movedKeysMark(profile)) {
			return true
		}
	}
	return false
}

// movedKeysError is a source profile whose keys awsrun moved to its key
// store, which this run's key store does not hold.
type movedKeysError struct {
	Profile, File string
}

func (e *movedKeysError) Error() string {
	return fmt.Sprintf("source profile %s has no keys here: awsrun --keys import moved them from %s to awsrun's key store (the comment in [%s] says so), and the key store holds none for it",
		e.Profile, e.File, e.Profile)
}

// movedKeysFix is the hint for a movedKeysError: where awsrun looked.
func movedKeysFix(store string) string {
	if store == "" {
		store = "$XDG_DATA_HOME/awsrun/keys.age, or the login keyring"
	}
	return "awsrun looked in " + store + " (set by XDG_DATA_HOME and AWSRUN_KEYS_STORE): run with the ones the keys were imported with; awsrun --keys list shows the keys it finds"
}
