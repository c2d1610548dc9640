package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

// Path is the one path the endpoint serves.
const Path = "/awsrun/v1/credentials"

// DefaultLead is how long the served credentials stay valid at least, when
// their lifetime allows: botocore starts refreshing 15 minutes before
// expiry (the Go SDK 5), so a child's SDK never finds them about to end.
const DefaultLead = 15 * time.Minute

const (
	// maxHeaderBytes bounds a request's headers; the SDKs send well under 1 KiB.
	maxHeaderBytes = 16 << 10
	// waitForRefresh is how long a request may wait for a refresh under way
	// when nothing valid is left: below botocore's 2-second timeout.
	waitForRefresh = 1500 * time.Millisecond
	// closeWait bounds how long Close waits for a refresh to give up.
	closeWait = 5 * time.Second
)

// Source gets new credentials that stay valid for more than minLeft; it is
// called by the refresh loop only, one call at a time, never by a request.
type Source func(ctx context.Context, minLeft time.Duration) (warm.Credentials, error)

// Clock tells the time and waits. Tests compress it; nil is the real one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Config sets up a Server.
type Config struct {
	// Initial is what the endpoint serves first: the credentials awsrun got
	// before it started the command.
	Initial warm.Credentials
	// Source refreshes them.
	Source Source
	// Lead is how long the served credentials must stay valid; 0:
	// DefaultLead. Credentials that live less than twice as long are
	// refreshed at half their life.
	Lead time.Duration
	// Clock is the time; nil: the real clock.
	Clock Clock
	// Notify receives what the user must hear without -v: refreshing fails,
	// refreshing works again. Nil: nothing is said.
	Notify func(msg string)
	// Log receives what -v shows: each refresh, each request refused, and
	// what the HTTP server itself has to say. Nil: quiet.
	Log func(format string, args ...any)
}

// Server is a running endpoint. Its URL and Token are what the child gets
// in AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN.
type Server struct {
	URL   string
	Token string

	cfg   Config
	clock Clock
	lead  time.Duration
	http  *http.Server
	port  string

	cancel  context.CancelFunc
	stopped chan struct{} // closed when the refresh loop and the HTTP server have ended

	mu         sync.Mutex
	creds      warm.Credentials
	got        time.Time     // when creds arrived, to tell their lifetime
	changed    chan struct{} // closed and replaced whenever the state changes
	refreshing bool
	err        error // why the last refresh failed; nil after one that worked
	closeOnce  sync.Once
}

// Start listens on 127.0.0.1 at a port the kernel picks, makes a fresh
// token, and starts serving c.Initial and refreshing it. The listening
// socket is close-on-exec, as Go opens every descriptor: a command started
// later does not inherit it.
func Start(c Config) (*Server, error) {
	if c.Source == nil {
		return nil, errors.New("server: no Source")
	}
	if !c.Initial.Expiration.IsZero() && c.Initial.AccessKeyID == "" {
		return nil, errors.New("server: no initial credentials")
	}
	token, err := newToken()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1 for the credentials endpoint: %w", err)
	}
	s := &Server{
		Token:   token,
		cfg:     c,
		clock:   c.Clock,
		lead:    c.Lead,
		stopped: make(chan struct{}),
		creds:   c.Initial,
		changed: make(chan struct{}),
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.lead <= 0 {
		s.lead = DefaultLead
	}
	// Their lifetime is judged from what is left: the caller replaces
	// cached credentials that are half spent before it starts the server.
	s.got = s.clock.Now()
	_, s.port, _ = net.SplitHostPort(ln.Addr().String())
	s.URL = "http://127.0.0.1:" + s.port + Path
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		// Not the standard logger's stderr: the terminal is the command's.
		ErrorLog: log.New(logWriter{s.logf}, "credentials endpoint: ", 0),
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		_ = s.http.Serve(ln) // ends with http.ErrServerClosed on Close
	}()
	go func() {
		defer wg.Done()
		s.refreshLoop(ctx)
	}()
	go func() {
		wg.Wait()
		close(s.stopped)
	}()
	return s, nil
}

// Close stops serving — connections are closed, the port is free — and
// stops refreshing, waiting a few seconds at most for a refresh under way
// to give up.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.cancel()
		err = s.http.Close()
		t := time.NewTimer(closeWait)
		defer t.Stop()
		select {
		case <-s.stopped:
		case <-t.C:
		}
	})
	return err
}

// Current returns the credentials the endpoint serves now and why the last
// refresh failed, if it did.
func (s *Server) Current() (warm.Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.creds, s.err
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making the endpoint's token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// endpointError is the error body the SDKs decode: the Go SDK reads code
// and message when the Content-Type is exactly application/json, botocore
// shows the body as it is.
type endpointError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// answer is the body of the ECS container-credentials endpoint.
type answer struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration,omitempty"`
}

// ServeHTTP answers one request: the checks come first, cheapest and least
// revealing first, and none of them reads a body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case !loopbackPeer(r.RemoteAddr):
		s.refuse(w, http.StatusForbidden, "AccessDenied", "forbidden", "only processes on this machine may ask", r)
		return
	case !s.ownHost(r.Host):
		s.refuse(w, http.StatusForbidden, "AccessDenied", "forbidden", "the Host header must name 127.0.0.1 or localhost", r)
		return
	case r.URL.Path != Path:
		s.refuse(w, http.StatusNotFound, "NotFound", "not found", "no such path: the endpoint is "+Path, r)
		return
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", http.MethodGet)
		s.refuse(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "method not allowed", "use GET", r)
		return
	}
	auth, present := r.Header["Authorization"]
	switch {
	case !present:
		s.refuse(w, http.StatusUnauthorized, "AccessDenied", "unauthorized", "no Authorization header: the token is in AWS_CONTAINER_AUTHORIZATION_TOKEN", r)
		return
	case len(auth) != 1 || subtle.ConstantTimeCompare([]byte(auth[0]), []byte(s.Token)) != 1:
		s.refuse(w, http.StatusForbidden, "AccessDenied", "wrong authorization token", "wrong authorization token", r)
		return
	}
	c, err := s.serveable(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, endpointError{Code: "CredentialsUnavailable", Message: err.Error()})
		return
	}
	a := answer{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken}
	if !c.Expiration.IsZero() {
		a.Expiration = c.Expiration.UTC().Format(time.RFC3339)
	}
	writeJSON(w, http.StatusOK, a)
}

// refuse answers a request that gets no credentials. The body says as
// little as HTTP's status does: after awsrun ends, another user may bind
// the port, and a request to it must not learn from a refusal that this
// was awsrun's endpoint, its path or its variables. Why it was refused
// (why) goes to -v's log, for the user.
func (s *Server) refuse(w http.ResponseWriter, status int, code, msg, why string, r *http.Request) {
	s.logf("credentials endpoint: refused %s %q from %s: %d %s", r.Method, r.URL.Path, r.RemoteAddr, status, why)
	writeJSON(w, status, endpointError{Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("server: " + err.Error()) // plain strings: cannot fail
	}
	h := w.Header()
	h.Set("Content-Type", "application/json") // exactly: the Go SDK compares it
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// loopbackPeer reports whether addr, a RemoteAddr, is a loopback address.
func loopbackPeer(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// ownHost reports whether a Host header names this endpoint.
func (s *Server) ownHost(host string) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil || port != s.port {
		return false
	}
	return h == "127.0.0.1" || h == "localhost"
}

// serveable returns the credentials to answer with, or why there are none
// worth serving. Only when nothing valid is left and a refresh is under way
// does it wait, briefly, for that refresh.
func (s *Server) serveable(ctx context.Context) (warm.Credentials, error) {
	timer := time.NewTimer(waitForRefresh)
	defer timer.Stop()
	for {
		s.mu.Lock()
		c, got, err, refreshing, changed := s.creds, s.got, s.err, s.refreshing, s.changed
		s.mu.Unlock()
		now := s.clock.Now()
		if c.Expiration.IsZero() || c.Expiration.Sub(now) > floor(c.Expiration.Sub(got)) {
			return c, nil
		}
		if !refreshing {
			return warm.Credentials{}, unavailable(c, now, err)
		}
		select {
		case <-changed:
		case <-timer.C:
			return warm.Credentials{}, unavailable(c, now, err)
		case <-ctx.Done():
			return warm.Credentials{}, ctx.Err()
		}
	}
}

func unavailable(c warm.Credentials, now time.Time, err error) error {
	what := "expired"
	if c.Expiration.After(now) {
		what = "are about to expire"
	}
	if err == nil {
		return fmt.Errorf("awsrun's credentials %s and a refresh is under way: try again", what)
	}
	return fmt.Errorf("awsrun's credentials %s and awsrun cannot refresh them: %v", what, err)
}

// logWriter turns the HTTP server's log lines into Log calls.
type logWriter struct {
	logf func(format string, args ...any)
}

func (w logWriter) Write(p []byte) (int, error) {
	w.logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Log != nil {
		s.cfg.Log(format, args...)
	}
}
