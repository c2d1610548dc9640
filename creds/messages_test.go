package creds

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDurationSecondsNotANumberIsSaid guards against "0s out of range"
// for duration_seconds = abc, which the SDK reads as 0.
func TestDurationSecondsNotANumberIsSaid(t *testing.T) {
	writeFiles(t, role101+"duration_seconds = abc\n", seedCredentials)
	_, err := LoadChain(context.Background(), "role101", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), `duration_seconds = "abc" is not a number of seconds`) {
		t.Fatalf("err = %v", err)
	}
	if h := errHint(err); !strings.Contains(h, "900 and 43200") {
		t.Errorf("hint %q", h)
	}
}

// TestMissingCredentialsFileIsSaid guards against "add keys to [user101]"
// when there is no credentials file at all, whether the source profile is
// in the config file or nowhere.
func TestMissingCredentialsFileIsSaid(t *testing.T) {
	for _, config := range []string{role101 + "[profile user101]\nregion = us-east-1\n", role101} {
		_, credsFile := writeFiles(t, config, "")
		os.Remove(credsFile)
		_, err := LoadChain(context.Background(), "role101", LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), "the credentials file "+credsFile+" does not exist") {
			t.Fatalf("err = %v", err)
		}
		if h := errHint(err); !strings.HasPrefix(h, "create "+credsFile+" with [user101]") {
			t.Errorf("hint %q", h)
		}
	}
	// With the file there, the keys are what is missing.
	writeFiles(t, role101+"[profile user101]\nregion = us-east-1\n", "[other]\n")
	_, err := LoadChain(context.Background(), "role101", LoadOptions{})
	if err == nil || strings.Contains(err.Error(), "does not exist") || !strings.HasPrefix(errHint(err), "add aws_access_key_id") {
		t.Errorf("with a credentials file: err = %v, hint %q", err, errHint(err))
	}
}

// TestSSOProfileMissingAccountIDNamesTheKey guards against "sign in
// again" for an SSO profile that lacks sso_account_id.
func TestSSOProfileMissingAccountIDNamesTheKey(t *testing.T) {
	f := newFixture(t, "")
	ssoSource(t, f, time.Now().Add(time.Hour))
	b, _ := os.ReadFile(os.Getenv("AWS_CONFIG_FILE"))
	os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte(strings.Replace(string(b), "sso_account_id = "+acct+"\n", "", 1)), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := LoadChain(ctx, "dev", LoadOptions{})
	if err == nil {
		_, err = f.resolver(nil).Retrieve(ctx, c)
	}
	if err == nil || !strings.Contains(err.Error(), "profile dev: the SSO profile has no sso_account_id") {
		t.Fatalf("err = %v", err)
	}
	if h := errHint(err); !strings.Contains(h, "add sso_account_id to [profile dev]") {
		t.Errorf("hint %q", h)
	}
}

// TestUndecodableSTSErrorShowsTheHTTPStatus guards against
// "UnknownError: UnknownError": an error answer that is not STS's (a
// proxy's page) is said with its HTTP status.
func TestUndecodableSTSErrorShowsTheHTTPStatus(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("<html><body>Blocked by the corporate proxy</body></html>"))
	}))
	defer proxy.Close()
	f := newFixture(t, role101)
	t.Setenv("AWS_ENDPOINT_URL_STS", proxy.URL)
	_, err := f.retrieve(t, f.resolver(nil), "role101", LoadOptions{})
	if err == nil {
		t.Fatal("no error")
	}
	if want := "GetSessionToken: STS at " + proxy.URL + " answered HTTP 403 with a body that is not an STS error"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v\nwant %q", err, want)
	}
	if h := errHint(err); !strings.Contains(h, "did not come from STS") {
		t.Errorf("hint %q", h)
	}
}
