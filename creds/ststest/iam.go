package ststest

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The fake IAM answers the access key self-service actions a key rotation
// makes, on a second httptest server that shares the STS fake's users,
// keys, clock, call log and faults. The SDK reaches it through
// AWS_ENDPOINT_URL_IAM (or BaseEndpoint). Like STS it speaks the Query
// protocol (Version=2010-05-08, XML in the IAM namespace) and checks SigV4,
// signed for service iam.
//
// It models: CreateAccessKey, DeleteAccessKey, ListAccessKeys and GetUser
// for the caller's own user (a user's long-term key or a GetSessionToken
// session of it; a role session is denied, as is naming another user); the
// two-key limit (LimitExceeded); a per-user policy that denies IAM
// self-service without MFA (RequireMFAForIAM), as the AWS-documented
// "force MFA" policy does; and a propagation delay during which a new key
// is refused everywhere with InvalidClientTokenId, as IAM's eventual
// consistency makes a fresh key fail for a few seconds.

const (
	iamAPIVersion = "2010-05-08"
	iamNamespace  = "https://iam.amazonaws.com/doc/2010-05-08/"
	// maxKeysPerUser is IAM's quota of access keys per user.
	maxKeysPerUser = 2
)

// iamState is the fake IAM's part of the server, guarded by Server.mu.
type iamState struct {
	srv        *httptest.Server
	url        string
	delay      time.Duration              // propagation delay of new keys
	keys       map[string]*iamKey         // by access key id
	requireMFA map[*User]bool             // users whose policy denies IAM without MFA
	denied     map[string]map[string]bool // action → user ARN → explicitly denied
}

// iamKey is what IAM knows of a long-term key beyond STS's credential.
type iamKey struct {
	created  time.Time
	activeAt time.Time // STS and IAM accept the key from then on
}

func (s *Server) iamLocked() *iamState {
	if s.iam == nil {
		s.iam = &iamState{keys: map[string]*iamKey{}, requireMFA: map[*User]bool{}, denied: map[string]map[string]bool{}}
	}
	return s.iam
}

// IAMURL returns the base URL of the fake IAM, starting it on first use,
// for AWS_ENDPOINT_URL_IAM.
func (s *Server) IAMURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.iamLocked()
	if st.srv == nil {
		st.srv = httptest.NewServer(http.HandlerFunc(s.serveIAM))
		st.url = st.srv.URL
	}
	return st.url
}

func (s *Server) closeIAM() {
	s.mu.Lock()
	var srv *httptest.Server
	if s.iam != nil {
		srv = s.iam.srv
	}
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// SetKeyPropagationDelay makes keys CreateAccessKey makes from now on
// unusable, for STS and IAM alike, until d has passed on the server clock.
func (s *Server) SetKeyPropagationDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.iamLocked().delay = d
}

// RequireMFAForIAM sets u's policy to deny IAM self-service to callers
// without MFA: the user's long-term keys, or a session made without a code.
func (s *Server) RequireMFAForIAM(u *User, require bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.iamLocked().requireMFA[u] = require
}

// DenyIAMAction makes action (e.g. DeleteAccessKey) fail with AccessDenied
// for u, as an explicit deny in a policy would.
func (s *Server) DenyIAMAction(u *User, action string, deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.iamLocked()
	if st.denied[action] == nil {
		st.denied[action] = map[string]bool{}
	}
	st.denied[action][u.ARN] = deny
}

// AccessKeys returns the ids of u's long-term keys, oldest first.
func (s *Server) AccessKeys(u *User) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userKeysLocked(u)
}

// KeySecret returns the secret of u's long-term key id, for tests that
// must sign with a key made by CreateAccessKey.
func (s *Server) KeySecret(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.keys[id]
	if !ok || c.temporary() {
		return "", false
	}
	return c.secret, true
}

func (s *Server) userKeysLocked(u *User) []string {
	var ids []string
	for id, c := range s.keys {
		if !c.temporary() && c.principal.user == u {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool {
		a, b := s.keyCreatedLocked(ids[i]), s.keyCreatedLocked(ids[j])
		if !a.Equal(b) {
			return a.Before(b)
		}
		return ids[i] < ids[j]
	})
	return ids
}

// keyCreatedLocked is when IAM made the key; keys made outside IAM (by
// AddUser or NewAccessKey) count as made at the zero time.
func (s *Server) keyCreatedLocked(id string) time.Time {
	if s.iam != nil {
		if k, ok := s.iam.keys[id]; ok {
			return k.created
		}
	}
	return time.Time{}
}

// propagatedLocked reports whether c is usable yet.
func (s *Server) propagatedLocked(c *credential) bool {
	if s.iam == nil || c.temporary() {
		return true
	}
	k, ok := s.iam.keys[c.accessKeyID]
	return !ok || !s.nowLocked().Before(k.activeAt)
}

type iamAction func(s *Server, caller *credential, u *User, form url.Values) (any, *apiError)

var iamActions = map[string]iamAction{
	"CreateAccessKey": (*Server).createAccessKeyLocked,
	"DeleteAccessKey": (*Server).deleteAccessKeyLocked,
	"ListAccessKeys":  (*Server).listAccessKeysLocked,
	"GetUser":         (*Server).getUserLocked,
}

// serveIAM answers one IAM request: the STS server's flow (faults, call
// log, limits) with IAM's actions, version and namespace.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request) {
	requestID := newRequestID()
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	form, formErr := url.ParseQuery(string(body))
	call := newCall(r, form, s.Now())

	reply, ok := s.injectedReply(r.Context(), &call, requestID)
	if !ok {
		var result any
		err := postError(r, body, readErr, formErr)
		if err == nil {
			result, err = s.dispatchIAM(r, body, form, &call)
		}
		if err != nil {
			call.ErrorCode = err.code
			reply = errorReply(err, requestID)
		} else {
			reply = resultReply(call.Action, result, requestID)
		}
		reply.body = []byte(strings.Replace(string(reply.body), namespace, iamNamespace, 1))
	}
	s.record(call)
	if reply == nil {
		panic(http.ErrAbortHandler)
	}
	reply.write(w)
}

func (s *Server) dispatchIAM(r *http.Request, body []byte, form url.Values, call *Call) (any, *apiError) {
	name, version := form.Get("Action"), form.Get("Version")
	if name == "" {
		return nil, &apiError{http.StatusBadRequest, "MissingAction", "Missing Action"}
	}
	run, ok := iamActions[name]
	if !ok || version != iamAPIVersion {
		return nil, invalidAction(name, version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	caller, err := s.authenticateServiceLocked(r, body, "iam")
	if err != nil {
		return nil, err
	}
	call.CallerARN = caller.principal.arn
	u := caller.principal.user
	target := userName(u)
	if u == nil {
		// A role session has no access keys of its own to manage.
		return nil, accessDenied(fmt.Sprintf("User: %s is not authorized to perform: iam:%s on resource: user %s", caller.principal.arn, name, form.Get("UserName")))
	}
	if n := form.Get("UserName"); n != "" && n != target {
		return nil, accessDenied(fmt.Sprintf("User: %s is not authorized to perform: iam:%s on resource: user %s", u.ARN, name, n))
	}
	st := s.iamLocked()
	if (st.requireMFA[u] && !caller.mfa) || st.denied[name][u.ARN] {
		return nil, accessDenied(fmt.Sprintf("User: %s is not authorized to perform: iam:%s on resource: user %s with an explicit deny in an identity-based policy", u.ARN, name, target))
	}
	return run(s, caller, u, form)
}

// userName is the NAME of arn:…:user/PATH/NAME.
func userName(u *User) string {
	if u == nil {
		return ""
	}
	_, name, _ := parseIAMARN(u.ARN, "user")
	return name
}

type accessKeyXML struct {
	UserName        string
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string
	SecretAccessKey string `xml:",omitempty"`
	CreateDate      string `xml:",omitempty"`
}

type createAccessKeyResult struct {
	XMLName   xml.Name `xml:"CreateAccessKeyResult"`
	AccessKey accessKeyXML
}

type listAccessKeysResult struct {
	XMLName           xml.Name       `xml:"ListAccessKeysResult"`
	AccessKeyMetadata []accessKeyXML `xml:"AccessKeyMetadata>member"`
	IsTruncated       bool
}

type getUserResult struct {
	XMLName xml.Name `xml:"GetUserResult"`
	User    struct {
		Path       string
		UserName   string
		UserID     string `xml:"UserId"`
		Arn        string
		CreateDate string
	}
}

func (s *Server) createAccessKeyLocked(_ *credential, u *User, _ url.Values) (any, *apiError) {
	if len(s.userKeysLocked(u)) >= maxKeysPerUser {
		return nil, &apiError{http.StatusConflict, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"}
	}
	c := s.newLongTermKeyLocked(u)
	now := s.nowLocked().UTC().Truncate(time.Second)
	st := s.iamLocked()
	st.keys[c.accessKeyID] = &iamKey{created: now, activeAt: now.Add(st.delay)}
	return createAccessKeyResult{AccessKey: accessKeyXML{UserName: userName(u), AccessKeyID: c.accessKeyID, Status: "Active",
		SecretAccessKey: c.secret, CreateDate: now.Format(time.RFC3339)}}, nil
}

func (s *Server) deleteAccessKeyLocked(_ *credential, u *User, form url.Values) (any, *apiError) {
	var v validation
	id := newStringParam("AccessKeyId", "accessKeyId", true, 16, 128, `[\w]+`).get(form, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, ok := s.keys[id]
	if !ok || c.temporary() || c.principal.user != u {
		return nil, &apiError{http.StatusNotFound, "NoSuchEntity", "The Access Key with id " + id + " cannot be found."}
	}
	delete(s.keys, id)
	delete(s.iamLocked().keys, id)
	return struct {
		XMLName xml.Name `xml:"DeleteAccessKeyResult"`
	}{}, nil
}

func (s *Server) listAccessKeysLocked(_ *credential, u *User, _ url.Values) (any, *apiError) {
	var out listAccessKeysResult
	for _, id := range s.userKeysLocked(u) {
		created := s.keyCreatedLocked(id)
		if created.IsZero() {
			created = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, accessKeyXML{UserName: userName(u), AccessKeyID: id, Status: "Active", CreateDate: created.Format(time.RFC3339)})
	}
	return out, nil
}

func (s *Server) getUserLocked(_ *credential, u *User, _ url.Values) (any, *apiError) {
	var out getUserResult
	out.User.Path = "/"
	out.User.UserName = userName(u)
	out.User.UserID = u.id
	out.User.Arn = u.ARN
	out.User.CreateDate = "2020-01-01T00:00:00Z"
	return out, nil
}
