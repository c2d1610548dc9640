package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"

	"github.com/awsrun/awsrun/creds/warm"
)

// testContext bounds a test.
func testContext(t *testing.T) context.Context {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := t.Deadline(); ok && d.Add(-time.Second).Before(deadline) {
		deadline = d.Add(-time.Second)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

var keyCounter struct {
	sync.Mutex
	n int
}

// fakeCreds are credentials expiring at exp with a key id of their own.
func fakeCreds(exp time.Time) warm.Credentials {
	keyCounter.Lock()
	defer keyCounter.Unlock()
	keyCounter.n++
	return warm.Credentials{
		AccessKeyID:     fmt.Sprintf("ASIATEST%012d", keyCounter.n),
		SecretAccessKey: "secret-" + fmt.Sprint(keyCounter.n),
		SessionToken:    "token-" + fmt.Sprint(keyCounter.n),
		Expiration:      exp.UTC().Truncate(time.Second),
	}
}

// get asks the endpoint with the given Authorization headers (none when
// auth is nil).
func get(t *testing.T, url string, auth []string, mutate ...func(*http.Request)) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range auth {
		req.Header.Add("Authorization", a)
	}
	for _, m := range mutate {
		m(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func startServer(t *testing.T, c Config) *Server {
	t.Helper()
	if c.Source == nil {
		c.Source = func(context.Context, time.Duration) (warm.Credentials, error) {
			return warm.Credentials{}, errors.New("no refresh in this test")
		}
	}
	s, err := Start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestServesCredentialsAsTheECSEndpoint(t *testing.T) {
	c := fakeCreds(time.Now().Add(time.Hour))
	s := startServer(t, Config{Initial: c})
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || !strings.HasSuffix(s.URL, Path) {
		t.Errorf("URL = %s", s.URL)
	}
	if len(s.Token) < 40 {
		t.Errorf("token %d characters long, want 32 random bytes", len(s.Token))
	}
	status, h, body := get(t, s.URL, []string{s.Token})
	if status != http.StatusOK || h.Get("Content-Type") != "application/json" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, headers %v", status, h)
	}
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	want := map[string]string{
		"AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey, "Token": c.SessionToken,
		"Expiration": c.Expiration.Format(time.RFC3339),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("body = %v, want %v", got, want)
	}

	// A second server has a token of its own.
	if other := startServer(t, Config{Initial: c}); other.Token == s.Token {
		t.Error("two servers made the same token")
	}
}

func TestRefusesWhatIsNotTheChild(t *testing.T) {
	s := startServer(t, Config{Initial: fakeCreds(time.Now().Add(time.Hour))})
	base := strings.TrimSuffix(s.URL, Path)
	wrong := "x" + s.Token[1:] // the token with its first character changed
	if wrong == s.Token {
		wrong = "y" + s.Token[1:]
	}
	tests := []struct {
		name   string
		url    string
		auth   []string
		mutate func(*http.Request)
		want   int
	}{
		{"no token", s.URL, nil, nil, http.StatusUnauthorized},
		{"empty token", s.URL, []string{""}, nil, http.StatusForbidden},
		{"wrong token", s.URL, []string{wrong}, nil, http.StatusForbidden},
		{"token prefix", s.URL, []string{s.Token[:len(s.Token)-1]}, nil, http.StatusForbidden},
		{"token with a suffix", s.URL, []string{s.Token + "x"}, nil, http.StatusForbidden},
		{"Bearer token", s.URL, []string{"Bearer " + s.Token}, nil, http.StatusForbidden},
		{"token twice", s.URL, []string{s.Token, s.Token}, nil, http.StatusForbidden},
		{"other path", base + "/v2/credentials", []string{s.Token}, nil, http.StatusNotFound},
		{"path with a suffix", s.URL + "/x", []string{s.Token}, nil, http.StatusNotFound},
		{"root", base + "/", []string{s.Token}, nil, http.StatusNotFound},
		{"POST", s.URL, []string{s.Token}, func(r *http.Request) { r.Method = http.MethodPost }, http.StatusMethodNotAllowed},
		{"foreign Host", s.URL, []string{s.Token}, func(r *http.Request) { r.Host = "rebound.example:" + s.port }, http.StatusForbidden},
		{"Host with another port", s.URL, []string{s.Token}, func(r *http.Request) { r.Host = "127.0.0.1:1" }, http.StatusForbidden},
		{"localhost", s.URL, []string{s.Token}, func(r *http.Request) { r.Host = "localhost:" + s.port }, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := get(t, tt.url, tt.auth, func(r *http.Request) {
				if tt.mutate != nil {
					tt.mutate(r)
				}
			})
			if status != tt.want {
				t.Fatalf("status %d, want %d; body %s", status, tt.want, body)
			}
			if status == http.StatusOK {
				return
			}
			var e map[string]string
			if err := json.Unmarshal(body, &e); err != nil || e["code"] == "" || e["message"] == "" || len(e) != 2 {
				t.Errorf("error body %q, want {code, message}", body)
			}
			if h.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
			if strings.Contains(string(body), "ASIA") || strings.Contains(string(body), s.Token) {
				t.Errorf("a refusal gives away a key id or the token: %s", body)
			}
			// Whoever probes the port (and may bind it once awsrun is
			// gone) learns nothing of what it serves.
			if tt.auth == nil || tt.want != http.StatusForbidden || strings.Contains(tt.name, "Host") {
				for _, tell := range []string{"AWS_", "awsrun", Path, "token", "Authorization", "GET", "127.0.0.1", "localhost"} {
					if strings.Contains(string(body), tell) {
						t.Errorf("refusal %s says %q", body, tell)
					}
				}
			}
		})
	}
}

// TestRefusesRemotePeers calls the handler as a connection from another
// machine would reach it, were the socket not bound to 127.0.0.1.
func TestRefusesRemotePeers(t *testing.T) {
	s := startServer(t, Config{Initial: fakeCreds(time.Now().Add(time.Hour))})
	for _, peer := range []string{"192.0.2.10:40000", "[2001:db8::1]:40000", "169.254.170.2:1", "garbage", ""} {
		req := httptest.NewRequest(http.MethodGet, s.URL, nil)
		req.RemoteAddr = peer
		req.Header.Set("Authorization", s.Token)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden || strings.Contains(w.Body.String(), "ASIA") {
			t.Errorf("peer %q: status %d, body %s", peer, w.Code, w.Body)
		}
	}
	for _, peer := range []string{"127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:5000"} {
		req := httptest.NewRequest(http.MethodGet, s.URL, nil)
		req.RemoteAddr = peer
		req.Header.Set("Authorization", s.Token)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Errorf("peer %q: status %d, body %s", peer, w.Code, w.Body)
		}
	}
}

func TestBoundsRequestHeaders(t *testing.T) {
	s := startServer(t, Config{Initial: fakeCreds(time.Now().Add(time.Hour))})
	status, _, _ := get(t, s.URL, []string{s.Token}, func(r *http.Request) {
		r.Header.Set("X-Padding", strings.Repeat("a", 64<<10))
	})
	if status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB of headers: status %d, want 431", status)
	}
}

func TestClosedServerIsGone(t *testing.T) {
	s := startServer(t, Config{Initial: fakeCreds(time.Now().Add(time.Hour))})
	addr := strings.TrimPrefix(strings.TrimSuffix(s.URL, Path), "http://")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("%s still accepts connections after Close", addr)
	}
}

// TestSDKProvider reads the endpoint with the Go SDK's own provider, which
// is what a child's LoadDefaultConfig builds from
// AWS_CONTAINER_CREDENTIALS_FULL_URI: the answer's shape and the error's.
func TestSDKProvider(t *testing.T) {
	c := fakeCreds(time.Now().Add(time.Hour))
	s := startServer(t, Config{Initial: c})
	got, err := endpointcreds.New(s.URL, func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token }).Retrieve(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != c.AccessKeyID || got.SecretAccessKey != c.SecretAccessKey || got.SessionToken != c.SessionToken ||
		!got.CanExpire || !got.Expires.Equal(c.Expiration) {
		t.Errorf("SDK read %+v, want %s expiring %s", got, c, c.Expiration)
	}
	_, err = endpointcreds.New(s.URL, func(o *endpointcreds.Options) { o.AuthorizationToken = "wrong" }).Retrieve(testContext(t))
	if err == nil || !strings.Contains(err.Error(), "AccessDenied: wrong authorization token") {
		t.Errorf("wrong token: SDK error %v, want the endpoint's code and message", err)
	}
}
