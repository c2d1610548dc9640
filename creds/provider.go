package creds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
)

// Provider names an SDK credential provider a source comes from.
type Provider string

// The providers of sources that are not static keys, named as the shared
// config's keys name them.
const (
	ProviderProcess          Provider = "credential_process"
	ProviderWebIdentity      Provider = "web_identity"
	ProviderSSO              Provider = "sso"
	ProviderLogin            Provider = "login"
	ProviderCredentialSource Provider = "credential_source"
)

// providerKind names the SDK provider of a profile without static keys, in
// the SDK's own order of precedence.
func providerKind(p *config.SharedConfig) Provider {
	switch {
	case p.CredentialSource != "":
		return ProviderCredentialSource
	case p.WebIdentityTokenFile != "":
		return ProviderWebIdentity
	case p.SSOSessionName != "" || p.SSOStartURL != "" || p.SSOAccountID != "" || p.SSORegion != "" || p.SSORoleName != "":
		return ProviderSSO
	case p.LoginSession != "":
		return ProviderLogin
	case p.CredentialProcess != "":
		return ProviderProcess
	}
	return ""
}

// describe fills in what defines a provider source's credentials: the
// role its provider assumes itself, the inputs of its cache identity, and
// whether the warm index may serve it. target says the source profile is
// the profile asked for, so --duration applies to its role.
func (s *Source) describe(ctx context.Context, p *config.SharedConfig, target bool, o LoadOptions, configFile string, getenv func(string) string) error {
	if s.Provider == ProviderWebIdentity || p.RoleARN != "" {
		role, err := readRole(p, target, o, configFile, getenv)
		if err != nil {
			return err
		}
		s.RoleARN, s.SessionName, s.Duration, s.externalID = role.RoleARN, role.SessionName, role.Duration, p.ExternalID
		if s.Provider != ProviderWebIdentity {
			s.MFASerial = p.MFASerial
		}
	}
	in := []string{"role=" + s.RoleARN, "session=" + s.SessionName, "duration=" + s.Duration.String(),
		"external_id=" + p.ExternalID, "mfa=" + s.MFASerial}
	if s.RoleARN != "" {
		in = append(in, "sts="+endpointInputs(ctx, *p, getenv))
	}
	more, err := s.providerInputs(ctx, p, getenv)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.Profile = p.Profile
		}
		return err
	}
	s.inputs = append(in, more...)
	if s.RoleARN != "" {
		s.label += " " + s.RoleARN
	}
	return nil
}

// providerInputs sets the source's label and volatility and returns what
// defines the provider's own credentials: its command, token, sign-in or
// environment. Secrets among them are digested. The token files it reads
// are bounded, as readBounded says, before the SDK reads them whole.
func (s *Source) providerInputs(ctx context.Context, p *config.SharedConfig, getenv func(string) string) ([]string, error) {
	switch s.Provider {
	case ProviderProcess:
		// Its output depends on its environment: asked on every run (see
		// Retrieve), never served by the warm index.
		s.label, s.command, s.volatile = "credential_process", p.CredentialProcess, true
		return []string{"command=" + p.CredentialProcess}, nil
	case ProviderWebIdentity:
		// A new token (a new CI job, another branch) is another identity, and
		// may be refused where the old one was not: never reuse across tokens.
		s.label, s.tokenFile, s.volatile = "web identity", p.WebIdentityTokenFile, true
		token, err := readToken(p.WebIdentityTokenFile, "web_identity_token_file")
		return []string{"token_file=" + p.WebIdentityTokenFile, "token=" + digest(string(token))}, err
	case ProviderSSO:
		var missing []string
		if p.SSOAccountID == "" {
			missing = append(missing, "sso_account_id")
		}
		if p.SSORoleName == "" {
			missing = append(missing, "sso_role_name")
		}
		if len(missing) > 0 {
			// The SDK would go on to the portal, and its refusal read as
			// a sign-in to renew.
			return nil, &ConfigError{Err: fmt.Errorf("the SSO profile has no %s", strings.Join(missing, " or ")),
				Fix: "add " + strings.Join(missing, " and ") + " to [profile " + p.Profile + "] (aws configure sso writes them)"}
		}
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
		var token []byte
		if path, err := ssocreds.StandardCachedTokenFilepath(firstNonEmpty(session, start)); err == nil {
			if token, err = readToken(path, "the SSO token cache file (aws sso login writes it)"); err != nil {
				return nil, err
			}
		}
		return []string{"sso_token=" + digest(ssoAccessToken(token)),
			"sso_session=" + session, "sso_region=" + region, "sso_start_url=" + start,
			"account=" + p.SSOAccountID, "role_name=" + p.SSORoleName,
			"endpoint=" + getenv("AWS_ENDPOINT_URL_SSO") + ";" + getenv("AWS_ENDPOINT_URL") + ";" + svc + ";" + p.BaseEndpoint}, nil
	case ProviderLogin:
		s.label = "login " + p.LoginSession
		return []string{"login_session=" + p.LoginSession}, nil
	case ProviderCredentialSource:
		s.label, s.credentialSource = p.CredentialSource, p.CredentialSource
		in := []string{"credential_source=" + p.CredentialSource}
		switch p.CredentialSource {
		case "Environment":
			s.volatile = true
			// The SDK also reads the older AWS_ACCESS_KEY/AWS_SECRET_KEY names.
			return append(in, "key="+firstNonEmpty(getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_ACCESS_KEY")),
				"secret="+digest(firstNonEmpty(getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SECRET_KEY"))),
				"token="+digest(getenv("AWS_SESSION_TOKEN"))), nil
		case "EcsContainer":
			s.volatile = true
			fileToken := ""
			if f := getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f != "" {
				b, err := readToken(f, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
				if err != nil {
					return nil, err
				}
				fileToken = string(b)
			}
			return append(in, "full_uri="+getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
				"relative_uri="+getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
				"auth="+digest(getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")+"\x00"+fileToken)), nil
		case "Ec2InstanceMetadata":
			return append(in, "imds="+getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT")+";"+getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")), nil
		}
		return in, nil
	}
	return nil, nil
}

// readToken reads a token file the SDK will read too, bounded; a missing
// one is empty here, and left to the SDK's own message.
func readToken(path, setting string) ([]byte, error) {
	b, err := readBounded(path, maxTokenFile, setting)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
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
