package ststest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	signingAlgorithm = "AWS4-HMAC-SHA256"
	amzDateFormat    = "20060102T150405Z"
	signingService   = "sts"
	scopeTerminator  = "aws4_request"
)

// regionPattern matches region names; the fake serves every region, but a
// credential scope without one is refused as AWS refuses it.
var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)

// authorization is a parsed SigV4 Authorization header.
type authorization struct {
	accessKeyID   string
	date          string // YYYYMMDD of the credential scope
	region        string
	service       string
	terminator    string
	signedHeaders []string
	signature     string
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/
// SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(header string) (authorization, *apiError) {
	rest, ok := strings.CutPrefix(header, signingAlgorithm+" ")
	if !ok {
		return authorization{}, incompleteSignature("Authorization header requires the " + signingAlgorithm + " algorithm.")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if fields[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return authorization{}, incompleteSignature(strings.Join(missing, " ") + " Authorization=" + header)
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[0] == "" {
		return authorization{}, incompleteSignature("Credential should have exactly 5 slash-separated components: ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request.")
	}
	return authorization{
		accessKeyID:   scope[0],
		date:          scope[1],
		region:        scope[2],
		service:       scope[3],
		terminator:    scope[4],
		signedHeaders: strings.Split(fields["SignedHeaders"], ";"),
		signature:     fields["Signature"],
	}, nil
}

// authenticateLocked checks the request's SigV4 signature and returns the
// credential that made it, failing as STS does.
func (s *Server) authenticateLocked(r *http.Request, body []byte) (*credential, *apiError) {
	return s.authenticateServiceLocked(r, body, signingService)
}

// authenticateServiceLocked is authenticateLocked for a request signed for
// service: sts, or iam for the fake IAM.
func (s *Server) authenticateServiceLocked(r *http.Request, body []byte, service string) (*credential, *apiError) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, errMissingAuth
	}
	auth, err := parseAuthorization(header)
	if err != nil {
		return nil, err
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signingTime, perr := time.Parse(amzDateFormat, amzDate)
	if perr != nil {
		return nil, incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + header)
	}
	c, err := s.signerLocked(auth, amzDate, r.Header.Get("X-Amz-Security-Token"), service)
	if err != nil {
		return nil, err
	}
	want, serr := expectedSignature(r, body, auth, c.accessKeyID, c.secret, signingTime)
	if serr != nil || !hmac.Equal([]byte(want), []byte(auth.signature)) {
		return nil, errSignature
	}
	return c, nil
}

// signerLocked checks a signature's credential scope against its date and
// service and returns the credential it names, failing as STS does for an
// unknown key (or one IAM has not yet propagated), a wrong session token
// and expired temporary credentials.
func (s *Server) signerLocked(auth authorization, amzDate, token, service string) (*credential, *apiError) {
	switch {
	case auth.date != amzDate[:8]:
		return nil, signatureMismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + auth.date + "' != '" + amzDate[:8] + "', from '" + amzDate + "'.")
	case auth.service != service:
		return nil, signatureMismatch("Credential should be scoped to correct service: '" + service + "'. ")
	case !regionPattern.MatchString(auth.region):
		return nil, signatureMismatch("Credential should be scoped to a valid region, not '" + auth.region + "'. ")
	case auth.terminator != scopeTerminator:
		return nil, signatureMismatch("Credential should be scoped with a valid terminator: '" + scopeTerminator + "', not '" + auth.terminator + "'.")
	}

	c, ok := s.keys[auth.accessKeyID]
	// A key exists only in its own partition: presented to another
	// partition's regions it is unknown.
	if !ok || regionPartition(auth.region) != c.principal.partition {
		return nil, errInvalidKey
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(c.sessionToken)) != 1 {
		return nil, errInvalidKey
	}
	if c.temporary() && !s.nowLocked().Before(c.expires) {
		return nil, errExpired
	}
	if !s.propagatedLocked(c) {
		return nil, errInvalidKey
	}
	return c, nil
}

// expectedSignature signs, with the SDK's own signer, a copy of r holding
// only the headers the client says it signed, and returns the signature.
func expectedSignature(r *http.Request, body []byte, auth authorization, accessKeyID, secret string, signingTime time.Time) (string, error) {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	req, err := http.NewRequest(r.Method, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Host = r.Host
	// Go's server moves Host and Content-Length out of r.Header; every other
	// signed header is copied as received. Headers the transport added after
	// signing (Accept-Encoding, User-Agent) are left out, as they must be.
	for _, name := range auth.signedHeaders {
		switch name {
		case "host":
		case "content-length":
			req.ContentLength = r.ContentLength
		default:
			for _, v := range r.Header.Values(name) {
				req.Header.Add(name, v)
			}
		}
	}
	sum := sha256.Sum256(body)
	// The session token, if signed, is among the copied headers; passing
	// none to the signer keeps it from adding one of its own.
	creds := aws.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secret}
	err = v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), auth.service, auth.region, signingTime)
	if err != nil {
		return "", err
	}
	signed, aerr := parseAuthorization(req.Header.Get("Authorization"))
	if aerr != nil {
		return "", aerr
	}
	return signed.signature, nil
}
