package ststest

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// fixedTime presigns at a chosen time, as the EKS authenticator's own
// tests do.
type fixedTime struct {
	p sts.HTTPPresignerV4
	t time.Time
}

func (f fixedTime) PresignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, opts ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return f.p.PresignHTTP(ctx, c, r, payloadHash, service, region, f.t, opts...)
}

// presignToken makes an EKS token with the SDK's presign client, signing
// headers (the cluster header among them, unless left out) at signedAt.
func presignToken(t *testing.T, s *Server, creds aws.CredentialsProvider, signedAt time.Time, headers map[string]string) string {
	t.Helper()
	pc := sts.NewPresignClient(newClient(s, "eu-west-1", creds))
	out, err := pc.PresignGetCallerIdentity(testContext(t), nil, func(o *sts.PresignOptions) {
		o.Presigner = fixedTime{o.Presigner, signedAt}
		o.ClientOptions = append(o.ClientOptions, func(o *sts.Options) {
			for k, v := range headers {
				o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue(k, v))
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return EKSTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(out.URL))
}

// reencode changes the URL inside a token.
func reencode(t *testing.T, token string, edit func(q url.Values)) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, EKSTokenPrefix))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	edit(q)
	u.RawQuery = q.Encode()
	return EKSTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(u.String()))
}

func TestPresignedGetCallerIdentity(t *testing.T) {
	s, clock := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.AddRole(roleARN("eks-admin"), RolePolicy{})
	role := sessionCreds(assumeRole(t, s, userCreds(alice), roleARN("eks-admin")))
	now := clock.Now()
	cluster := map[string]string{ClusterIDHeader: "prod", "X-Amz-Expires": "900"}
	good := presignToken(t, s, role, now, cluster)

	tests := []struct {
		name     string
		token    string
		cluster  string
		advance  time.Duration
		wantCode string // "" for a success, "form" for a refusal before STS
		wantARN  string
	}{
		{name: "role token", token: good, cluster: "prod", wantARN: "arn:aws:sts::" + accountA + ":assumed-role/eks-admin/setup"},
		{name: "user token", token: presignToken(t, s, userCreds(alice), now, cluster), cluster: "prod", wantARN: alice.ARN},
		{name: "14 minutes on", token: good, cluster: "prod", advance: 14 * time.Minute, wantARN: "arn:aws:sts::" + accountA + ":assumed-role/eks-admin/setup"},
		{name: "wrong cluster", token: good, cluster: "staging", wantCode: "SignatureDoesNotMatch"},
		{name: "expired", token: good, cluster: "prod", advance: 15*time.Minute + time.Second, wantCode: "RequestExpired"},
		{name: "X-Amz-Expires honoured", token: presignToken(t, s, role, now, map[string]string{ClusterIDHeader: "prod", "X-Amz-Expires": "60"}),
			cluster: "prod", advance: 61 * time.Second, wantCode: "RequestExpired"},
		{name: "X-Amz-Expires beyond 15 minutes", token: presignToken(t, s, role, now, map[string]string{ClusterIDHeader: "prod", "X-Amz-Expires": "901"}),
			cluster: "prod", wantCode: "MalformedQueryString"},
		{name: "X-Amz-Expires missing", token: presignToken(t, s, role, now, map[string]string{ClusterIDHeader: "prod"}),
			cluster: "prod", wantCode: "MalformedQueryString"},
		{name: "signed in the future", token: presignToken(t, s, role, now.Add(16*time.Minute), cluster), cluster: "prod", wantCode: "RequestExpired"},
		{name: "cluster header not signed", token: presignToken(t, s, role, now, map[string]string{"X-Amz-Expires": "900"}),
			cluster: "prod", wantCode: "MalformedQueryString"},
		{name: "tampered signature", cluster: "prod", wantCode: "SignatureDoesNotMatch", token: reencode(t, good, func(q url.Values) {
			sig := []byte(q.Get("X-Amz-Signature"))
			sig[0] ^= 1
			q.Set("X-Amz-Signature", string(sig))
		})},
		{name: "tampered date", cluster: "prod", wantCode: "SignatureDoesNotMatch", token: reencode(t, good, func(q url.Values) {
			q.Set("X-Amz-Date", now.Add(time.Second).UTC().Format(amzDateFormat))
		})},
		{name: "extra parameter", cluster: "prod", wantCode: "MalformedQueryString", token: reencode(t, good, func(q url.Values) {
			q.Set("RoleArn", roleARN("eks-admin"))
		})},
		{name: "other action", cluster: "prod", wantCode: "InvalidAction", token: reencode(t, good, func(q url.Values) {
			q.Set("Action", "GetSessionToken")
		})},
		{name: "session token dropped", cluster: "prod", wantCode: "InvalidClientTokenId", token: reencode(t, good, func(q url.Values) {
			q.Del("X-Amz-Security-Token")
		})},
		{name: "not a token", token: "k8s-aws-v1.%%%", cluster: "prod", wantCode: "form"},
		{name: "no prefix", token: strings.TrimPrefix(good, EKSTokenPrefix), cluster: "prod", wantCode: "form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.mu.Lock()
			clock.t = now.Add(tt.advance)
			clock.mu.Unlock()
			id, err := s.VerifyEKSToken(testContext(t), tt.token, tt.cluster)
			var te *TokenError
			switch {
			case tt.wantCode == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantCode == "":
				if id.Arn != tt.wantARN || id.Account != accountA {
					t.Fatalf("identity = %+v, want %s", id, tt.wantARN)
				}
			case !errors.As(err, &te):
				t.Fatalf("err = %v (identity %+v), want a TokenError", err, id)
			case tt.wantCode == "form" && te.Code != "", tt.wantCode != "form" && te.Code != tt.wantCode:
				t.Fatalf("err = %v, want code %s", err, tt.wantCode)
			}
		})
	}
}

func TestPresignedTokenOfExpiredCredentials(t *testing.T) {
	s, clock := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.AddRole(roleARN("eks-admin"), RolePolicy{})
	s.SetCredentialLifetime(5 * time.Minute)
	role := sessionCreds(assumeRole(t, s, userCreds(alice), roleARN("eks-admin")))
	token := presignToken(t, s, role, clock.Now(), map[string]string{ClusterIDHeader: "prod", "X-Amz-Expires": "900"})
	clock.Advance(6 * time.Minute)
	_, err := s.VerifyEKSToken(testContext(t), token, "prod")
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "ExpiredToken" {
		t.Fatalf("err = %v, want ExpiredToken: a token lives no longer than the credentials that signed it", err)
	}
	if c := lastCall(t, s); c.Action != "GetCallerIdentity" || c.ErrorCode != "ExpiredToken" || c.AccessKeyID == "" {
		t.Fatalf("call log: %+v", c)
	}
}

// TestPresignedAnswersXML: without Accept: application/json the answer
// is the usual XML, as the SDK would read it.
func TestPresignedAnswersXML(t *testing.T) {
	s, clock := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	token := presignToken(t, s, userCreds(alice), clock.Now(), map[string]string{ClusterIDHeader: "prod", "X-Amz-Expires": "900"})
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(token, EKSTokenPrefix))
	req, _ := http.NewRequestWithContext(testContext(t), http.MethodGet, string(raw), nil)
	req.Header.Set(ClusterIDHeader, "prod")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "<Arn>"+alice.ARN+"</Arn>") || resp.Header.Get("Content-Type") != "text/xml" {
		t.Fatalf("HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
}
