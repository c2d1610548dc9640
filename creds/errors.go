package creds

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/smithy-go"
)

// ConfigError is a profile that cannot be used as written.
type ConfigError struct {
	Profile string
	ARN     string // the role (or device) involved, when there is one
	Err     error
	Hint    string // the fix, for the user
}

func (e *ConfigError) Error() string { return subject(e.Profile, e.ARN) + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// STSError is a failed STS call, with the profile and ARN it was for.
type STSError struct {
	Profile string
	Op      string // GetSessionToken, AssumeRole
	ARN     string // the role assumed, or the MFA device of a session
	Serial  string // the MFA device whose code was sent, if any
	Err     error
}

func (e *STSError) Error() string {
	return subject(e.Profile, e.ARN) + e.Op + ": " + describeSTSError(e.Err)
}
func (e *STSError) Unwrap() error { return e.Err }

// Code is the AWS error code (AccessDenied, ExpiredToken, …), "" when STS
// gave none.
func (e *STSError) Code() string {
	var ae smithy.APIError
	if errors.As(e.Err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Hint says what to do about the failure.
func (e *STSError) Hint() string {
	var ue *url.Error
	switch code := e.Code(); {
	case code == "AccessDenied" && strings.Contains(describeSTSError(e.Err), "MultiFactorAuthentication"):
		return "type the code " + e.Serial + " shows now; each code works once"
	case code == "AccessDenied":
		return "check that the role's trust policy allows the caller (and its MFA condition), and mfa_serial in the profile"
	case code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch":
		return "the source profile's access key is wrong or inactive: check aws_access_key_id and aws_secret_access_key"
	case code == "ExpiredToken":
		return "run again with --refresh to get new credentials"
	case code == "ValidationError" && strings.Contains(describeSTSError(e.Err), "DurationSeconds"):
		return "pass a shorter --duration (role chaining allows 1h at most)"
	case code == "Throttling" || code == "ThrottlingException":
		return "STS is throttling this account: wait a moment and run again"
	case errors.As(e.Err, &ue):
		return "check the network, or AWS_ENDPOINT_URL_STS / endpoint_url if you set one"
	case errors.Is(e.Err, context.DeadlineExceeded):
		return "STS did not answer in time: check the network and run again"
	}
	return ""
}

// describeSTSError keeps AWS's code and message and names the endpoint of a
// network failure, dropping the SDK's retry and request-id noise.
func describeSTSError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if msg := ae.ErrorMessage(); msg != "" {
			return ae.ErrorCode() + ": " + msg
		}
		return ae.ErrorCode()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		endpoint := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			endpoint = u.Scheme + "://" + u.Host
		}
		inner := ue.Err.Error()
		if i := strings.LastIndex(inner, ": "); i >= 0 && !errors.Is(ue.Err, context.DeadlineExceeded) {
			inner = inner[i+2:]
		}
		return fmt.Sprintf("cannot reach STS at %s: %s", endpoint, inner)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer from STS in time"
	}
	return err.Error()
}

// subject is the "profile P (ARN): " prefix every error carries.
func subject(profile, arn string) string {
	switch {
	case profile == "" && arn == "":
		return ""
	case arn == "":
		return "profile " + profile + ": "
	case profile == "":
		return arn + ": "
	}
	return "profile " + profile + " (" + arn + "): "
}

// ErrNoTerminal means an MFA code is needed but nothing can supply one: no
// --mfa-code, no mfa_process, and no terminal to ask on.
var ErrNoTerminal = errors.New("no terminal to ask for the MFA code")

// MFAError is a failure to get a usable MFA code.
type MFAError struct {
	Profile string
	Serial  string
	Err     error
	Hint    string
}

func (e *MFAError) Error() string { return subject(e.Profile, e.Serial) + e.Err.Error() }
func (e *MFAError) Unwrap() error { return e.Err }

// InterruptedError is a prompt ended by a signal (Ctrl-C). The caller
// exits 128+signal, as a shell does.
type InterruptedError struct{ Signal int }

func (e *InterruptedError) Error() string { return "interrupted" }

// InterruptSignal is the signal number, for the exit status 128+N.
func (e *InterruptedError) InterruptSignal() int { return e.Signal }
