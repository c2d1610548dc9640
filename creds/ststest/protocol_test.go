package ststest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawReply is an HTTP answer, decoded as an ErrorResponse when it is one.
type rawReply struct {
	status    int
	header    http.Header
	body      string
	errorBody struct {
		XMLName xml.Name
		Error   struct{ Type, Code, Message string }
		ID      string `xml:"RequestId"`
	}
}

// doRaw sends a request built by hand, signed for u in us-east-1 unless u is
// nil; edit changes it after signing.
func doRaw(t *testing.T, s *Server, method, body string, u *User, edit func(*http.Request)) rawReply {
	t.Helper()
	req, err := http.NewRequestWithContext(testContext(t), method, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if u != nil {
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: u.AccessKeyID, SecretAccessKey: u.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(testContext(t), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := rawReply{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if resp.StatusCode != http.StatusOK {
		if err := xml.Unmarshal(b, &r.errorBody); err != nil {
			t.Fatalf("error body is not XML: %v\n%s", err, b)
		}
	}
	return r
}

func TestProtocol(t *testing.T) {
	const callerIdentity = "Action=GetCallerIdentity&Version=2011-06-15"
	tests := []struct {
		name       string
		method     string
		body       string
		unsigned   bool
		edit       func(*http.Request)
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{name: "signed POST", body: callerIdentity, wantStatus: 200},
		{
			name: "unsigned header added after signing", body: callerIdentity, wantStatus: 200,
			edit: func(r *http.Request) { r.Header.Set("X-Forwarded-For", "10.0.0.1") },
		},
		{
			name: "GET", method: http.MethodGet, body: "", wantStatus: 405, wantCode: "MethodNotAllowed",
		},
		{
			name: "wrong version", body: "Action=GetCallerIdentity&Version=2010-01-01", wantStatus: 400, wantCode: "InvalidAction",
			wantMsg: "Could not find operation GetCallerIdentity for version 2010-01-01",
		},
		{
			name: "no version", body: "Action=GetCallerIdentity", wantStatus: 400, wantCode: "InvalidAction",
			wantMsg: "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED",
		},
		{
			name: "unknown action", body: "Action=GetAccessKeyInfo&Version=2011-06-15", wantStatus: 400, wantCode: "InvalidAction",
			wantMsg: "Could not find operation GetAccessKeyInfo for version 2011-06-15",
		},
		{name: "no action", body: "Version=2011-06-15", wantStatus: 400, wantCode: "MissingAction"},
		{name: "malformed form", body: "Action=%zz", wantStatus: 400, wantCode: "MalformedQueryString"},
		{
			name: "body changed after signing", body: callerIdentity, wantStatus: 403, wantCode: "SignatureDoesNotMatch",
			edit: func(r *http.Request) {
				b := "Action=GetCallerIdentity&Version=2011-06-15&X=1"
				r.Body, r.ContentLength = io.NopCloser(strings.NewReader(b)), int64(len(b))
			},
		},
		{
			name: "signed header changed after signing", body: callerIdentity, wantStatus: 403, wantCode: "SignatureDoesNotMatch",
			edit: func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") },
		},
		{
			name: "date changed after signing", body: callerIdentity, wantStatus: 403, wantCode: "SignatureDoesNotMatch",
			edit: func(r *http.Request) {
				r.Header.Set("X-Amz-Date", time.Now().Add(time.Second).UTC().Format("20060102T150405Z"))
			},
		},
		{
			name: "scoped to another service", body: callerIdentity, wantStatus: 403, wantCode: "SignatureDoesNotMatch",
			wantMsg: "Credential should be scoped to correct service: 'sts'.",
			edit: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/sts/", "/s3/", 1))
			},
		},
		{
			name: "no X-Amz-Date", body: callerIdentity, wantStatus: 400, wantCode: "IncompleteSignature",
			edit: func(r *http.Request) { r.Header.Del("X-Amz-Date") },
		},
		{
			name: "garbled Authorization", body: callerIdentity, wantStatus: 400, wantCode: "IncompleteSignature",
			edit: func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage") },
		},
		{
			name: "no Authorization", body: callerIdentity, unsigned: true, wantStatus: 403, wantCode: "MissingAuthenticationToken",
			wantMsg: "Request is missing Authentication Token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			if tt.unsigned {
				u = nil
			}
			r := doRaw(t, s, method, tt.body, u, tt.edit)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d\n%s", r.status, tt.wantStatus, r.body)
			}
			if r.header.Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId header")
			}
			if tt.wantStatus == 200 {
				if !strings.Contains(r.body, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`) {
					t.Errorf("body lacks the namespaced response element:\n%s", r.body)
				}
				return
			}
			e := r.errorBody
			if e.XMLName.Local != "ErrorResponse" || e.XMLName.Space != namespace {
				t.Errorf("root element = %v, want ErrorResponse in %s", e.XMLName, namespace)
			}
			if e.Error.Code != tt.wantCode || e.Error.Type != "Sender" || e.ID == "" {
				t.Errorf("error = %+v, want Sender %s with a RequestId", e, tt.wantCode)
			}
			if !strings.Contains(e.Error.Message, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", e.Error.Message, tt.wantMsg)
			}
			if e.ID != r.header.Get("X-Amzn-Requestid") {
				t.Errorf("body RequestId %s differs from header %s", e.ID, r.header.Get("X-Amzn-Requestid"))
			}
		})
	}
}

func TestResponseShape(t *testing.T) {
	s, _ := newTestServer(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	r := doRaw(t, s, http.MethodPost, "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900", u, nil)
	var got struct {
		XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ GetSessionTokenResponse"`
		Result  struct {
			Credentials struct {
				AccessKeyID                               string `xml:"AccessKeyId"`
				SecretAccessKey, SessionToken, Expiration string
			}
		} `xml:"GetSessionTokenResult"`
		Metadata struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}
	if err := xml.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatalf("%v\n%s", err, r.body)
	}
	c := got.Result.Credentials
	if !strings.HasPrefix(c.AccessKeyID, "ASIA") || len(c.AccessKeyID) != 20 {
		t.Errorf("AccessKeyId = %q, want ASIA and 16 more characters", c.AccessKeyID)
	}
	if len(c.SecretAccessKey) != 40 || len(c.SessionToken) < 400 {
		t.Errorf("secret of %d characters, token of %d; want 40 and a long token", len(c.SecretAccessKey), len(c.SessionToken))
	}
	want := s.Now().Add(900 * time.Second).UTC().Truncate(time.Second).Format(time.RFC3339)
	if c.Expiration != want {
		t.Errorf("Expiration = %s, want %s", c.Expiration, want)
	}
	if got.Metadata.RequestID == "" || got.Metadata.RequestID != r.header.Get("X-Amzn-Requestid") {
		t.Errorf("RequestId = %q, header %q", got.Metadata.RequestID, r.header.Get("X-Amzn-Requestid"))
	}
}
