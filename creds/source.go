package creds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/smithy-go"
)

// processTimeout bounds a credential_process, which may itself wait for a
// person (a hardware key's touch, a browser sign-in).
const processTimeout = 2 * time.Minute

// source returns the chain's root credentials: the keys from the files, or
// what the SDK's own provider for the profile yields (credential_process,
// web identity, SSO, credential_source). A provider's credentials are cached
// as a step of their own (see plan), so this runs only on a miss.
func (r *Resolver) source(ctx context.Context, c *Chain) (Credentials, error) {
	src := c.Source
	if src.Provider == "" {
		return src.Static, nil
	}
	code := ""
	if src.MFASerial != "" {
		// Asked before the provider starts, so a person's typing is not
		// counted against the provider's time limit.
		var err error
		if code, err = r.mfa(c).Code(ctx, src.MFASerial); err != nil {
			return Credentials{}, err
		}
	}
	cfg, err := r.sdkConfig(ctx, c, src.Profile,
		// The SDK would report some credentials as expiring five minutes
		// early; the cache keeps its own margin, on the true expiry.
		config.WithCredentialsCacheOptions(func(o *aws.CredentialsCacheOptions) {
			o.ExpiryWindow, o.ExpiryWindowJitterFrac = 0, 0
		}),
		config.WithWebIdentityRoleCredentialOptions(func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName, o.Duration = src.SessionName, src.Duration
		}),
		config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName, o.Duration = src.SessionName, src.Duration
			if code != "" {
				o.TokenProvider = func() (string, error) { return code, nil }
			}
		}),
		config.WithProcessCredentialOptions(func(o *processcreds.Options) { o.Timeout = processTimeout }),
	)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) && ce.Hint == "" {
			ce.Hint = sourceHint(c, err)
		}
		return Credentials{}, err
	}
	what := src.Provider
	if src.RoleARN != "" {
		what += ", assuming " + src.RoleARN
	}
	r.logf("%s: credentials from the SDK's %s provider", src.Profile, what)
	timeout := r.stsTimeout()
	if src.Provider == "credential_process" {
		timeout = processTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if src.Provider == "credential_process" {
		// The SDK hands the process os.Stdin, which is the command's input:
		// a process that reads it would eat it, or wait on a pipe.
		defer withStdinFromDevNull()()
	}
	v, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return Credentials{}, &ConfigError{Profile: src.Profile, ARN: src.RoleARN,
			Err: fmt.Errorf("%s: %s", firstNonEmpty(src.credentialSource, src.Provider), describeSourceError(src.Provider, err)), Hint: sourceHint(c, err)}
	}
	creds := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken}
	if v.CanExpire {
		creds.Expiration = v.Expires.UTC()
	}
	return creds, nil
}

// withStdinFromDevNull points os.Stdin at the null device until the
// returned function restores it. awsrun reads nothing from stdin itself.
func withStdinFromDevNull() (restore func()) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		return func() {}
	}
	saved := os.Stdin
	os.Stdin = null
	return func() {
		os.Stdin = saved
		null.Close()
	}
}

// describeSourceError keeps what a provider said that helps, without the
// SDK's retry noise, and never echoes a process's output: it may hold a
// secret.
func describeSourceError(kind string, err error) string {
	var ae smithy.APIError
	var ue *url.Error
	var pe *processcreds.ProviderError
	var oe *smithy.OperationError
	if errors.As(err, &oe) && strings.HasPrefix(oe.Err.Error(), "get identity") {
		// The call never left: what failed is getting the credentials to
		// sign it with, the source's own provider.
		return describeSourceError(kind, oe.Err)
	}
	switch {
	case errors.As(err, &pe) && strings.Contains(pe.Error(), "parse failed of process output"):
		return "the command did not print credentials as JSON"
	case errors.As(err, &ae):
		op := ""
		if errors.As(err, &oe) {
			op = oe.Operation() + ": "
		}
		if msg := ae.ErrorMessage(); msg != "" {
			return op + ae.ErrorCode() + ": " + msg
		}
		return op + ae.ErrorCode()
	case errors.As(err, &ue):
		endpoint := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			endpoint = u.Scheme + "://" + u.Host
		}
		inner := ue.Err.Error()
		if i := strings.LastIndex(inner, ": "); i >= 0 && !errors.Is(ue.Err, context.DeadlineExceeded) {
			inner = inner[i+2:]
		}
		return fmt.Sprintf("cannot reach %s: %s", endpoint, inner)
	case errors.Is(err, context.DeadlineExceeded):
		if kind == "credential_process" {
			return fmt.Sprintf("the command did not finish within %s", processTimeout)
		}
		return "no answer in time"
	}
	// The SDK's layers each add a prefix that says nothing to the user.
	msg := err.Error()
	for _, p := range []string{"get identity: ", "get credentials: ", "failed to refresh cached credentials, "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// sourceHint says how to fix a provider that failed.
func sourceHint(c *Chain, err error) string {
	src := c.Source
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var ite *ssocreds.InvalidTokenError
	switch src.Provider {
	case "web_identity":
		switch {
		case code == "InvalidIdentityToken" || code == "ExpiredTokenException":
			return "the token in " + src.tokenFile + " is not one STS accepts now: write a fresh token from the identity provider there (in CI, the job's OIDC token)"
		case code == "AccessDenied":
			return "check the trust policy of " + src.RoleARN + ": it must accept the token's issuer, audience and subject"
		case strings.Contains(err.Error(), "unable to read file"):
			return "write the identity provider's token to " + src.tokenFile + ", or fix web_identity_token_file in [profile " + src.Profile + "]"
		}
	case "sso":
		if errors.As(err, &ite) || code == "UnauthorizedException" || strings.Contains(err.Error(), "SSO token") {
			return "sign in again: aws sso login --profile " + src.Profile
		}
		if code == "ForbiddenException" {
			return "check that your SSO user is assigned that role in that account (sso_account_id, sso_role_name)"
		}
		if strings.Contains(err.Error(), "missing required configuration") {
			return "give the profile sso_session, sso_account_id and sso_role_name, and the [sso-session] sso_start_url and sso_region"
		}
	case "credential_process":
		return "run the profile's credential_process yourself: it must exit 0 and print the credentials JSON (\"Version\": 1) on stdout"
	case "login":
		return "sign in again: aws login --profile " + src.Profile
	case "credential_source":
		switch src.credentialSource {
		case "Environment":
			if strings.Contains(err.Error(), "empty") {
				return "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or change credential_source in [profile " + src.Profile + "]"
			}
		case "EcsContainer":
			return "check AWS_CONTAINER_CREDENTIALS_FULL_URI (a loopback or container host) or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, and AWS_CONTAINER_AUTHORIZATION_TOKEN"
		case "Ec2InstanceMetadata":
			return "run on an EC2 instance with an instance profile, and unset AWS_EC2_METADATA_DISABLED"
		}
		if strings.Contains(err.Error(), "credential_source values") {
			return "set credential_source to Environment, EcsContainer or Ec2InstanceMetadata"
		}
	}
	if code == "AccessDenied" && src.RoleARN != "" {
		return "check that the trust policy of " + src.RoleARN + " allows the source's credentials"
	}
	return "check that `aws sts get-caller-identity --profile " + src.Profile + "` works"
}

// describe fills in what defines a provider source's credentials: the
// inputs of its cache identity, whether the warm index may serve it, and
// the role its provider assumes itself. target says the source profile is
// the profile asked for, so --duration applies to its role.
func (s *Source) describe(ctx context.Context, p *config.SharedConfig, target bool, o LoadOptions, getenv func(string) string) error {
	if s.Provider == "web_identity" || p.RoleARN != "" {
		s.RoleARN = p.RoleARN
		if _, err := parseRoleARN(s.RoleARN); err != nil {
			return &ConfigError{Profile: p.Profile, Err: fmt.Errorf("role_arn: %w", err),
				Hint: "set role_arn = arn:aws:iam::123456789012:role/NAME in [profile " + p.Profile + "]"}
		}
		s.SessionName = p.RoleSessionName
		if s.SessionName == "" {
			s.SessionName = DefaultSessionName(getenv)
		} else if !validSessionName(s.SessionName) {
			return &ConfigError{Profile: p.Profile, ARN: s.RoleARN,
				Err:  fmt.Errorf("role_session_name %q is not valid", s.SessionName),
				Hint: "use 2 to 64 characters of letters, digits and +=,.@_-"}
		}
		// The SDK's own default is 15 minutes; awsrun's, as for every role, 1h.
		s.Duration = DefaultRoleDuration
		if p.RoleDurationSeconds != nil {
			s.Duration = *p.RoleDurationSeconds
		}
		if target && o.Duration != 0 {
			s.Duration = o.Duration
		}
		if s.Duration < minDuration || s.Duration > maxRoleDuration {
			return &ConfigError{Profile: p.Profile, ARN: s.RoleARN,
				Err:  fmt.Errorf("role duration %s is out of range (15m to 12h)", fmtDuration(s.Duration)),
				Hint: "pass --duration between 15m and 12h, or fix duration_seconds (900 to 43200)"}
		}
		if s.Provider != "web_identity" {
			s.MFASerial = p.MFASerial
		}
	}

	in := []string{"role=" + s.RoleARN, "session=" + s.SessionName, "duration=" + s.Duration.String(),
		"external_id=" + p.ExternalID, "mfa=" + s.MFASerial}
	if s.RoleARN != "" {
		in = append(in, "sts="+endpointInputs(ctx, *p, getenv))
	}
	switch s.Provider {
	case "credential_process":
		// Its output depends on its environment: asked on every run (see
		// Retrieve), never served by the warm index.
		s.label, s.volatile = "credential_process", true
		in = append(in, "command="+p.CredentialProcess)
	case "web_identity":
		// A new token (a new CI job, another branch) is another identity, and
		// may be refused where the old one was not: never reuse across tokens.
		s.label, s.tokenFile, s.volatile = "web identity", p.WebIdentityTokenFile, true
		token, _ := os.ReadFile(p.WebIdentityTokenFile)
		in = append(in, "token_file="+p.WebIdentityTokenFile, "token="+digest(string(token)))
	case "sso":
		session, region, start := "", p.SSORegion, p.SSOStartURL
		if p.SSOSession != nil {
			session, region, start = p.SSOSession.Name, p.SSOSession.SSORegion, p.SSOSession.SSOStartURL
		}
		svc, _, _ := p.GetServiceBaseEndpoint(ctx, "SSO")
		s.label = "sso " + p.SSOAccountID + "/" + p.SSORoleName
		// The sign-in is part of the identity: after a logout or another
		// person's login the role credentials are not served again. The
		// warm index cannot see the token file, so it serves none of these.
		s.volatile = true
		tokenKey := firstNonEmpty(session, start)
		var token []byte
		if path, err := ssocreds.StandardCachedTokenFilepath(tokenKey); err == nil {
			token, _ = os.ReadFile(path)
		}
		in = append(in, "sso_token="+digest(ssoAccessToken(token)))
		in = append(in, "sso_session="+session, "sso_region="+region, "sso_start_url="+start,
			"account="+p.SSOAccountID, "role_name="+p.SSORoleName,
			"endpoint="+getenv("AWS_ENDPOINT_URL_SSO")+";"+getenv("AWS_ENDPOINT_URL")+";"+svc+";"+p.BaseEndpoint)
	case "login":
		s.label = "login " + p.LoginSession
		in = append(in, "login_session="+p.LoginSession)
	case "credential_source":
		s.label, s.credentialSource = p.CredentialSource, p.CredentialSource
		in = append(in, "credential_source="+p.CredentialSource)
		switch p.CredentialSource {
		case "Environment":
			s.volatile = true
			// The SDK also reads the older AWS_ACCESS_KEY/AWS_SECRET_KEY names.
			in = append(in, "key="+firstNonEmpty(getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_ACCESS_KEY")),
				"secret="+digest(firstNonEmpty(getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SECRET_KEY"))),
				"token="+digest(getenv("AWS_SESSION_TOKEN")))
		case "EcsContainer":
			s.volatile = true
			fileToken := ""
			if f := getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f != "" {
				b, _ := os.ReadFile(f)
				fileToken = string(b)
			}
			in = append(in, "full_uri="+getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
				"relative_uri="+getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
				"auth="+digest(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")+"\x00"+fileToken))
		case "Ec2InstanceMetadata":
			in = append(in, "imds="+getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT")+";"+getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"))
		}
	}
	if s.RoleARN != "" {
		s.label += " " + s.RoleARN
	}
	s.inputs = in
	return nil
}

// ssoAccessToken is the accessToken of an SSO token cache file, "" when
// there is none: the file also holds a refresh time that changes without
// changing who is signed in.
func ssoAccessToken(file []byte) string {
	var t struct {
		AccessToken string `json:"accessToken"`
	}
	if json.Unmarshal(file, &t) != nil {
		return ""
	}
	return t.AccessToken
}

// digest stands for a secret in a cache identity, which is hashed anyway:
// the secret itself is never kept.
func digest(secret string) string {
	if secret == "" {
		return ""
	}
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
