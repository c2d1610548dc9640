package warm

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
)

// BenchmarkLookup is a warm launch's cache work: the store opened, the key
// read from its file, the index entry and the credentials it names read,
// opened and decoded.
func BenchmarkLookup(b *testing.B) {
	o := cache.Options{Dir: filepath.Join(b.TempDir(), "c"), KeyDir: filepath.Join(b.TempDir(), "k"), KeyStore: "file"}
	s, err := cache.Open(o)
	if err != nil {
		b.Fatal(err)
	}
	const index = "1111111111111111111111111111111111111111111111111111111111111111"
	const step = "2222222222222222222222222222222222222222222222222222222222222222"
	c := Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		SessionToken: string(make([]byte, 800)), Expiration: time.Now().Add(time.Hour).UTC()}
	for i := range len(c.SessionToken) {
		c.SessionToken = c.SessionToken[:i] + "A" + c.SessionToken[i+1:]
	}
	if err := s.Put(step, &cache.Entry{Kind: cache.KindRole, Expires: c.Expiration, Data: Encode(c)}); err != nil {
		b.Fatal(err)
	}
	if err := Remember(s, index, Target{Step: step, Region: "eu-west-1", Profile: "role101"}); err != nil {
		b.Fatal(err)
	}
	o.FindKeyOnly, o.NoCreate = true, true
	b.ReportAllocs()
	for b.Loop() {
		s, err := cache.Open(o)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := Lookup(s, index, RefreshMargin); !ok {
			b.Fatal("miss")
		}
		s.Close()
	}
}

// BenchmarkDecode is the credentials payload's decoding alone.
func BenchmarkDecode(b *testing.B) {
	p := Encode(Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		SessionToken: "IQoJb3JpZ2luX2VjEXAMPLE", Expiration: time.Now().UTC()})
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Decode(p); !ok {
			b.Fatal("not decoded")
		}
	}
}

// BenchmarkIndexID is the index id of a warm launch: the environment
// hashed and the two AWS files stat'ed.
func BenchmarkIndexID(b *testing.B) {
	dir := b.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile a]\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"HOME": dir, "AWS_CONFIG_FILE": cfg, "USER": "alice", "AWS_REGION": "eu-west-1"}
	in := Invocation{Profile: "role101", Getenv: func(k string) string { return env[k] }}
	b.ReportAllocs()
	for b.Loop() {
		if IndexID(in) == "" {
			b.Fatal("no index id")
		}
	}
}
