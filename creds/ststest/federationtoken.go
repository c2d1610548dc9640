package ststest

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"time"
)

var (
	paramName   = newStringParam("Name", "name", true, 2, 32, `[\w+=,.@-]*`)
	paramPolicy = newStringParam("Policy", "policy", false, 1, 2048, "")
)

// getFederationTokenLocked is GetFederationToken: an IAM user's long-term
// key makes a federated-user session of 15 minutes to 36 hours (12 by
// default), arn:PARTITION:sts::ACCOUNT:federated-user/NAME. The fake checks
// that a session policy is JSON but does not evaluate it: on AWS the
// session may do what both the user's policies and the session policy
// allow, and nothing when no policy is passed.
func (s *Server) getFederationTokenLocked(caller *credential, form url.Values) (any, *apiError) {
	var v validation
	name := paramName.get(form, &v)
	policy := paramPolicy.get(form, &v)
	duration := durationSeconds(form, &v, 43200, 900, 129600)
	if err := v.err(); err != nil {
		return nil, err
	}
	if caller.temporary() {
		return nil, accessDenied("Cannot call GetFederationToken with session credentials")
	}
	if _, ok := form["Policy"]; ok && !json.Valid([]byte(policy)) {
		return nil, &apiError{http.StatusBadRequest, "MalformedPolicyDocument", "Syntax errors in policy."}
	}
	u := caller.principal
	p := &principal{
		arn:       "arn:" + u.partition + ":sts::" + u.account + ":federated-user/" + name,
		userID:    u.account + ":" + name,
		account:   u.account,
		partition: u.partition,
	}
	c := s.issueLocked(p, seconds(duration), false, time.Time{})
	c.issuedBy = "GetFederationToken"
	size := 0
	if policy != "" {
		size = max(1, len(policy)*100/2048)
	}
	return getFederationTokenResult{
		Credentials:      newCredentialsXML(c),
		FederatedUser:    federatedUserXML{FederatedUserID: p.userID, Arn: p.arn},
		PackedPolicySize: size,
	}, nil
}

type federatedUserXML struct {
	FederatedUserID string `xml:"FederatedUserId"`
	Arn             string
}

type getFederationTokenResult struct {
	XMLName          xml.Name `xml:"GetFederationTokenResult"`
	Credentials      credentialsXML
	FederatedUser    federatedUserXML
	PackedPolicySize int
}
