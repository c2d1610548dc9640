package ststest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// EKSTokenPrefix starts every EKS bearer token: the version of the format.
const EKSTokenPrefix = "k8s-aws-v1."

// maxEKSToken is the longest token the EKS authenticator accepts.
const maxEKSToken = 4096

// CallerIdentity is who a request was signed by, as GetCallerIdentity
// answers.
type CallerIdentity struct {
	Account string
	Arn     string
	UserID  string `json:"UserId"`
}

// TokenError is an EKS token refused: by the authenticator's checks of its
// form (Code "" and Status 0) or by STS (Code and Status as STS answered).
type TokenError struct {
	Status  int
	Code    string
	Message string
}

func (e *TokenError) Error() string {
	if e.Code == "" {
		return "token refused: " + e.Message
	}
	return fmt.Sprintf("token refused by STS: %s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// VerifyEKSToken does with token what the EKS authenticator does with the
// bearer token of a kubectl request to cluster: it decodes the presigned
// GetCallerIdentity URL, checks that it points at this server's root,
// sends it with the x-k8s-aws-id header naming cluster, and returns the
// identity STS answers with. A refused token is a *TokenError.
func (s *Server) VerifyEKSToken(ctx context.Context, token, cluster string) (*CallerIdentity, error) {
	if len(token) > maxEKSToken {
		return nil, &TokenError{Message: "token is too large"}
	}
	enc, ok := strings.CutPrefix(token, EKSTokenPrefix)
	if !ok {
		return nil, &TokenError{Message: fmt.Sprintf("token is missing the %q prefix", EKSTokenPrefix)}
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return nil, &TokenError{Message: "token is not unpadded base64url: " + err.Error()}
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return nil, &TokenError{Message: err.Error()}
	}
	self, _ := url.Parse(s.URL)
	switch {
	case u.Scheme != self.Scheme || u.Host != self.Host:
		return nil, &TokenError{Message: fmt.Sprintf("token is for %s://%s, not this STS endpoint", u.Scheme, u.Host)}
	case u.Path != "/":
		return nil, &TokenError{Message: "unexpected path in pre-signed URL"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &TokenError{Message: err.Error()}
	}
	req.Header.Set(ClusterIDHeader, cluster)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("STS answered HTTP %d with %q", resp.StatusCode, body)
		}
		return nil, &TokenError{Status: resp.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
	}
	var ok200 struct {
		GetCallerIdentityResponse struct {
			GetCallerIdentityResult CallerIdentity
		}
	}
	if err := json.Unmarshal(body, &ok200); err != nil {
		return nil, fmt.Errorf("STS answered %q: %w", body, err)
	}
	id := ok200.GetCallerIdentityResponse.GetCallerIdentityResult
	if id.Arn == "" {
		return nil, errors.New("STS answered without an ARN")
	}
	return &id, nil
}
