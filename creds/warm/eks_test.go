package warm

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
)

func TestEKSTokenLookup(t *testing.T) {
	s, err := cache.Open(cache.Options{Dir: filepath.Join(t.TempDir(), "c"), KeyDir: filepath.Join(t.TempDir(), "k"), KeyStore: "file"})
	if err != nil {
		t.Fatal(err)
	}
	const step = "2222222222222222222222222222222222222222222222222222222222222222"
	id := EKSTokenID(step, "ASIAEXAMPLEEXAMPLE", "prod")
	for name, other := range map[string]string{
		"step":    EKSTokenID("3"+step[1:], "ASIAEXAMPLEEXAMPLE", "prod"),
		"key id":  EKSTokenID(step, "ASIAEXAMPLEEXAMPLF", "prod"),
		"cluster": EKSTokenID(step, "ASIAEXAMPLEEXAMPLE", "prod2"),
		"joined":  EKSTokenID(step, "ASIAEXAMPLEEXAMPLEp", "rod"),
	} {
		if other == id {
			t.Errorf("changing the %s keeps the token id", name)
		}
	}
	tok := EKSToken{Token: "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8", Expires: time.Now().Add(15 * time.Minute).Truncate(time.Second)}
	if err := RememberEKSToken(s, id, tok, "p", "p eks-token prod"); err != nil {
		t.Fatal(err)
	}
	got, ok := LookupEKSToken(s, id)
	if !ok || got.Token != tok.Token || !got.Expires.Equal(tok.Expires) {
		t.Fatalf("LookupEKSToken = %v, %t", got, ok)
	}
	if s := (EKSToken{Token: "k8s-aws-v1.secret"}).String(); s != "EKS token until 0001-01-01T00:00:00Z" {
		t.Errorf("String() = %q shows the token", s)
	}

	// Under a minute left: not served.
	tok.Expires = time.Now().Add(59 * time.Second)
	if err := RememberEKSToken(s, id, tok, "p", "p eks-token prod"); err != nil {
		t.Fatal(err)
	}
	if _, ok := LookupEKSToken(s, id); ok {
		t.Error("a token with 59s left was served")
	}
	// Another kind of entry under the id: not a token.
	if err := s.Put(id, &cache.Entry{Kind: "role", Expires: time.Now().Add(time.Hour), Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, ok := LookupEKSToken(s, id); ok {
		t.Error("a role entry was served as a token")
	}
}
