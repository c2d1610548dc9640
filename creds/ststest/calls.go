package ststest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Call is one request the server received, as the call log records it.
type Call struct {
	// Action is the STS action, e.g. GetSessionToken or AssumeRole.
	Action string
	// AccessKeyID is the key id the request was signed with, "" when unsigned.
	AccessKeyID string
	// CallerARN is the authenticated caller, "" when authentication failed or
	// the action is unsigned.
	CallerARN string
	// RoleARN is the RoleArn parameter.
	RoleARN string
	// RoleSessionName is the RoleSessionName parameter.
	RoleSessionName string
	// ExternalID is the ExternalId parameter.
	ExternalID string
	// SerialNumber is the MFA device's serial number, when one was sent.
	SerialNumber string
	// TokenCode is the MFA code sent (a test fake may record it).
	TokenCode string
	// SourceIdentity is the SourceIdentity parameter.
	SourceIdentity string
	// Tags are the session tags sent, in order, as "Key=Value" joined by
	// ", " (a string, so that a Call stays comparable).
	Tags string
	// TransitiveTagKeys are the TransitiveTagKeys sent, joined by ", ".
	TransitiveTagKeys string
	// Name is the Name parameter of GetFederationToken.
	Name string
	// Policy is the session policy sent (GetFederationToken), "" for none.
	Policy string
	// DurationSeconds is the DurationSeconds parameter, 0 when absent.
	DurationSeconds int32
	// Region is the region of the SigV4 credential scope.
	Region string
	// Time is when the call arrived, by the server clock.
	Time time.Time
	// ErrorCode is the AWS error code returned, "" on success. A client that
	// gave up during an injected delay is logged as "RequestCanceled".
	ErrorCode string
}

// errCanceled is the ErrorCode of a call whose client went away.
const errCanceled = "RequestCanceled"

// newCall describes a request from its parameters and its unverified
// Authorization header.
func newCall(r *http.Request, form url.Values, now time.Time) Call {
	c := Call{
		Action:          form.Get("Action"),
		RoleARN:         form.Get("RoleArn"),
		RoleSessionName: form.Get("RoleSessionName"),
		ExternalID:      form.Get("ExternalId"),
		SerialNumber:    form.Get("SerialNumber"),
		TokenCode:       form.Get("TokenCode"),
		SourceIdentity:  form.Get("SourceIdentity"),
		Name:            form.Get("Name"),
		Policy:          form.Get("Policy"),
		Time:            now,
	}
	// Logged unchecked, as sent: the action validates them.
	var v validation
	tags, transitive := requestTags(form, &v)
	for i, t := range tags {
		if i > 0 {
			c.Tags += ", "
		}
		c.Tags += t.Key + "=" + t.Value
	}
	c.TransitiveTagKeys = strings.Join(transitive, ", ")
	if n, err := strconv.ParseInt(form.Get("DurationSeconds"), 10, 32); err == nil {
		c.DurationSeconds = int32(n)
	}
	if auth, err := parseAuthorization(r.Header.Get("Authorization")); err == nil {
		c.AccessKeyID, c.Region = auth.accessKeyID, auth.region
	}
	return c
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
}

// Calls returns a copy of the call log, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount returns how many calls of action, successful or not, were logged.
func (s *Server) CallCount(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Action == action {
			n++
		}
	}
	return n
}

// ResetCalls empties the call log.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}
