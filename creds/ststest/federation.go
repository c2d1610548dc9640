package ststest

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Federation is a fake of the AWS sign-in federation endpoint
// (https://signin.aws.amazon.com/federation and its partitions' twins),
// which turns temporary credentials into a console sign-in URL:
//
//   - GET /federation?Action=getSigninToken&Session=JSON[&SessionDuration=N]
//     checks the session JSON (sessionId, sessionKey, sessionToken) against
//     the credentials the Server issued — known, matching, unexpired by the
//     server clock — and answers {"SigninToken": "…"};
//   - GET /federation?Action=login&Issuer=…&Destination=…&SigninToken=…
//     answers 302 to Destination, a console URL of the credentials'
//     partition, and records the console sign-in (Logins) with the identity
//     the token stands for.
//
// As on AWS, only role sessions (AssumeRole, AssumeRoleWithWebIdentity,
// Identity Center) and federated-user sessions (GetFederationToken) sign
// in; MFA sessions from GetSessionToken and long-term keys do not.
// SessionDuration (900–43200) is accepted only for role sessions made from
// long-term credentials: AWS refuses it for role chaining and for
// GetFederationToken sessions. A sign-in token works once, within 15
// minutes.
//
// Failures are HTTP 400 with an HTML error page, as the real endpoint's;
// its wording ("Invalid credentials parameter", "The request sent by the
// client was syntactically incorrect") is what users of the real endpoint
// report. The pages name no secret.
type Federation struct {
	// URL is the endpoint's base, http://127.0.0.1:PORT, for
	// AWSRUN_FEDERATION_ENDPOINT; requests go to URL + "/federation".
	URL string

	sts *Server
	srv *httptest.Server

	mu     sync.Mutex
	tokens map[string]*signinToken
	calls  []FederationCall
	logins []ConsoleLogin
}

// signinTokenLife is how long a sign-in token (and so a login URL) works.
const signinTokenLife = 15 * time.Minute

type signinToken struct {
	cred       *credential
	issued     time.Time
	sessionEnd time.Time
}

// FederationCall is one request the federation endpoint received.
type FederationCall struct {
	// Action is getSigninToken or login.
	Action string
	// SessionID is the access key id of the session sent to getSigninToken.
	SessionID string
	// SessionDuration is the SessionDuration parameter, "" when absent.
	SessionDuration string
	// Status is the HTTP status of the answer.
	Status int
}

// ConsoleLogin is a console sign-in the endpoint granted.
type ConsoleLogin struct {
	// ARN is the identity signed in: an assumed-role or federated-user ARN.
	ARN         string
	Account     string
	AccessKeyID string // of the credentials the token was made from
	Issuer      string
	Destination string
	// Expires is when the console session ends: SessionDuration after the
	// token was made, else when the credentials expire.
	Expires time.Time
}

// NewFederation starts a federation endpoint on 127.0.0.1 that accepts the
// server's credentials. Close it when done.
func (s *Server) NewFederation() *Federation {
	f := &Federation{sts: s, tokens: map[string]*signinToken{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL
	return f
}

// Close shuts the endpoint down.
func (f *Federation) Close() { f.srv.Close() }

// Calls returns the requests received so far, oldest first.
func (f *Federation) Calls() []FederationCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FederationCall(nil), f.calls...)
}

// Logins returns the console sign-ins granted so far, oldest first.
func (f *Federation) Logins() []ConsoleLogin {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ConsoleLogin(nil), f.logins...)
}

// Follow opens a login URL made for this endpoint as a browser would, and
// returns the sign-in it granted.
func (f *Federation) Follow(ctx context.Context, loginURL string) (ConsoleLogin, error) {
	u, err := url.Parse(loginURL)
	if err != nil {
		return ConsoleLogin{}, err
	}
	if base, _ := url.Parse(f.URL); u.Host != base.Host {
		return ConsoleLogin{}, fmt.Errorf("the URL is for %s, not this endpoint", u.Host)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loginURL, nil)
	if err != nil {
		return ConsoleLogin{}, err
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return ConsoleLogin{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusFound {
		return ConsoleLogin{}, fmt.Errorf("login answered %s: %s", resp.Status, body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins[len(f.logins)-1], nil
}

// consoleDomains are the console hosts of the partitions that have a
// console sign-in.
var consoleDomains = map[string]string{
	"aws":        "console.aws.amazon.com",
	"aws-us-gov": "console.amazonaws-us-gov.com",
	"aws-cn":     "console.amazonaws.cn",
}

// errorPage is a failure as the endpoint words it.
type errorPage struct {
	status  int
	message string
}

var (
	errBadCredentials = &errorPage{http.StatusBadRequest, "Invalid credentials parameter"}
	errBadDuration    = &errorPage{http.StatusBadRequest, "Invalid SessionDuration parameter"}
	errBadToken       = &errorPage{http.StatusBadRequest, "Invalid SigninToken parameter"}
	errBadDestination = &errorPage{http.StatusBadRequest, "Invalid Destination parameter"}
	errBadAction      = &errorPage{http.StatusBadRequest, "Invalid Action parameter"}
)

func (e *errorPage) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	w.WriteHeader(e.status)
	m := html.EscapeString(e.message)
	fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>HTTP Status %d - %s</h1>"+
		"<p><b>message</b> %s</p><p><b>description</b> The request sent by the client was syntactically incorrect.</p></body></html>",
		e.status, m, e.status, m, m)
}

func (f *Federation) serve(w http.ResponseWriter, r *http.Request) {
	call := FederationCall{}
	status := f.handle(w, r, &call)
	call.Status = status
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

func (f *Federation) handle(w http.ResponseWriter, r *http.Request, call *FederationCall) int {
	if r.URL.Path != "/federation" {
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return http.StatusMethodNotAllowed
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		errBadAction.write(w)
		return errBadAction.status
	}
	call.Action = r.Form.Get("Action")
	var page *errorPage
	switch call.Action {
	case "getSigninToken":
		var token string
		if token, page = f.getSigninToken(r.Form, call); page == nil {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"SigninToken": token})
			return http.StatusOK
		}
	case "login":
		var dest string
		if dest, page = f.login(r.Form); page == nil {
			http.Redirect(w, r, dest, http.StatusFound)
			return http.StatusFound
		}
	default:
		page = errBadAction
	}
	page.write(w)
	return page.status
}

func (f *Federation) getSigninToken(form url.Values, call *FederationCall) (string, *errorPage) {
	var session struct {
		ID    string `json:"sessionId"`
		Key   string `json:"sessionKey"`
		Token string `json:"sessionToken"`
	}
	if err := json.Unmarshal([]byte(form.Get("Session")), &session); err != nil || session.ID == "" || session.Key == "" || session.Token == "" {
		return "", errBadCredentials
	}
	call.SessionID = session.ID
	var duration time.Duration
	if v, ok := form["SessionDuration"]; ok {
		call.SessionDuration = v[0]
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 900 || n > 43200 {
			return "", errBadDuration
		}
		duration = time.Duration(n) * time.Second
	}

	s := f.sts
	s.mu.Lock()
	now := s.nowLocked()
	c, ok := s.keys[session.ID]
	s.mu.Unlock()
	switch {
	case !ok || !c.temporary(),
		subtle.ConstantTimeCompare([]byte(c.secret), []byte(session.Key)) != 1,
		subtle.ConstantTimeCompare([]byte(c.sessionToken), []byte(session.Token)) != 1,
		!now.Before(c.expires):
		return "", errBadCredentials
	case c.issuedBy == "GetSessionToken":
		// An MFA session is the user's own, not a console identity.
		return "", errBadCredentials
	case duration > 0 && (c.issuedBy == "GetFederationToken" || c.chained):
		return "", errBadCredentials
	}
	t := &signinToken{cred: c, issued: now, sessionEnd: c.expires}
	if duration > 0 {
		t.sessionEnd = now.Add(duration)
	}
	token := base64.RawURLEncoding.EncodeToString(randomBytes(384))
	f.mu.Lock()
	f.tokens[token] = t
	f.mu.Unlock()
	return token, nil
}

func (f *Federation) login(form url.Values) (string, *errorPage) {
	token := form.Get("SigninToken")
	now := f.sts.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tokens[token]
	if !ok || now.Sub(t.issued) > signinTokenLife {
		return "", errBadToken
	}
	p := t.cred.principal
	dest, err := url.Parse(form.Get("Destination"))
	domain := consoleDomains[p.partition]
	if err != nil || dest.Scheme != "https" || domain == "" || dest.User != nil ||
		(dest.Host != domain && !strings.HasSuffix(dest.Host, "."+domain)) {
		return "", errBadDestination
	}
	delete(f.tokens, token)
	f.logins = append(f.logins, ConsoleLogin{
		ARN:         p.arn,
		Account:     p.account,
		AccessKeyID: t.cred.accessKeyID,
		Issuer:      form.Get("Issuer"),
		Destination: dest.String(),
		Expires:     t.sessionEnd,
	})
	return dest.String(), nil
}
