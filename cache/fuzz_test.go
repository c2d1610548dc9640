package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzKey is the key the seed corpus in testdata/fuzz/FuzzGet was sealed with.
var fuzzKey = []byte("awsrun cache fuzz key, 32 bytes!")

// fuzzID is the entry name the seed corpus was sealed for.
const fuzzID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// FuzzGet feeds arbitrary bytes to Get as the content of an entry file, and
// to the plaintext decoder. Neither may panic; Get may return only what was
// sealed with the store's key for this name, and the decoder only what
// marshal gives back byte for byte.
func FuzzGet(f *testing.F) {
	o := testOptions(f)
	writeKeyFile(f, o.KeyDir, fuzzKey)
	o.Now = func() time.Time { return time.Unix(0, 0) }
	s, err := Open(o)
	if err != nil {
		f.Fatal(err)
	}
	k, err := deriveKeys(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	name := k.name(fuzzID)
	path := filepath.Join(o.Dir, name)

	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if e, ok := s.Get(fuzzID, 0); ok {
			// Only a file sealed with this key for this name opens.
			if len(data) < headSize || data[0] != version {
				t.Fatalf("Get accepted a file without the version header: %+v", e)
			}
			var ad [1 + idLen]byte
			plain, err := k.aead.Open(nil, data[1:headSize], data[headSize:], additionalData(&ad, name))
			if err != nil {
				t.Fatalf("Get returned %+v from a file not sealed with the key: %v", e, err)
			}
			if string(plain[:idLen]) != fuzzID {
				t.Fatalf("Get returned %+v from a file sealed for another id", e)
			}
			again, err := e.marshal()
			if err != nil || !bytes.Equal(again, plain[idLen:]) {
				t.Fatalf("Get returned %+v, which is not what was sealed", e)
			}
		}

		if e, err := unmarshal(data); err == nil {
			again, err := e.marshal()
			if err != nil {
				t.Fatalf("unmarshal gave %+v, which marshal refuses: %v", e, err)
			}
			if !bytes.Equal(again, data) {
				t.Fatalf("unmarshal is not canonical: %x decodes to %+v, which encodes to %x", data, e, again)
			}
		}
	})
}

// TestFuzzSeedOpens keeps the corpus honest: its "valid" seed must be an
// entry that Get returns, or the fuzzer never reaches the accepting path.
func TestFuzzSeedOpens(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzGet", "valid"))
	if err != nil {
		t.Fatal(err)
	}
	quoted, ok := strings.CutPrefix(string(raw), "go test fuzz v1\n[]byte(")
	quoted, ok2 := strings.CutSuffix(quoted, ")\n")
	if !ok || !ok2 {
		t.Fatalf("unexpected corpus file format: %q", raw)
	}
	blob, err := strconv.Unquote(quoted)
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t)
	writeKeyFile(t, o.KeyDir, fuzzKey)
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(o.Dir, fileName(t, s, fuzzID)), []byte(blob), 0o600); err != nil {
		t.Fatal(err)
	}
	e, ok := s.Get(fuzzID, 0)
	if !ok {
		t.Fatal("Get missed the valid seed")
	}
	if e.Kind != "role" || !strings.Contains(string(e.Data), "ASIAEXAMPLE") {
		t.Errorf("valid seed opened to %+v", e)
	}
}
