package warm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fmtIndexID is IndexID as it was first written, with fmt: index entries
// already in users' caches are named by it.
func fmtIndexID(in Invocation, fingerprint func(string) string) string {
	files := []string{ConfigFile(in.Getenv), CredentialsFile(in.Getenv)}
	for _, f := range files {
		if !filepath.IsAbs(f) {
			return ""
		}
	}
	h := sha256.New()
	field := func(k, v string) { fmt.Fprintf(h, "%s=%q\n", k, v) }
	field("version", "awsrun/warm/1")
	field("profile", in.Profile)
	field("region", in.Region)
	field("duration", in.Duration)
	field("session-duration", in.SessionDuration)
	for _, k := range env {
		field(k, in.Getenv(k))
	}
	for _, f := range files {
		field(f, fingerprint(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestIndexIDIsUnchanged: a changed byte in what IndexID hashes would make
// every index entry written before a miss.
func TestIndexIDIsUnchanged(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile a]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		in   Invocation
		env  map[string]string
	}{
		{"plain", Invocation{Profile: "a"}, map[string]string{"HOME": dir, "AWS_CONFIG_FILE": cfg, "USER": "alice"}},
		{"flags", Invocation{Profile: "prod-admin", Region: "eu-west-1", Duration: "2h", SessionDuration: "12h"},
			map[string]string{"HOME": dir, "AWS_CONFIG_FILE": cfg, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1"}},
		{"quotes, controls, unicode", Invocation{Profile: "a \"b\" \\ \t\n\x00\x7f é \u2028 \xff <&>"},
			map[string]string{"HOME": dir, "USER": "ünï\x01", "AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "missing \"x\"")}},
		{"no files", Invocation{Profile: "a"}, map[string]string{"HOME": dir}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Getenv = func(k string) string { return tt.env[k] }
			if got, want := IndexID(tt.in), fmtIndexID(tt.in, fmtFingerprint); got != want {
				t.Errorf("IndexID = %s, as written before %s", got, want)
			}
		})
	}
}

func TestEKSTokenIDIsUnchanged(t *testing.T) {
	h := sha256.New()
	for _, p := range []string{"awsrun/eks-token/1", "step", "ASIA\"x\"", "clüster\n"} {
		fmt.Fprintf(h, "%q\n", p)
	}
	if got, want := EKSTokenID("step", "ASIA\"x\"", "clüster\n"), hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("EKSTokenID = %s, as written before %s", got, want)
	}
}
