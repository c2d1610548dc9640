package creds

import (
	"errors"
	"fmt"
	"os"
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

// credentialsFiles are the credentials files the SDK reads for the chain:
// the user's, and the stub of stored keys when the source's keys are in
// awsrun's key store. done removes the stub.
func credentialsFiles(credsFile, storedProfile string) (files []string, done func(), err error) {
	if storedProfile == "" {
		return []string{credsFile}, func() {}, nil
	}
	f, err := os.CreateTemp("", "awsrun-keystub-*.ini")
	if err != nil {
		return nil, nil, &ConfigError{Profile: storedProfile, Err: fmt.Errorf("cannot write a temporary file: %w", err), Fix: "check TMPDIR"}
	}
	_, err = fmt.Fprintf(f, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", storedProfile, stubKeyID, stubSecret)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	done = func() { os.Remove(f.Name()) }
	if err != nil {
		done()
		return nil, nil, &ConfigError{Profile: storedProfile, Err: fmt.Errorf("cannot write a temporary file: %w", err), Fix: "check TMPDIR"}
	}
	return []string{credsFile, f.Name()}, done, nil
}
