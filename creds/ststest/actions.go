package ststest

import (
	"net/http"
	"net/url"
	"time"
)

// action is an STS action the server implements. run is called with the
// server locked and, for signed actions, the authenticated caller.
type action struct {
	signed bool
	run    func(s *Server, caller *credential, form url.Values) (any, *apiError)
}

var actions = map[string]action{
	"GetSessionToken":           {signed: true, run: (*Server).getSessionTokenLocked},
	"AssumeRole":                {signed: true, run: (*Server).assumeRoleLocked},
	"AssumeRoleWithWebIdentity": {signed: false, run: (*Server).assumeRoleWithWebIdentityLocked},
	"GetCallerIdentity":         {signed: true, run: (*Server).getCallerIdentityLocked},
	"GetFederationToken":        {signed: true, run: (*Server).getFederationTokenLocked},
}

// roleChainingLimit caps sessions of roles assumed with temporary credentials.
const roleChainingLimit = 3600

func (s *Server) getSessionTokenLocked(caller *credential, form url.Values) (any, *apiError) {
	var v validation
	duration := durationSeconds(form, &v, 43200, 900, 129600)
	serial := paramSerialNumber.get(form, &v)
	code := paramTokenCode.get(form, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if caller.temporary() {
		return nil, accessDenied("Cannot call GetSessionToken with session credentials")
	}
	mfa, mfaAuthTime, err := s.mfaContextLocked(caller, serial, code)
	if err != nil {
		return nil, err
	}
	c := s.issueLocked(caller.principal, seconds(duration), mfa, mfaAuthTime)
	c.issuedBy = "GetSessionToken"
	return getSessionTokenResult{Credentials: newCredentialsXML(c)}, nil
}

func (s *Server) assumeRoleLocked(caller *credential, form url.Values) (any, *apiError) {
	var v validation
	roleARN := paramRoleArn.get(form, &v)
	sessionName := paramRoleSessionName.get(form, &v)
	externalID := paramExternalID.get(form, &v)
	serial := paramSerialNumber.get(form, &v)
	code := paramTokenCode.get(form, &v)
	duration := durationSeconds(form, &v, 3600, 900, 43200)
	sourceIdentity := paramSourceIdentity.get(form, &v)
	tags, transitive := requestTags(form, &v)
	if err := v.err(); err != nil {
		return nil, err
	}
	mfa, mfaAuthTime, err := s.mfaContextLocked(caller, serial, code)
	if err != nil {
		return nil, err
	}

	// Every trust policy failure looks the same to the caller, as on AWS.
	denied := notAuthorized(caller.principal, "AssumeRole", roleARN)
	role, ok := s.roles[roleARN]
	if !ok || !role.trusts(caller.principal) {
		return nil, denied
	}
	p := role.Policy
	switch {
	case p.ExternalID != "" && externalID != p.ExternalID:
		return nil, denied
	case (p.RequireMFA || p.MaxMFAAge > 0) && !mfa:
		return nil, denied
	case p.MaxMFAAge > 0 && s.nowLocked().Sub(mfaAuthTime) > p.MaxMFAAge:
		return nil, denied
	}

	if seconds(duration) > p.MaxSessionDuration {
		return nil, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	// Temporary credentials of any kind, an MFA session's included, make
	// this role chaining.
	if caller.temporary() && duration > roleChainingLimit {
		return nil, validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	attrs, aerr := newSessionAttrs(caller, role, tags, transitive, sourceIdentity, denied)
	if aerr != nil {
		return nil, aerr
	}
	c := s.issueLocked(roleSession(role, sessionName), seconds(duration), mfa, mfaAuthTime)
	c.attrs = attrs
	c.issuedBy, c.chained = "AssumeRole", caller.temporary()
	return assumeRoleResult{Credentials: newCredentialsXML(c), AssumedRoleUser: newAssumedRoleUserXML(c), SourceIdentity: attrs.sourceIdentity}, nil
}

// mfaContextLocked returns whether the call is made with MFA and when that
// MFA was given: by the code sent with this call, which it validates and
// consumes, or else by the caller's session.
func (s *Server) mfaContextLocked(caller *credential, serial, code string) (bool, time.Time, *apiError) {
	if serial == "" && code == "" {
		return caller.mfa, caller.mfaAuthTime, nil
	}
	if err := s.checkMFALocked(caller.principal, serial, code); err != nil {
		return false, time.Time{}, err
	}
	return true, s.nowLocked(), nil
}

func (s *Server) assumeRoleWithWebIdentityLocked(_ *credential, form url.Values) (any, *apiError) {
	var v validation
	roleARN := paramRoleArn.get(form, &v)
	sessionName := paramRoleSessionName.get(form, &v)
	token := paramWebIdentityToken.get(form, &v)
	duration := durationSeconds(form, &v, 3600, 900, 43200)
	if err := v.err(); err != nil {
		return nil, err
	}
	role, ok := s.roles[roleARN]
	if !ok || !role.acceptsWebIdentityToken(token) {
		if !s.knownWebIdentityTokenLocked(token) {
			return nil, &apiError{http.StatusBadRequest, "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."}
		}
		return nil, accessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
	}
	if seconds(duration) > role.Policy.MaxSessionDuration {
		return nil, validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	c := s.issueLocked(roleSession(role, sessionName), seconds(duration), false, time.Time{})
	c.issuedBy = "AssumeRoleWithWebIdentity"
	return assumeRoleWithWebIdentityResult{Credentials: newCredentialsXML(c), AssumedRoleUser: newAssumedRoleUserXML(c)}, nil
}

// knownWebIdentityTokenLocked reports whether any role accepts token, which
// tells a token no provider issued from one this role does not trust.
func (s *Server) knownWebIdentityTokenLocked(token string) bool {
	for _, r := range s.roles {
		if r.acceptsWebIdentityToken(token) {
			return true
		}
	}
	return false
}

func (s *Server) getCallerIdentityLocked(caller *credential, _ url.Values) (any, *apiError) {
	p := caller.principal
	return getCallerIdentityResult{Arn: p.arn, UserID: p.userID, Account: p.account}, nil
}

func seconds(n int32) time.Duration { return time.Duration(n) * time.Second }
