package ststest

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestSignature(t *testing.T) {
	type fixture struct {
		s       *Server
		clock   *fakeClock
		alice   *User
		gov     *User
		session aws.CredentialsProvider
	}
	setup := func(t *testing.T) *fixture {
		s, clock := newTestServer(t)
		f := &fixture{s: s, clock: clock}
		f.alice = s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
		f.gov = s.AddUser("arn:aws-us-gov:iam::" + accountA + ":user/alice")
		f.session = sessionCreds(getSessionToken(t, s, f.alice, nil))
		return f
	}
	tests := []struct {
		name       string
		region     string
		before     func(*fixture)
		creds      func(*testing.T, *fixture) aws.CredentialsProvider
		wantARN    string
		wantErr    string
		wantStatus int
	}{
		{
			name:    "long-term key",
			creds:   func(t *testing.T, f *fixture) aws.CredentialsProvider { return userCreds(f.alice) },
			wantARN: "arn:aws:iam::" + accountA + ":user/alice",
		},
		{
			name:    "session key and token",
			creds:   func(t *testing.T, f *fixture) aws.CredentialsProvider { return f.session },
			wantARN: "arn:aws:iam::" + accountA + ":user/alice",
		},
		{
			name: "wrong secret",
			creds: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				return credentials.NewStaticCredentialsProvider(f.alice.AccessKeyID, "wrong"+f.alice.SecretAccessKey[5:], "")
			},
			wantErr: "SignatureDoesNotMatch", wantStatus: http.StatusForbidden,
		},
		{
			name: "unknown key",
			creds: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				return credentials.NewStaticCredentialsProvider("AKIAUNKNOWN000000000", f.alice.SecretAccessKey, "")
			},
			wantErr: "InvalidClientTokenId", wantStatus: http.StatusForbidden,
		},
		{
			name: "session key without its token",
			creds: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				c, _ := f.session.Retrieve(testContext(t))
				return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")
			},
			wantErr: "InvalidClientTokenId", wantStatus: http.StatusForbidden,
		},
		{
			name: "session key with another session's token",
			creds: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				c, _ := f.session.Retrieve(testContext(t))
				other := getSessionToken(t, f.s, f.alice, nil)
				return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, aws.ToString(other.SessionToken))
			},
			wantErr: "InvalidClientTokenId", wantStatus: http.StatusForbidden,
		},
		{
			name: "long-term key with a session token",
			creds: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				c, _ := f.session.Retrieve(testContext(t))
				return credentials.NewStaticCredentialsProvider(f.alice.AccessKeyID, f.alice.SecretAccessKey, c.SessionToken)
			},
			wantErr: "InvalidClientTokenId", wantStatus: http.StatusForbidden,
		},
		{
			name: "session key with wrong secret",
			creds: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				c, _ := f.session.Retrieve(testContext(t))
				return credentials.NewStaticCredentialsProvider(c.AccessKeyID, f.alice.SecretAccessKey, c.SessionToken)
			},
			wantErr: "SignatureDoesNotMatch", wantStatus: http.StatusForbidden,
		},
		{
			name:       "expired session",
			before:     func(f *fixture) { f.clock.Advance(12*time.Hour + time.Second) },
			creds:      func(t *testing.T, f *fixture) aws.CredentialsProvider { return f.session },
			wantErr:    "ExpiredToken",
			wantStatus: http.StatusBadRequest,
		},
		{
			name:    "session just before expiry",
			before:  func(f *fixture) { f.clock.Advance(12*time.Hour - time.Second) },
			creds:   func(t *testing.T, f *fixture) aws.CredentialsProvider { return f.session },
			wantARN: "arn:aws:iam::" + accountA + ":user/alice",
		},
		{
			name:    "unsigned",
			creds:   func(t *testing.T, f *fixture) aws.CredentialsProvider { return aws.AnonymousCredentials{} },
			wantErr: "MissingAuthenticationToken", wantStatus: http.StatusForbidden,
		},
		{
			name:    "GovCloud key in a GovCloud region",
			region:  "us-gov-west-1",
			creds:   func(t *testing.T, f *fixture) aws.CredentialsProvider { return userCreds(f.gov) },
			wantARN: "arn:aws-us-gov:iam::" + accountA + ":user/alice",
		},
		{
			name:    "GovCloud key in a commercial region",
			region:  "us-east-1",
			creds:   func(t *testing.T, f *fixture) aws.CredentialsProvider { return userCreds(f.gov) },
			wantErr: "InvalidClientTokenId", wantStatus: http.StatusForbidden,
		},
		{
			name:    "no region in the credential scope",
			region:  "-",
			creds:   func(t *testing.T, f *fixture) aws.CredentialsProvider { return userCreds(f.alice) },
			wantErr: "SignatureDoesNotMatch", wantStatus: http.StatusForbidden,
		},
		{
			name:    "commercial key in a China region",
			region:  "cn-north-1",
			creds:   func(t *testing.T, f *fixture) aws.CredentialsProvider { return userCreds(f.alice) },
			wantErr: "InvalidClientTokenId", wantStatus: http.StatusForbidden,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			creds := tt.creds(t, f)
			if tt.before != nil {
				tt.before(f)
			}
			region := tt.region
			switch region {
			case "":
				region = "us-east-1"
			case "-":
				region = ""
			}
			out, err := newClient(f.s, region, creds).GetCallerIdentity(testContext(t), &sts.GetCallerIdentityInput{})
			checkErr(t, err, tt.wantErr, "")
			if tt.wantErr != "" {
				if got := httpStatus(err); got != tt.wantStatus {
					t.Errorf("HTTP status = %d, want %d", got, tt.wantStatus)
				}
				if c := lastCall(t, f.s); c.ErrorCode != tt.wantErr || c.CallerARN != "" {
					t.Errorf("logged %+v, want ErrorCode %s and no caller", c, tt.wantErr)
				}
				return
			}
			if got := aws.ToString(out.Arn); got != tt.wantARN {
				t.Errorf("Arn = %s, want %s", got, tt.wantARN)
			}
		})
	}
}

func TestSignatureMessages(t *testing.T) {
	s, _ := newTestServer(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	_, err := newClient(s, "us-east-1", credentials.NewStaticCredentialsProvider("AKIAUNKNOWN000000000", "x", "")).
		GetCallerIdentity(testContext(t), nil)
	checkErr(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")

	creds := sessionCreds(getSessionToken(t, s, u, nil))
	s.SetClock(func() time.Time { return time.Now().Add(13 * time.Hour) })
	_, err = newClient(s, "us-east-1", creds).GetCallerIdentity(testContext(t), nil)
	checkErr(t, err, "ExpiredToken", "The security token included in the request is expired")
}

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		header  string
		want    authorization
		wantErr bool
	}{
		{
			header: "AWS4-HMAC-SHA256 Credential=AKIAX/20300101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
			want: authorization{accessKeyID: "AKIAX", date: "20300101", region: "us-east-1", service: "sts",
				terminator: "aws4_request", signedHeaders: []string{"host", "x-amz-date"}, signature: "abc"},
		},
		{header: "Bearer abc", wantErr: true},
		{header: "AWS4-HMAC-SHA256 Credential=AKIAX/20300101/us-east-1/sts/aws4_request", wantErr: true},
		{header: "AWS4-HMAC-SHA256 Credential=AKIAX/us-east-1, SignedHeaders=host, Signature=abc", wantErr: true},
		{header: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseAuthorization(tt.header)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseAuthorization(%q) error = %v, wantErr %v", tt.header, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && (got.accessKeyID != tt.want.accessKeyID || got.date != tt.want.date || got.region != tt.want.region ||
			got.service != tt.want.service || got.terminator != tt.want.terminator || got.signature != tt.want.signature ||
			len(got.signedHeaders) != len(tt.want.signedHeaders)) {
			t.Errorf("parseAuthorization(%q) = %+v, want %+v", tt.header, got, tt.want)
		}
	}
}
