package ststest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// SSOPortal is a fake of the IAM Identity Center portal's one call the
// SDK's SSO credentials provider makes: GetRoleCredentials, a
// GET /federation/credentials?account_id=ACCOUNT&role_name=NAME with the
// access token of a sign-in in the x-amz-sso_bearer_token header,
// answered in the portal's REST-JSON protocol. The SDK reaches it through
// AWS_ENDPOINT_URL_SSO (or a services section).
//
// The credentials it hands out are sessions of a role registered on the
// STS server, as Identity Center's are of its AWSReservedSSO_ roles: they
// sign GetCallerIdentity and AssumeRole calls at the Server like any
// other. It does not model the OIDC sign-in (CreateToken) or token expiry:
// the SDK checks the expiry written in the token cache before calling.
type SSOPortal struct {
	// URL is the portal's base URL, http://127.0.0.1:PORT.
	URL string

	sts *Server
	srv *httptest.Server

	mu      sync.Mutex
	tokens  map[string]string  // access token → user name
	grants  map[ssoGrant]*Role // what each token may get
	revoked map[string]bool    // tokens signed out
	calls   []SSOCall
	life    time.Duration
}

type ssoGrant struct{ token, account, roleName string }

// SSOCall is one GetRoleCredentials request as the portal saw it.
type SSOCall struct {
	AccountID, RoleName string
	// Status is the HTTP status of the answer: 200, 401 or 403.
	Status int
}

// NewSSOPortal starts a portal on 127.0.0.1 whose credentials the server
// accepts. Close it when done.
func (s *Server) NewSSOPortal() *SSOPortal {
	p := &SSOPortal{sts: s, tokens: map[string]string{}, grants: map[ssoGrant]*Role{}, revoked: map[string]bool{}, life: time.Hour}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	return p
}

// Close shuts the portal down.
func (p *SSOPortal) Close() { p.srv.Close() }

// Grant lets the sign-in with accessToken, made by user, get credentials
// for the permission set roleName in the account of roleARN, as sessions
// of roleARN (a role registered on the server). It panics if the role is
// not registered: it is test setup.
func (p *SSOPortal) Grant(accessToken, user, roleName, roleARN string) {
	p.sts.mu.Lock()
	role, ok := p.sts.roles[roleARN]
	p.sts.mu.Unlock()
	if !ok {
		panic(fmt.Sprintf("ststest: SSOPortal.Grant: no role %s", roleARN))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokens[accessToken] = user
	p.grants[ssoGrant{accessToken, role.account, roleName}] = role
}

// Revoke signs accessToken out: the portal refuses it from now on.
func (p *SSOPortal) Revoke(accessToken string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.revoked[accessToken] = true
}

// Calls returns a copy of the portal's call log, oldest first.
func (p *SSOPortal) Calls() []SSOCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]SSOCall(nil), p.calls...)
}

func (p *SSOPortal) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/federation/credentials" {
		ssoError(w, http.StatusNotFound, "ResourceNotFoundException", "No such operation: "+r.Method+" "+r.URL.Path)
		return
	}
	q := r.URL.Query()
	account, roleName, token := q.Get("account_id"), q.Get("role_name"), r.Header.Get("x-amz-sso_bearer_token")
	p.mu.Lock()
	user, known := p.tokens[token]
	role := p.grants[ssoGrant{token, account, roleName}]
	status := http.StatusOK
	switch {
	case token == "" || !known || p.revoked[token]:
		status = http.StatusUnauthorized
	case role == nil:
		status = http.StatusForbidden
	}
	p.calls = append(p.calls, SSOCall{AccountID: account, RoleName: roleName, Status: status})
	life := p.life
	p.mu.Unlock()

	switch status {
	case http.StatusUnauthorized:
		ssoError(w, status, "UnauthorizedException", "Session token not found or invalid")
		return
	case http.StatusForbidden:
		ssoError(w, status, "ForbiddenException", "No access")
		return
	}
	p.sts.mu.Lock()
	c := p.sts.issueLocked(roleSession(role, user), life, false, time.Time{})
	c.issuedBy = "GetRoleCredentials"
	p.sts.mu.Unlock()
	type roleCredentials struct {
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
		SessionToken    string `json:"sessionToken"`
		Expiration      int64  `json:"expiration"` // milliseconds since the epoch
	}
	writeJSON(w, http.StatusOK, map[string]roleCredentials{"roleCredentials": {
		c.accessKeyID, c.secret, c.sessionToken, c.expires.UnixMilli(),
	}})
}

// ssoError answers as the portal does: the error type in a header and in
// the body.
func ssoError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Amzn-Errortype", code)
	writeJSON(w, status, map[string]string{"__type": code, "message": message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // maps of strings and numbers: cannot fail
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
