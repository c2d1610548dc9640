package creds

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// storeOf is a key store lookup holding the user's keys for profile.
func storeOf(f *fixture, profile string) func(string) (Credentials, bool, error) {
	return func(p string) (Credentials, bool, error) {
		if p != profile {
			return Credentials{}, false, nil
		}
		return Credentials{AccessKeyID: f.user.AccessKeyID, SecretAccessKey: f.user.SecretAccessKey}, true, nil
	}
}

func TestStoredKeysWorkLikeKeysInTheFile(t *testing.T) {
	// Keys in the file first, then in the store: same cache entries, so
	// the second run is served from the cache the first one filled.
	f := newFixture(t, role101+"[profile user101]\nregion = eu-west-1\n")
	tmp := privateTempDir(t)
	store := f.openCache(t)
	if _, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	ids := planIDs(t, mustChain(t, "role101", LoadOptions{}))

	credsFile := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if err := os.WriteFile(credsFile, []byte("[user101]\n# keys moved to awsrun's key store\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.srv.ResetCalls()
	o := LoadOptions{Keys: storeOf(f, "user101")}
	chain := mustChain(t, "role101", o)
	if chain.Source.Static.AccessKeyID != f.user.AccessKeyID || chain.Source.Static.SecretAccessKey != f.user.SecretAccessKey {
		t.Fatalf("source = %v, want the stored keys", chain.Source.Static)
	}
	if got := planIDs(t, chain); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("cache identities differ: file %v, store %v", ids, got)
	}
	c, err := f.retrieve(t, f.resolver(store), "role101", o)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.actions(); len(got) != 0 {
		t.Errorf("STS calls = %v, want none: the cache serves the same identity", got)
	}
	if got := f.callerARN(t, c); !strings.Contains(got, "assumed-role/role101/") {
		t.Errorf("caller = %s", got)
	}
	// The stored keys sign: a session for the plain user profile, uncached.
	f.srv.ResetCalls()
	if _, err := f.retrieve(t, f.resolver(nil), "user101", o); err != nil {
		t.Fatal(err)
	}
	if calls := f.srv.Calls(); len(calls) != 1 || calls[0].AccessKeyID != f.user.AccessKeyID || calls[0].ErrorCode != "" {
		t.Errorf("calls = %+v, want one GetSessionToken signed with the stored key", calls)
	}
	// No stub is left behind in the temporary directory.
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary directory: %v", left)
	}
}

func TestKeysInBothPlacesAreAnError(t *testing.T) {
	f := newFixture(t, role101)
	_, err := LoadChain(t.Context(), "role101", LoadOptions{Keys: storeOf(f, "user101")})
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "both in") || !strings.Contains(err.Error(), "key store") ||
		!strings.Contains(ce.Fix, "--keys remove -p user101") {
		t.Fatalf("LoadChain = %v (hint %q)", err, ce.Fix)
	}
	if strings.Contains(err.Error()+ce.Fix, f.user.SecretAccessKey) {
		t.Error("the error shows the secret")
	}
}

func TestStoreErrorsOnlyMatterWithoutFileKeys(t *testing.T) {
	f := newFixture(t, role101)
	broken := func(string) (Credentials, bool, error) { return Credentials{}, false, errors.New("keyring locked") }
	if _, err := LoadChain(t.Context(), "role101", LoadOptions{Keys: broken}); err != nil {
		t.Fatalf("a broken store failed a profile whose keys are in the file: %v", err)
	}
	f.write(t, role101, "[user101]\n")
	if _, err := LoadChain(t.Context(), "role101", LoadOptions{Keys: broken}); err == nil || !strings.Contains(err.Error(), "keyring locked") {
		t.Fatalf("LoadChain with keys only in a broken store = %v", err)
	}
	// No store, no keys: the usual error.
	if _, err := LoadChain(t.Context(), "role101", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "no usable credentials") {
		t.Fatalf("LoadChain without keys = %v", err)
	}
}

func mustChain(t *testing.T, profile string, o LoadOptions) *Chain {
	t.Helper()
	c, err := LoadChain(t.Context(), profile, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// planIDs names the cache entries of the chain's plan.
func planIDs(t *testing.T, c *Chain) []string {
	t.Helper()
	p, err := NewPlan(c, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p.IDs()
}

// privateTempDir points the temporary directory at an empty one of the
// test's: what awsrun leaves there is then its own.
func privateTempDir(t *testing.T) string {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("TMP", tmp)
	t.Setenv("TEMP", tmp)
	if os.TempDir() != tmp {
		t.Skipf("the temporary directory is %s whatever the environment", os.TempDir())
	}
	return tmp
}

func TestStubIsPrivateHoldsNoSecretAndIsRemoved(t *testing.T) {
	tmp := privateTempDir(t)
	// A plain user profile whose keys are stored is loaded as it stands.
	files, done, err := credentialsFiles("/c", "user101", "user101")
	if err != nil || len(files) != 1 || files[0] != "/c" {
		t.Fatalf("credentialsFiles for the stored profile itself = %v, %v; want the user's file alone", files, err)
	}
	done()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("a plain user profile wrote %v", left)
	}

	files, done, err = credentialsFiles("/c", "user101", "role101")
	if err != nil || len(files) != 2 || files[0] != "/c" {
		t.Fatalf("credentialsFiles for a role = %v, %v; want the user's file and a stub", files, err)
	}
	stub := files[1]
	text, err := os.ReadFile(stub)
	if err != nil {
		t.Fatal(err)
	}
	want := "[user101]\naws_access_key_id = " + stubKeyID + "\naws_secret_access_key = " + stubSecret + "\n"
	if string(text) != want {
		t.Errorf("stub = %q, want %q: placeholders only", text, want)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(stub)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("stub mode = %v, %v; want 0600", fi.Mode(), err)
		}
		di, err := os.Stat(filepath.Dir(stub))
		if err != nil || di.Mode().Perm() != 0o700 || filepath.Dir(filepath.Dir(stub)) != tmp {
			t.Errorf("stub directory %s mode = %v, %v; want a directory of its own in %s, 0700", filepath.Dir(stub), di.Mode(), err, tmp)
		}
	}
	done()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left after done: %v", left)
	}

	// A temporary directory that cannot be written is an error with a fix.
	t.Setenv("TMPDIR", filepath.Join(tmp, "missing"))
	t.Setenv("TMP", filepath.Join(tmp, "missing"))
	t.Setenv("TEMP", filepath.Join(tmp, "missing"))
	_, _, err = credentialsFiles("/c", "user101", "role101")
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Profile != "user101" || !strings.Contains(ce.Fix, "TMPDIR") {
		t.Errorf("credentialsFiles without a temporary directory = %v", err)
	}
}
