package ststest

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// ClusterIDHeader is the header an EKS token signs: the cluster's name, so
// that a token made for one cluster is refused by every other.
const ClusterIDHeader = "x-k8s-aws-id"

// presignedLifetime is how long a presigned GetCallerIdentity URL is
// honoured after its X-Amz-Date, whatever X-Amz-Expires says; the EKS
// authenticator also refuses an X-Amz-Expires beyond it.
const presignedLifetime = 15 * time.Minute

// presignedParams are the query parameters the EKS authenticator lets
// through to STS; any other is refused before STS sees it.
var presignedParams = map[string]bool{
	"action": true, "version": true,
	"x-amz-algorithm": true, "x-amz-credential": true, "x-amz-date": true, "x-amz-expires": true,
	"x-amz-security-token": true, "x-amz-signature": true, "x-amz-signedheaders": true,
}

// isPresigned reports whether r is a query-string-signed GET: an EKS token
// being verified.
func isPresigned(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Has("X-Amz-Signature")
}

// servePresigned answers a presigned GET.
func (s *Server) servePresigned(r *http.Request, q url.Values, call *Call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.presignedLocked(r, q, call)
}

// presignedLocked verifies a presigned GetCallerIdentity request as the EKS
// authenticator and STS do together: the authenticator's checks on the URL
// (allowed parameters, the cluster header signed, an X-Amz-Expires of at
// most 15 minutes, a live X-Amz-Date), then STS's SigV4 check, with the
// SDK's own signer, of the URL and of the x-k8s-aws-id header the
// authenticator sends with it. It answers with the caller's identity.
func (s *Server) presignedLocked(r *http.Request, q url.Values, call *Call) (any, *apiError) {
	for k, v := range q {
		switch {
		case !presignedParams[strings.ToLower(k)]:
			return nil, malformedPresign(fmt.Sprintf("non-whitelisted query parameter %q", k))
		case len(v) != 1:
			return nil, malformedPresign(fmt.Sprintf("query parameter %q given more than once", k))
		}
	}
	if q.Get("Action") != "GetCallerIdentity" || q.Get("Version") != apiVersion {
		return nil, invalidAction(q.Get("Action"), q.Get("Version"))
	}
	if q.Get("X-Amz-Algorithm") != signingAlgorithm {
		return nil, incompleteSignature("X-Amz-Algorithm must be " + signingAlgorithm + ".")
	}
	signed := strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if !slices.Contains(signed, ClusterIDHeader) {
		return nil, malformedPresign("client did not sign the " + ClusterIDHeader + " header in the pre-signed URL")
	}
	if !slices.Contains(signed, "host") {
		return nil, signatureMismatch("The host header must be signed.")
	}
	expires, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || expires < 0 || time.Duration(expires)*time.Second > presignedLifetime {
		return nil, malformedPresign(fmt.Sprintf("invalid X-Amz-Expires parameter in pre-signed URL: %q", q.Get("X-Amz-Expires")))
	}
	amzDate := q.Get("X-Amz-Date")
	signingTime, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return nil, incompleteSignature("X-Amz-Date must be present in the pre-signed URL as YYYYMMDDTHHMMSSZ.")
	}
	now := s.nowLocked()
	switch {
	case now.After(signingTime.Add(time.Duration(expires) * time.Second)):
		return nil, requestExpired(fmt.Sprintf("Request has expired: signed at %s, valid for %d seconds.", amzDate, expires))
	case signingTime.After(now.Add(presignedLifetime)):
		return nil, requestExpired("Signature not yet current: " + amzDate + " is more than 15 minutes ahead of the server's time.")
	}

	scope := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(scope) != 5 || scope[0] == "" {
		return nil, incompleteSignature("X-Amz-Credential should have exactly 5 slash-separated components: ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request.")
	}
	auth := authorization{accessKeyID: scope[0], date: scope[1], region: scope[2], service: scope[3], terminator: scope[4],
		signedHeaders: signed, signature: q.Get("X-Amz-Signature")}
	call.AccessKeyID, call.Region = auth.accessKeyID, auth.region
	c, aerr := s.signerLocked(auth, amzDate, q.Get("X-Amz-Security-Token"), signingService)
	if aerr != nil {
		return nil, aerr
	}
	want, serr := expectedPresignature(r, auth, c.accessKeyID, c.secret, signingTime)
	if serr != nil || !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return nil, errSignature
	}
	call.CallerARN = c.principal.arn
	return s.getCallerIdentityLocked(c, q)
}

// expectedPresignature presigns, with the SDK's own signer, a copy of r
// without its signature and with only the headers the URL says were
// signed, and returns the signature the signer computed.
func expectedPresignature(r *http.Request, auth authorization, accessKeyID, secret string, signingTime time.Time) (string, error) {
	q := r.URL.Query()
	q.Del("X-Amz-Signature")
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Host = r.Host
	for _, name := range auth.signedHeaders {
		if name == "host" {
			continue
		}
		for _, v := range r.Header.Values(name) {
			req.Header.Add(name, v)
		}
	}
	// The session token is already among the query parameters: credentials
	// without one keep the signer from adding it twice.
	creds := aws.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secret}
	signedURL, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, emptyPayloadHash, auth.service, auth.region, signingTime)
	if err != nil {
		return "", err
	}
	su, err := url.Parse(signedURL)
	if err != nil {
		return "", err
	}
	return su.Query().Get("X-Amz-Signature"), nil
}

// emptyPayloadHash is the SHA-256 of an empty body, which a presigned
// GET's signature covers.
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func malformedPresign(message string) *apiError {
	return &apiError{http.StatusBadRequest, "MalformedQueryString", message}
}

func requestExpired(message string) *apiError {
	return &apiError{http.StatusBadRequest, "RequestExpired", message}
}

// wantsJSON reports whether the client asked for a JSON answer, as the
// EKS authenticator does.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// jsonReply is reply in the JSON form STS answers with when asked:
// {"ActionResponse":{"ActionResult":{…},"ResponseMetadata":{…}}}, or
// {"Error":{…},"RequestId":…}.
func jsonReply(action string, result any, e *apiError, requestID string) *reply {
	var v any
	status := http.StatusOK
	if e != nil {
		status = e.status
		v = map[string]any{
			"Error":     map[string]string{"Type": e.errorType(), "Code": e.code, "Message": e.message},
			"RequestId": requestID,
		}
	} else {
		v = map[string]any{action + "Response": map[string]any{
			action + "Result":  result,
			"ResponseMetadata": map[string]string{"RequestId": requestID},
		}}
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic("ststest: marshal response: " + err.Error()) // our own types always marshal
	}
	return &reply{status: status, requestID: requestID, body: b, contentType: "application/json"}
}
