package creds

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/aws/smithy-go"

	"github.com/awsrun/awsrun/internal/textsafe"
)

// ConfigError is a profile that cannot be used as written.
type ConfigError struct {
	Profile string
	ARN     string // the role (or device) involved, when there is one
	Err     error
	Fix     string // what the user should do about it, "" when awsrun cannot tell
}

func (e *ConfigError) Error() string { return subject(e.Profile, e.ARN) + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Hint is the fix, for the user.
func (e *ConfigError) Hint() string { return e.Fix }

// STSError is a failed STS call, with the profile and ARN it was for.
type STSError struct {
	Profile string
	Op      string // GetSessionToken, AssumeRole, GetFederationToken, GetCallerIdentity, …
	ARN     string // the role assumed, or the MFA device of a session
	Serial  string // the MFA device whose code was sent, if any
	// CodeFrom names where that code came from: the terminal,
	// --mfa-code, AWSRUN_MFA_CODE or mfa_process; "" for none.
	CodeFrom string
	// Endpoint is the STS endpoint called, scheme://host; "" when no
	// request was sent, or the client is not the SDK's.
	Endpoint string
	// Attempts is how many requests the SDK's retryer sent.
	Attempts int
	// Grants names what the call needs of the role's trust policy beyond
	// sts:AssumeRole (sts:TagSession, sts:SetSourceIdentity), "" for
	// nothing more.
	Grants string
	// Timeout is awsrun's deadline (AWSRUN_STS_TIMEOUT) when that deadline
	// ended the call; 0 otherwise.
	Timeout time.Duration
	Err     error

	// last is how the last attempt failed before the deadline cut the
	// retries short: the refused connection or the throttling that the
	// SDK's final "deadline exceeded" no longer mentions.
	last error
}

func (e *STSError) Error() string {
	return subject(e.Profile, e.ARN) + e.Op + ": " + e.describe()
}
func (e *STSError) Unwrap() error { return e.Err }

// Code is the AWS error code (AccessDenied, ExpiredToken, …), "" when STS
// gave none.
func (e *STSError) Code() string {
	var ae smithy.APIError
	if errors.As(e.Err, &ae) || errors.As(e.last, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// cause is the failure worth describing: the last real one when the
// deadline cut the retries short, else the call's own.
func (e *STSError) cause() error {
	if e.last != nil {
		return e.last
	}
	return e.Err
}

// describe words the failure: AWS's code and message, or what went wrong
// on the way to STS, with the endpoint; and how long or how often awsrun
// tried.
func (e *STSError) describe() string {
	if e.Timeout > 0 && e.last == nil {
		at := ""
		if e.Endpoint != "" {
			at = " at " + e.Endpoint
		}
		return fmt.Sprintf("no answer from STS%s within %s", at, fmtDuration(e.Timeout))
	}
	msg := describeSTSError(e.cause(), e.Endpoint)
	switch {
	case e.Timeout > 0:
		msg += fmt.Sprintf(" (still failing when the %s deadline ran out, %s)", fmtDuration(e.Timeout), textsafe.Plural(e.Attempts, "attempt"))
	case e.Attempts > 1:
		msg += fmt.Sprintf(" (after %s)", textsafe.Plural(e.Attempts, "attempt"))
	}
	return msg
}

// Hint says what to do about the failure.
func (e *STSError) Hint() string {
	var (
		ue *url.Error
		de *smithy.DeserializationError
	)
	cause := e.cause()
	switch code := e.Code(); {
	case code == "AccessDenied" && textMFAFailed.in(describeSTSError(cause, "")):
		switch e.CodeFrom {
		case "", fromTerminal:
			return "type the code " + e.Serial + " shows now; each code works once"
		case "mfa_process":
			return "check that mfa_process prints the code " + e.Serial + " shows now (its secret, the clock); each code works once, so one another tool sent in these 30 seconds is refused too"
		}
		return "give " + e.CodeFrom + " the code " + e.Serial + " shows now; each code works once"
	case code == "AccessDenied" && e.Op == "GetFederationToken":
		return "the console signs in a profile without a role as a federated user, which needs sts:GetFederationToken: allow it for the IAM user, or give the profile a role_arn"
	case code == "AccessDenied" && e.Grants != "":
		return "check that the role's trust policy allows the caller " + e.Grants + " beside sts:AssumeRole (the profile's session_tags or source_identity need it), its MFA condition, and mfa_serial in the profile"
	case code == "AccessDenied":
		return "check that the role's trust policy allows the caller (and its MFA condition), and mfa_serial in the profile"
	case code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch":
		return "the source profile's access key is wrong or inactive: check aws_access_key_id and aws_secret_access_key"
	case code == "ExpiredToken":
		return "run again with --refresh to get new credentials"
	case code == "ValidationError" && textMaxSessionDuration.in(describeSTSError(cause, "")):
		return "pass a --duration within the role's maximum session duration, or raise the role's MaxSessionDuration"
	case code == "ValidationError" && textDurationSeconds.in(describeSTSError(cause, "")):
		return "pass a shorter --duration (role chaining allows 1h at most)"
	case code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded":
		return "STS is throttling this account: wait a moment and run again"
	case code == "InternalFailure" || code == "ServiceUnavailable" || httpStatus(cause) >= 500:
		return "STS failed on its side: run again in a moment"
	case e.Timeout > 0 && e.last == nil:
		return fmt.Sprintf("check the network and any proxy, or allow STS more time than %s: AWSRUN_STS_TIMEOUT=%s", fmtDuration(e.Timeout), fmtDuration(2*e.Timeout))
	case errors.As(cause, &de) || errors.Is(cause, errIncomplete) || code == "UnknownError":
		return "the answer was cut short or did not come from STS: run again, and check any proxy, AWS_ENDPOINT_URL_STS and endpoint_url"
	case errors.As(cause, &ue):
		return "check the network, or AWS_ENDPOINT_URL_STS / endpoint_url if you set one"
	case errors.Is(cause, context.DeadlineExceeded):
		return "STS did not answer in time: check the network and run again"
	}
	return ""
}

// describeSTSError keeps AWS's code and message and names the endpoint of a
// network failure, dropping the SDK's retry and request-id noise. A body
// that is not an STS answer is never quoted: a truncated one may hold part
// of a secret key.
func describeSTSError(err error, endpoint string) string {
	var (
		ae smithy.APIError
		de *smithy.DeserializationError
		ue *url.Error
	)
	at := ""
	if endpoint != "" {
		at = " at " + endpoint
	}
	switch {
	case errors.As(err, &ae) && ae.ErrorCode() == "UnknownError" && (ae.ErrorMessage() == "" || ae.ErrorMessage() == "UnknownError"):
		// The SDK's name for an error body it could not decode: a proxy's
		// page, a load balancer's, anything but STS's XML.
		status := ""
		if s := httpStatus(err); s != 0 {
			status = fmt.Sprintf(" HTTP %d with", s)
		}
		return fmt.Sprintf("STS%s answered%s a body that is not an STS error", at, status)
	case errors.As(err, &ae):
		if msg := ae.ErrorMessage(); msg != "" {
			return textsafe.OneLine(ae.ErrorCode()+": "+msg, networkTextMax)
		}
		return textsafe.OneLine(ae.ErrorCode(), networkTextMax)
	case errors.As(err, &de):
		status := ""
		if s := httpStatus(err); s != 0 {
			status = fmt.Sprintf(" HTTP %d with", s)
		}
		return fmt.Sprintf("STS%s answered%s a body that is not a valid STS response", at, status)
	case errors.As(err, &ue):
		endpoint, why := unreachable(ue)
		return fmt.Sprintf("cannot reach STS at %s: %s", endpoint, why)
	case errors.Is(err, errIncomplete):
		return fmt.Sprintf("STS%s answered without complete credentials", at)
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer from STS" + at + " in time"
	case errors.Is(err, context.Canceled):
		return "canceled while waiting for STS" + at
	}
	return textsafe.OneLine(err.Error(), networkTextMax)
}

// unreachable words a request that got no answer: the endpoint as
// scheme://host, and the last cause the network layers give ("connection
// refused"), without the chain of operations before it.
func unreachable(ue *url.Error) (endpoint, why string) {
	endpoint = ue.URL
	if u, err := url.Parse(ue.URL); err == nil && u.Host != "" {
		endpoint = u.Scheme + "://" + u.Host
	}
	why = ue.Err.Error()
	if i := strings.LastIndex(why, ": "); i >= 0 && !errors.Is(ue.Err, context.DeadlineExceeded) {
		why = why[i+2:]
	}
	return endpoint, why
}

// networkTextMax is how much of a message that came over the network an
// error quotes: it may be a whole page.
const networkTextMax = 300

// httpStatus is the HTTP status of the response an SDK error came with, 0
// when there was none.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// subject is the "profile P (ARN): " prefix every error carries. A name
// with control characters is quoted: it comes from the command line or the
// environment, and must not break the one line or forge a second.
func subject(profile, arn string) string {
	profile, arn = quoteOdd(profile), quoteOdd(arn)
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

// quoteOdd returns s, Go-quoted when it holds a control character.
func quoteOdd(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}

// ErrNoTerminal means an MFA code is needed but nothing can supply one: no
// --mfa-code, no mfa_process, and no terminal to ask on. TerminalAsk
// returns a *NoTerminalError naming its own question, which errors.Is
// matches with ErrNoTerminal too.
var ErrNoTerminal error = &NoTerminalError{What: "the MFA code"}

// NoTerminalError is a question with no terminal to ask it on.
type NoTerminalError struct{ What string }

func (e *NoTerminalError) Error() string { return "no terminal to ask for " + e.What }

// Is makes every *NoTerminalError match ErrNoTerminal.
func (e *NoTerminalError) Is(target error) bool {
	_, ok := target.(*NoTerminalError)
	return ok
}

// MFAError is a failure to get a usable MFA code.
type MFAError struct {
	Profile string
	Serial  string
	Err     error
	Fix     string // what the user should do about it
}

func (e *MFAError) Error() string { return subject(e.Profile, e.Serial) + e.Err.Error() }
func (e *MFAError) Unwrap() error { return e.Err }

// Hint is the fix, for the user.
func (e *MFAError) Hint() string { return e.Fix }

// InterruptedError is a prompt ended by a signal (Ctrl-C). The caller
// exits 128+signal, as a shell does.
type InterruptedError struct{ Signal int }

func (e *InterruptedError) Error() string { return "interrupted" }

// InterruptSignal is the signal number, for the exit status 128+N.
func (e *InterruptedError) InterruptSignal() int { return e.Signal }
