package ststest

import (
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"
)

// apiVersion is the only STS API version there is.
const apiVersion = "2011-06-15"

// maxBodyBytes bounds a request body; STS requests are a few kilobytes.
const maxBodyBytes = 1 << 20

// Server is a fake STS endpoint. Create it with NewServer.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:PORT, for BaseEndpoint
	// or AWS_ENDPOINT_URL_STS.
	URL string

	srv       *httptest.Server
	done      chan struct{} // closed by Close, to end injected delays
	closeOnce sync.Once

	mu       sync.Mutex
	now      func() time.Time
	lifetime time.Duration
	roleLife time.Duration          // SetRoleCredentialLifetime
	users    map[string]*User       // by ARN
	roles    map[string]*Role       // by ARN
	devices  map[string]*MFADevice  // by serial number
	keys     map[string]*credential // by access key id, long-term and temporary
	calls    []Call
	faults   []*fault
	iam      *iamState // the fake IAM, started by IAMURL
}

// NewServer starts a fake STS server on 127.0.0.1 at a random port.
func NewServer() *Server {
	s := &Server{
		done:    make(chan struct{}),
		now:     time.Now,
		users:   map[string]*User{},
		roles:   map[string]*Role{},
		devices: map[string]*MFADevice{},
		keys:    map[string]*credential{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close ends pending injected delays, then shuts the server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.srv.Close()
		s.closeIAM()
	})
}

// SetClock sets the clock used to issue and expire credentials, to measure
// MFA age and to validate TOTP codes; the default is time.Now. The server
// calls now with its lock held, so now must not call the server.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Now returns the time on the server's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return s.now() }

// SetCredentialLifetime makes credentials issued from now on expire after d,
// whatever DurationSeconds asked for; 0 restores normal lifetimes.
func (s *Server) SetCredentialLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// SetRoleCredentialLifetime makes role sessions issued from now on expire
// after d, whatever DurationSeconds asked for and whatever
// SetCredentialLifetime says, so that a test can let role credentials run
// out many times during one MFA session; 0 restores normal lifetimes.
func (s *Server) SetRoleCredentialLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roleLife = d
}

// serve answers one STS request. The call is logged before the reply is
// written, so a client that has its answer finds its call in the log.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	form, formErr := url.ParseQuery(string(body))
	presigned := isPresigned(r)
	if presigned {
		form, formErr = r.URL.Query(), nil
	}
	call := newCall(r, form, s.Now())

	reply, ok := s.injectedReply(r.Context(), &call, requestID)
	if !ok {
		var result any
		var err *apiError
		switch {
		case presigned:
			result, err = s.servePresigned(r, form, &call)
		default:
			if err = postError(r, body, readErr, formErr); err == nil {
				result, err = s.dispatch(r, body, form, &call)
			}
		}
		if err != nil {
			call.ErrorCode = err.code
		}
		switch {
		case presigned && wantsJSON(r):
			reply = jsonReply(call.Action, result, err, requestID)
		case err != nil:
			reply = errorReply(err, requestID)
		default:
			reply = resultReply(call.Action, result, requestID)
		}
	}
	s.record(call)
	// Date by the server's clock, as AWS's own: a client compares it with
	// its clock to see a skew.
	w.Header().Set("Date", s.Now().UTC().Format(http.TimeFormat))
	if reply == nil {
		// The client left, or the server is closing, during an injected
		// delay: drop the connection rather than send an empty 200.
		panic(http.ErrAbortHandler)
	}
	reply.write(w)
}

// postError refuses a request that is not a form-encoded POST of at most
// maxBodyBytes, as STS and IAM do; nil for one that is.
func postError(r *http.Request, body []byte, readErr, formErr error) *apiError {
	switch {
	case r.Method != http.MethodPost:
		return &apiError{http.StatusMethodNotAllowed, "MethodNotAllowed", "The " + r.Method + " method is not allowed: send a form-encoded POST."}
	case readErr != nil || len(body) > maxBodyBytes:
		return &apiError{http.StatusBadRequest, "MalformedInput", "The request body could not be read or is too large."}
	case formErr != nil:
		return &apiError{http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form-encoded query string."}
	}
	return nil
}

// dispatch authenticates the request and runs its action.
func (s *Server) dispatch(r *http.Request, body []byte, form url.Values, call *Call) (any, *apiError) {
	name, version := form.Get("Action"), form.Get("Version")
	if name == "" {
		return nil, &apiError{http.StatusBadRequest, "MissingAction", "Missing Action"}
	}
	a, ok := actions[name]
	if !ok || version != apiVersion {
		return nil, invalidAction(name, version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var caller *credential
	if a.signed {
		var err *apiError
		if caller, err = s.authenticateLocked(r, body); err != nil {
			return nil, err
		}
		call.CallerARN = caller.principal.arn
	}
	return a.run(s, caller, form)
}

// newRequestID returns a random UUID, the form of AWS request ids.
func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
