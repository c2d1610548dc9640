package warm

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// FuzzPlainObject checks the reflection-free decoders against
// encoding/json: on every input they accept, they give what json.Unmarshal
// gives; what they refuse goes to encoding/json anyway.
func FuzzPlainObject(f *testing.F) {
	exp := time.Date(2026, 11, 27, 13, 2, 51, 123456789, time.UTC)
	for _, c := range []Credentials{
		{AccessKeyID: "ASIAEXAMPLEEXAMPLE", SecretAccessKey: "s/e+c=", SessionToken: "tok", Expiration: exp},
		{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "s"},
		{AccessKeyID: "ASIA", SecretAccessKey: "é\u2028<&>", SessionToken: "\x01\"\\", Expiration: exp.In(time.FixedZone("x", 3600))},
	} {
		f.Add(Encode(c))
	}
	for _, t := range []Target{
		{Step: "2222", Region: "eu-west-1", Profile: "p"},
		{Step: "s", Profile: "ünï <&> \"q\" \\"},
		{},
	} {
		b, err := json.Marshal(t)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"step":"a","region":"b","profile":"c"} `))
	f.Add([]byte(`{"Step":"a","region":"b","profile":"c"}`))
	f.Add([]byte(`{"step":"a","region":"b","profile":"\xff"}`))
	f.Add([]byte(`{"AccessKeyId":"a","SecretAccessKey":"b","SessionToken":"c","Expiration":"null"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, ok := decodePlain(b); ok {
			var want wireCredentials
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("decodePlain(%q) accepted what encoding/json refuses: %v", b, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decodePlain(%q) = %#v, encoding/json %#v", b, got, want)
			}
		}
		var v [3]string
		if plainObject(b, targetKeys, v[:]) {
			var want Target
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatalf("plainObject(%q) accepted what encoding/json refuses: %v", b, err)
			}
			if got := (Target{Step: v[0], Region: v[1], Profile: v[2]}); got != want {
				t.Fatalf("plainObject(%q) = %#v, encoding/json %#v", b, got, want)
			}
		}
		// Decode and decodeTarget, fast path or not, agree with encoding/json.
		var w wireCredentials
		err := json.Unmarshal(b, &w)
		c, ok := Decode(b)
		if wantOK := err == nil && w.AccessKeyID != "" && w.SecretAccessKey != ""; ok != wantOK || ok && !reflect.DeepEqual(c, Credentials(w)) {
			t.Fatalf("Decode(%q) = %#v, %t; encoding/json %#v, %v", b, c, ok, w, err)
		}
		var tw Target
		err = json.Unmarshal(b, &tw)
		if tg, ok := decodeTarget(b); ok != (err == nil) || ok && tg != tw {
			t.Fatalf("decodeTarget(%q) = %#v, %t; encoding/json %#v, %v", b, tg, ok, tw, err)
		}
	})
}

// TestWhatAwsrunWritesTakesThePlainPath guards the warm path's speed: the
// payloads Encode and Remember write are read without encoding/json.
func TestWhatAwsrunWritesTakesThePlainPath(t *testing.T) {
	exp := time.Now().Add(time.Hour).UTC()
	c := Credentials{AccessKeyID: "ASIAEXAMPLEEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", SessionToken: "IQoJb3JpZ2luX2VjE+/=", Expiration: exp}
	w, ok := decodePlain(Encode(c))
	if !ok || Credentials(w) != c {
		t.Errorf("decodePlain(Encode(c)) = %#v, %t", w, ok)
	}
	tg := Target{Step: "2222222222222222222222222222222222222222222222222222222222222222", Region: "eu-west-1", Profile: "dev-admin"}
	b, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	var v [3]string
	if !plainObject(b, targetKeys, v[:]) || (Target{Step: v[0], Region: v[1], Profile: v[2]}) != tg {
		t.Errorf("plainObject(%s) = %q", b, v)
	}
}
