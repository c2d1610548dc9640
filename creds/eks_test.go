package creds

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/creds/warm"
)

// eksToken resolves role101 and makes a token for cluster with r.
func (f *fixture) eksToken(t *testing.T, r *Resolver, cluster string) (warm.EKSToken, Credentials) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := LoadChain(ctx, "role101", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := r.Retrieve(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := r.EKSToken(ctx, c, creds, cluster)
	if err != nil {
		t.Fatal(err)
	}
	return tok, creds
}

func (f *fixture) verify(t *testing.T, token, cluster string) (*ststest.CallerIdentity, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return f.srv.VerifyEKSToken(ctx, token, cluster)
}

func TestEKSTokenAuthenticatesAsTheRole(t *testing.T) {
	f := newFixture(t, role101)
	before := time.Now()
	tok, _ := f.eksToken(t, f.resolver(nil), "prod")

	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok.Token, "k8s-aws-v1."))
	if !strings.HasPrefix(tok.Token, "k8s-aws-v1.") || err != nil {
		t.Fatalf("token %.20q… is not k8s-aws-v1. and unpadded base64url: %v", tok.Token, err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if self, _ := url.Parse(f.srv.URL); u.Host != self.Host || u.Path != "/" ||
		q.Get("Action") != "GetCallerIdentity" || q.Get("Version") != "2011-06-15" ||
		q.Get("X-Amz-Expires") != "900" || q.Get("X-Amz-SignedHeaders") != "host;x-k8s-aws-id" ||
		!strings.Contains(q.Get("X-Amz-Credential"), "/us-east-1/sts/aws4_request") || q.Get("X-Amz-Security-Token") == "" {
		t.Fatalf("presigned URL %s", u.Redacted())
	}
	if d := tok.Expires.Sub(before); d < 14*time.Minute || d > 15*time.Minute+time.Second {
		t.Errorf("token expires %s after it was made, want 15m", d)
	}

	id, err := f.verify(t, tok.Token, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:sts::" + acct + ":assumed-role/role101/awsrun-tester"; id.Arn != want {
		t.Errorf("token authenticates as %s, want %s", id.Arn, want)
	}
	var te *ststest.TokenError
	if _, err := f.verify(t, tok.Token, "staging"); !errors.As(err, &te) || te.Code != "SignatureDoesNotMatch" {
		t.Errorf("token for prod sent to staging: %v, want SignatureDoesNotMatch", err)
	}
}

func TestEKSTokenExpires(t *testing.T) {
	f := newFixture(t, role101)
	r := f.resolver(nil)
	r.Now = func() time.Time { return time.Now().Add(-15*time.Minute - time.Second) }
	tok, _ := f.eksToken(t, r, "prod")
	var te *ststest.TokenError
	if _, err := f.verify(t, tok.Token, "prod"); !errors.As(err, &te) || te.Code != "RequestExpired" {
		t.Fatalf("a token signed 15m1s ago: %v, want RequestExpired", err)
	}
}

// TestEKSTokenNoLongerThanItsCredentials: a token signed by credentials
// that expire in 5 minutes is worth 5 minutes.
func TestEKSTokenNoLongerThanItsCredentials(t *testing.T) {
	f := newFixture(t, role101)
	f.srv.SetCredentialLifetime(7 * time.Minute)
	r := f.resolver(nil)
	r.MinTTL = time.Minute
	tok, creds := f.eksToken(t, r, "prod")
	if !tok.Expires.Equal(creds.Expiration) {
		t.Fatalf("token expires %s, credentials %s", tok.Expires, creds.Expiration)
	}
}

func TestEKSTokenCache(t *testing.T) {
	f := newFixture(t, role101)
	store := f.openCache(t)
	r := f.resolver(store)
	first, creds := f.eksToken(t, r, "prod")

	again, _ := f.eksToken(t, f.resolver(store), "prod")
	if again.Token != first.Token || !again.Expires.Equal(first.Expires) {
		t.Fatal("a cached token with 15 minutes left was not served")
	}
	other, _ := f.eksToken(t, f.resolver(store), "staging")
	if other.Token == first.Token {
		t.Fatal("another cluster was served prod's token")
	}
	if _, err := f.verify(t, other.Token, "staging"); err != nil {
		t.Fatal(err)
	}

	// Under a minute left: a new one.
	late := f.resolver(store)
	late.Now = func() time.Time { return time.Now().Add(14*time.Minute + 5*time.Second) }
	ctx := context.Background()
	c, err := LoadChain(ctx, "role101", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := warm.LookupEKSToken(store, warm.EKSTokenID(planOf(t, c).TargetID(), creds.AccessKeyID, "prod")); !ok {
		t.Fatal("the token is not where the launcher looks for it")
	}
	fresh, err := late.EKSToken(ctx, c, creds, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Token == first.Token {
		t.Fatal("a token with under a minute left was served")
	}

	// Other credentials behind it: a new one.
	refreshed := f.resolver(store)
	refreshed.Refresh = true
	next, nextCreds := f.eksToken(t, refreshed, "prod")
	if nextCreds.AccessKeyID == creds.AccessKeyID || next.Token == first.Token || next.Token == fresh.Token {
		t.Fatal("new credentials were served a token the old ones signed")
	}
	served, _ := f.eksToken(t, f.resolver(store), "prod")
	if served.Token != next.Token {
		t.Fatal("the token of the new credentials was not cached")
	}
	if id, err := f.verify(t, served.Token, "prod"); err != nil || !strings.Contains(id.Arn, "assumed-role/role101/") {
		t.Fatalf("served token: %v, %v", id, err)
	}
}
