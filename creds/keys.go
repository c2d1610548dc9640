package creds

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
