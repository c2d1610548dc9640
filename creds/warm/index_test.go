package warm

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
)

func TestIndexIDChangesWithEveryInput(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile a]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": dir, "AWS_CONFIG_FILE": cfg, "USER": "alice"}
	base := Invocation{Profile: "a", Getenv: func(k string) string { return env[k] }}
	id := IndexID(base)
	if IndexID(base) != id {
		t.Fatal("IndexID is not deterministic")
	}
	with := func(k, v string) func() Invocation {
		return func() Invocation {
			e := map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			e[k] = v
			in := base
			in.Getenv = func(k string) string { return e[k] }
			return in
		}
	}
	tests := map[string]func() Invocation{
		"profile":              func() Invocation { in := base; in.Profile = "b"; return in },
		"--region":             func() Invocation { in := base; in.Region = "eu-west-1"; return in },
		"--duration":           func() Invocation { in := base; in.Duration = "2h"; return in },
		"--session-duration":   func() Invocation { in := base; in.SessionDuration = "1h"; return in },
		"AWS_REGION":           with("AWS_REGION", "eu-west-1"),
		"AWS_ENDPOINT_URL_STS": with("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1"),
		"USER":                 with("USER", "bob"),
		"AWS_CONFIG_FILE":      with("AWS_CONFIG_FILE", filepath.Join(dir, "other")),
		"HOME unset": func() Invocation {
			in := base
			in.Getenv = func(k string) string {
				if k == "HOME" || k == "AWS_CONFIG_FILE" {
					return ""
				}
				return env[k]
			}
			return in
		},
		"config edited": func() Invocation {
			if err := os.WriteFile(cfg, []byte("[profile a]\nregion = x\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			return base
		},
	}
	for name, in := range tests {
		if IndexID(in()) == id {
			t.Errorf("changing %s keeps the index id", name)
		}
	}
}

func TestLookupFollowsTheIndex(t *testing.T) {
	s, err := cache.Open(cache.Options{Dir: filepath.Join(t.TempDir(), "c"), KeyDir: filepath.Join(t.TempDir(), "k"), KeyStore: "file"})
	if err != nil {
		t.Fatal(err)
	}
	const index = "1111111111111111111111111111111111111111111111111111111111111111"
	const step = "2222222222222222222222222222222222222222222222222222222222222222"
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	c := Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE", SecretAccessKey: "s", SessionToken: "t"}
	if _, ok := Lookup(s, index, RefreshMargin); ok {
		t.Fatal("hit on an empty cache")
	}
	if err := Remember(s, index, Target{Step: step, Region: "eu-west-1", Profile: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := Lookup(s, index, RefreshMargin); ok {
		t.Fatal("hit with the index pointing at a missing entry")
	}
	if err := s.Put(step, &cache.Entry{Kind: "role", Expires: exp, Data: Encode(c)}); err != nil {
		t.Fatal(err)
	}
	hit, ok := Lookup(s, index, RefreshMargin)
	if !ok || hit.Credentials.AccessKeyID != c.AccessKeyID || hit.Region != "eu-west-1" || hit.Profile != "p" || !hit.Credentials.Expiration.Equal(exp) {
		t.Fatalf("Lookup = %+v, %t", hit, ok)
	}
	if _, ok := Lookup(s, index, 2*time.Hour); ok {
		t.Error("hit for credentials expiring within the margin")
	}
}

// TestIndexIDSeesContentUnderAnOldMtime guards against cp -p, rsync -t and
// archives: new content of the same size under the old modification time.
func TestIndexIDSeesContentUnderAnOldMtime(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("role_arn = arn:aws:iam::123456789012:role/role101\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": dir, "AWS_CONFIG_FILE": cfg}
	in := Invocation{Profile: "a", Getenv: func(k string) string { return env[k] }}
	id := IndexID(in)
	fi, err := os.Stat(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("role_arn = arn:aws:iam::123456789012:role/role102\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(cfg, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if IndexID(in) == id {
		t.Error("same size and mtime, other content: the index id did not change")
	}
}
