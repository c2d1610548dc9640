package creds

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
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
		// counted against the provider's time limit; the device stays
		// locked until the provider's AssumeRole has answered.
		unlock, err := r.lockDevice(ctx, c, src.MFASerial)
		if err != nil {
			return Credentials{}, err
		}
		defer unlock()
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
		if errors.As(err, &ce) && ce.Fix == "" {
			ce.Fix = sourceHint(c, err)
		}
		return Credentials{}, err
	}
	if src.Provider == ProviderProcess {
		cfg.Credentials = processProvider(cfg, src, code)
	}
	what := string(src.Provider)
	if src.RoleARN != "" {
		what += ", assuming " + src.RoleARN
	}
	r.logf("%s: credentials from the SDK's %s provider", src.Profile, what)
	timeout := r.stsTimeout()
	if src.Provider == ProviderProcess {
		timeout = processTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return Credentials{}, &ConfigError{Profile: src.Profile, ARN: src.RoleARN,
			Err: fmt.Errorf("%s: %s", firstNonEmpty(src.credentialSource, string(src.Provider)), describeSourceError(src.Provider, err)), Fix: sourceHint(c, err)}
	}
	creds := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken}
	if v.CanExpire {
		creds.Expiration = v.Expires.UTC()
	}
	return creds, nil
}

// processProvider is the SDK's credential_process provider, and its
// AssumeRole of the source's role_arn, as the SDK's loader builds them —
// but with the process's stdin on the null device. The SDK hands it
// os.Stdin, the command's input: a process that read it would eat it, or
// wait on a pipe. Only the command is built here; os.Stdin is never
// touched (under --server this runs beside the command).
func processProvider(cfg aws.Config, src Source, code string) aws.CredentialsProvider {
	command := processcreds.NewCommandBuilderFunc(func(ctx context.Context) (*exec.Cmd, error) {
		var args []string
		if src.command != "" {
			args = []string{src.command}
		}
		cmd, err := processcreds.DefaultNewCommandBuilder{Args: args}.NewCommand(ctx)
		if cmd != nil {
			cmd.Stdin = nil // the null device
		}
		return cmd, err
	})
	p := aws.CredentialsProvider(processcreds.NewProviderCommand(command, func(o *processcreds.Options) { o.Timeout = processTimeout }))
	noWindow := func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow, o.ExpiryWindowJitterFrac = 0, 0 }
	if src.RoleARN == "" {
		return aws.NewCredentialsCache(p, noWindow)
	}
	base := cfg.Copy()
	base.Credentials = aws.NewCredentialsCache(p, noWindow)
	return aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), src.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName, o.Duration = src.SessionName, src.Duration
		if src.externalID != "" {
			o.ExternalID = aws.String(src.externalID)
		}
		if src.MFASerial != "" {
			o.SerialNumber = aws.String(src.MFASerial)
			o.TokenProvider = func() (string, error) { return code, nil }
		}
	}), noWindow)
}

// describeSourceError keeps what a provider said that helps, without the
// SDK's retry noise, and never echoes a process's output: it may hold a
// secret.
func describeSourceError(kind Provider, err error) string {
	var ae smithy.APIError
	var ue *url.Error
	var pe *processcreds.ProviderError
	var oe *smithy.OperationError
	if errors.As(err, &oe) && strings.HasPrefix(oe.Err.Error(), string(textGetIdentity)) {
		// The call never left: what failed is getting the credentials to
		// sign it with, the source's own provider.
		return describeSourceError(kind, oe.Err)
	}
	switch {
	case errors.As(err, &pe) && textProcessOutput.inErr(pe):
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
		endpoint, why := unreachable(ue)
		return fmt.Sprintf("cannot reach %s: %s", endpoint, why)
	case errors.Is(err, context.DeadlineExceeded):
		if kind == ProviderProcess {
			return fmt.Sprintf("the command did not finish within %s", processTimeout)
		}
		return "no answer in time"
	}
	// The SDK's layers each add a prefix that says nothing to the user.
	return trimNoise(err.Error())
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
	case ProviderWebIdentity:
		switch {
		case code == "InvalidIdentityToken" || code == "ExpiredTokenException":
			return "the token in " + src.tokenFile + " is not one STS accepts now: write a fresh token from the identity provider there (in CI, the job's OIDC token)"
		case code == "AccessDenied":
			return "check the trust policy of " + src.RoleARN + ": it must accept the token's issuer, audience and subject"
		case textUnreadableFile.inErr(err):
			return "write the identity provider's token to " + src.tokenFile + ", or fix web_identity_token_file in [profile " + src.Profile + "]"
		}
	case ProviderSSO:
		if errors.As(err, &ite) || code == "UnauthorizedException" || textSSOToken.inErr(err) {
			return "sign in again: aws sso login --profile " + src.Profile
		}
		if code == "ForbiddenException" {
			return "check that your SSO user is assigned that role in that account (sso_account_id, sso_role_name)"
		}
		if textMissingSSO.inErr(err) {
			return "give the profile sso_session, sso_account_id and sso_role_name, and the [sso-session] sso_start_url and sso_region"
		}
	case ProviderProcess:
		return "run the profile's credential_process yourself: it must exit 0 and print the credentials JSON (\"Version\": 1) on stdout"
	case ProviderLogin:
		return "sign in again: aws login --profile " + src.Profile
	case ProviderCredentialSource:
		switch src.credentialSource {
		case "Environment":
			if textEmptyEnvironment.inErr(err) {
				return "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or change credential_source in [profile " + src.Profile + "]"
			}
		case "EcsContainer":
			return "check AWS_CONTAINER_CREDENTIALS_FULL_URI (a loopback or container host) or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, and AWS_CONTAINER_AUTHORIZATION_TOKEN"
		case "Ec2InstanceMetadata":
			return "run on an EC2 instance with an instance profile, and unset AWS_EC2_METADATA_DISABLED"
		}
		if textCredentialSourceValues.inErr(err) {
			return "set credential_source to Environment, EcsContainer or Ec2InstanceMetadata"
		}
	}
	if code == "AccessDenied" && src.RoleARN != "" {
		return "check that the trust policy of " + src.RoleARN + " allows the source's credentials"
	}
	return "check that `aws sts get-caller-identity --profile " + src.Profile + "` works"
}
