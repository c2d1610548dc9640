package creds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsrun/awsrun/cache"

	"github.com/awsrun/awsrun/internal/pattern"
)

// ConsoleOptions say which console page a sign-in opens and where the
// federation endpoint is.
type ConsoleOptions struct {
	// Service is a console service to open, e.g. s3 or ec2; "" for the
	// console home.
	Service string
	// Path is a page of the console, e.g. ec2/home#Instances:; it beats
	// Service.
	Path string
	// Endpoint replaces the partition's sign-in endpoint,
	// https://signin.aws.amazon.com and its twins
	// (AWSRUN_FEDERATION_ENDPOINT): https, or http to a loopback address.
	Endpoint string
	// HTTP is the client for the federation endpoint; nil: one that follows
	// the environment's proxy settings.
	HTTP *http.Client
	// Getenv reads the user name for a federated user's session name; nil:
	// os.Getenv.
	Getenv func(string) string
}

// ConsoleSignin is a console sign-in URL and what it signs in as.
type ConsoleSignin struct {
	// URL is the login URL. It holds the sign-in token, which opens the
	// console as Identity to whoever has it for 15 minutes: a secret.
	URL string
	// Identity is the ARN the console is signed in as: the role, or the
	// federated user of a profile without a role.
	Identity string
	// Expires is when the console session ends.
	Expires time.Time
	// SessionDuration is the console session asked of the endpoint; 0 when
	// the session lasts as long as the credentials.
	SessionDuration time.Duration
}

// String describes the sign-in without its URL, which is a secret.
func (s ConsoleSignin) String() string {
	return "console sign-in as " + s.Identity + " until " + s.Expires.UTC().Format(time.RFC3339)
}

// GoString is String: %#v must not show the URL either.
func (s ConsoleSignin) GoString() string { return s.String() }

// consoleHosts are the sign-in and console hosts of the partitions whose
// console a federation sign-in can open. The isolated partitions have
// consoles of their own that this sign-in does not reach.
var consoleHosts = map[string]struct{ signin, console string }{
	"aws":        {"signin.aws.amazon.com", "console.aws.amazon.com"},
	"aws-us-gov": {"signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"},
	"aws-cn":     {"signin.amazonaws.cn", "console.amazonaws.cn"},
}

// allowAllPolicy is the session policy of a federated-user sign-in: the
// session may do what the IAM user's own policies allow, and no more,
// since a session policy only ever narrows them.
const allowAllPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// federatedDuration is the lifetime of a federated-user session, as long
// as a role's default.
const federatedDuration = time.Hour

// maxSigninAnswer bounds the federation endpoint's answer: a sign-in
// token is about a kilobyte.
const maxSigninAnswer = 64 << 10

// SigninError is a failure of the federation endpoint. It never holds the
// session sent nor the request URL, which carries it.
type SigninError struct {
	Endpoint string        // scheme://host of the federation endpoint
	Status   int           // HTTP status of a refusal; 0 when there was no answer
	Timeout  time.Duration // the deadline that ran out; 0 otherwise
	Err      error
}

func (e *SigninError) Error() string {
	switch {
	case e.Timeout > 0:
		return fmt.Sprintf("no answer from the sign-in endpoint %s within %s", e.Endpoint, fmtDuration(e.Timeout))
	case e.Status >= 500:
		return fmt.Sprintf("the sign-in endpoint %s failed: HTTP %d %s", e.Endpoint, e.Status, http.StatusText(e.Status))
	case e.Status == http.StatusBadRequest:
		// The federation endpoint's own refusal: an error page with 400.
		return fmt.Sprintf("the sign-in endpoint %s refused the credentials: HTTP %d %s", e.Endpoint, e.Status, http.StatusText(e.Status))
	case e.Status >= 400:
		return fmt.Sprintf("%s answered HTTP %d %s: it does not look like the sign-in federation endpoint", e.Endpoint, e.Status, http.StatusText(e.Status))
	case e.Status != 0:
		return fmt.Sprintf("the sign-in endpoint %s answered HTTP %d %s, not a sign-in token", e.Endpoint, e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("getSigninToken at %s: %v", e.Endpoint, e.Err)
}

func (e *SigninError) Unwrap() error { return e.Err }

// ErrNoConsole is a partition without a federation sign-in.
var ErrNoConsole = errors.New("no console sign-in")

// ConsoleSignin makes a console login URL for the chain: the role's
// credentials come through Retrieve — the cache, the MFA session and the
// prompt, as for a command — and are exchanged for a sign-in token. A
// profile without a role signs in as a federated user made from its
// long-term keys with GetFederationToken.
func (r *Resolver) ConsoleSignin(ctx context.Context, c *Chain, o ConsoleOptions) (*ConsoleSignin, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	// Everything that can be refused without credentials is checked first:
	// a typo must not cost an MFA code.
	part := consolePartition(c)
	hosts, ok := consoleHosts[part]
	if !ok {
		return nil, &ConfigError{Profile: c.Profile, ARN: c.ARN(),
			Err: fmt.Errorf("%w for partition %s: only aws, aws-us-gov and aws-cn have one", ErrNoConsole, part),
			Fix: "sign in to that partition's console through its own portal"}
	}
	endpoint := "https://" + hosts.signin
	if o.Endpoint != "" {
		var err error
		if endpoint, err = federationEndpoint(o.Endpoint); err != nil {
			return nil, &ConfigError{Profile: c.Profile, ARN: c.ARN(), Err: fmt.Errorf("AWSRUN_FEDERATION_ENDPOINT: %w", err),
				Fix: "set it to https://HOST[:PORT] (http only to a loopback address), or unset it"}
		}
	}
	dest, err := consoleDestination(hosts.console, c.Region, o.Service, o.Path)
	if err != nil {
		return nil, &ConfigError{Profile: c.Profile, ARN: c.ARN(), Err: err,
			Fix: "pass --console-service NAME (e.g. s3, ec2) or --console-path PATH (e.g. ec2/home#Instances:)"}
	}
	s := &ConsoleSignin{Identity: c.ARN()}
	var creds Credentials
	if len(c.Hops) == 0 && c.Source.RoleARN == "" && c.Source.LongTerm() {
		creds, s.Identity, err = r.federationToken(ctx, c, getenv)
	} else {
		creds, err = r.Retrieve(ctx, c)
		// AWS accepts SessionDuration only for role sessions made with
		// long-term keys: not for role chaining, nor for credentials it
		// cannot vouch for as a role's (a provider's, a file's session).
		if p, perr := NewPlan(c, r.MinTTL); err == nil && perr == nil {
			if t := p.Target(); t != nil && t.Kind == cache.KindRole && t.Parent < 0 && c.Source.LongTerm() {
				s.SessionDuration = t.Duration
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if !creds.Temporary() {
		return nil, &ConfigError{Profile: c.Profile, ARN: c.ARN(),
			Err: errors.New("the profile's credentials are long-term keys, which cannot sign in to the console"),
			Fix: "give the profile a role_arn, or have its source hand out role credentials"}
	}
	s.Expires = creds.Expiration
	if s.SessionDuration > 0 {
		s.Expires = r.now().Add(s.SessionDuration)
	}

	r.logf("console: asking %s for a sign-in token as %s (%s), console session until %s", endpoint, firstNonEmpty(s.Identity, "the profile's credentials"), creds, s.Expires.Local().Format("15:04 MST"))
	token, err := signinToken(ctx, endpoint, creds, s.SessionDuration, r.stsTimeout(), o.HTTP)
	if err != nil {
		hint := "run again; if it persists, check the network and any proxy"
		var se *SigninError
		if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusBadRequest {
			hint = "check AWSRUN_FEDERATION_ENDPOINT: it is the endpoint's base URL, to which awsrun adds /federation"
			if o.Endpoint == "" {
				hint = "run again; if it persists, check the network and any proxy"
			}
		} else if errors.As(err, &se) && se.Status == http.StatusBadRequest {
			hint = "the endpoint takes only role and federated-user sessions that have not expired: run again with --refresh"
			if c.Source.Provider != "" || (len(c.Hops) == 0 && c.Source.RoleARN == "") {
				hint = "the endpoint takes only role and federated-user sessions: give the profile a role_arn, or run again with --refresh"
			}
		} else if errors.As(err, &se) && se.Status >= 500 {
			hint = "the sign-in endpoint failed on its side: run again in a moment"
		} else if errors.As(err, &se) && se.Timeout > 0 {
			hint = fmt.Sprintf("check the network and any proxy, or allow more time than %s: AWSRUN_STS_TIMEOUT=%s", fmtDuration(se.Timeout), fmtDuration(2*se.Timeout))
		}
		return nil, &ConfigError{Profile: c.Profile, ARN: firstNonEmpty(s.Identity, c.ARN()), Err: err, Fix: hint}
	}
	r.logf("console: got a sign-in token (the login URL works for 15 minutes)")
	q := url.Values{
		"Action":      {"login"},
		"Issuer":      {"awsrun"},
		"Destination": {dest},
		"SigninToken": {token},
	}
	s.URL = endpoint + "/federation?" + q.Encode()
	return s, nil
}

// federationToken makes a federated-user session of the chain's long-term
// keys. GetFederationToken takes no MFA code: conditions on MFA in the
// user's policies deny it.
func (r *Resolver) federationToken(ctx context.Context, c *Chain, getenv func(string) string) (Credentials, string, error) {
	api, err := r.client(ctx, c)
	if err != nil {
		return Credentials{}, "", err
	}
	fed, ok := api.(interface {
		GetFederationToken(context.Context, *sts.GetFederationTokenInput, ...func(*sts.Options)) (*sts.GetFederationTokenOutput, error)
	})
	if !ok {
		return Credentials{}, "", &ConfigError{Profile: c.Profile, Err: errors.New("the STS client cannot call GetFederationToken")}
	}
	if c.MFASerial != "" {
		r.notef("profile %s: the console signs in as a federated user, without MFA: actions that require MFA are denied there", c.Profile)
	}
	name := DefaultSessionName(getenv)
	if len(name) > 32 {
		name = strings.TrimRight(name[:32], "-")
	}
	in := &sts.GetFederationTokenInput{
		Name:            aws.String(name),
		Policy:          aws.String(allowAllPolicy),
		DurationSeconds: aws.Int32(int32(federatedDuration / time.Second)),
	}
	region := firstNonEmpty(c.SessionRegion, c.HopRegion)
	r.logf("STS GetFederationToken %s for %s as %s (%s, region %s)", name, c.Source.Profile, c.Source.Static, fmtDuration(federatedDuration), region)
	e := &STSError{Profile: c.Source.Profile, Op: "GetFederationToken"}
	out, err := call(ctx, r.stsTimeout(), e, func(ctx context.Context, opts ...func(*sts.Options)) (*sts.GetFederationTokenOutput, error) {
		return fed.GetFederationToken(ctx, in, append(opts, as(c.Source.Static, region))...)
	})
	if err != nil {
		return Credentials{}, "", err
	}
	creds, err := r.fromSTS(c, e, out.Credentials)
	if err != nil {
		return Credentials{}, "", err
	}
	arn := ""
	if out.FederatedUser != nil {
		arn = aws.ToString(out.FederatedUser.Arn)
	}
	return creds, arn, nil
}

// signinToken asks the federation endpoint for a sign-in token for creds.
// Errors name the endpoint, never the request: its URL holds the session.
func signinToken(ctx context.Context, endpoint string, creds Credentials, duration, timeout time.Duration, client *http.Client) (string, error) {
	session, err := json.Marshal(map[string]string{
		"sessionId":    creds.AccessKeyID,
		"sessionKey":   creds.SecretAccessKey,
		"sessionToken": creds.SessionToken,
	})
	if err != nil {
		return "", err
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if duration > 0 {
		q.Set("SessionDuration", strconv.Itoa(int(duration/time.Second)))
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errSTSDeadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/federation?"+q.Encode(), nil)
	if err != nil {
		return "", &SigninError{Endpoint: endpoint, Err: errors.New("cannot build the request")}
	}
	if client == nil {
		client = &http.Client{Transport: http.DefaultTransport}
	}
	c := *client
	// The endpoint answers, it does not redirect: a redirect is an error,
	// not somewhere to go.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		e := &SigninError{Endpoint: endpoint, Err: transportError(err)}
		if errors.Is(context.Cause(ctx), errSTSDeadline) {
			e.Timeout = timeout
		}
		return "", e
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSigninAnswer+1))
	switch {
	case err != nil:
		e := &SigninError{Endpoint: endpoint, Err: fmt.Errorf("reading the answer: %w", transportError(err))}
		if errors.Is(context.Cause(ctx), errSTSDeadline) {
			e.Timeout = timeout
		}
		return "", e
	case resp.StatusCode != http.StatusOK:
		// The body is an HTML page: never quoted, the status says enough.
		return "", &SigninError{Endpoint: endpoint, Status: resp.StatusCode}
	case len(body) > maxSigninAnswer:
		return "", &SigninError{Endpoint: endpoint, Err: errors.New("the answer is too large to be a sign-in token")}
	}
	var answer struct{ SigninToken string }
	if err := json.Unmarshal(body, &answer); err != nil || answer.SigninToken == "" {
		return "", &SigninError{Endpoint: endpoint, Err: errors.New("the answer holds no sign-in token")}
	}
	return answer.SigninToken, nil
}

// transportError drops the request URL from an HTTP client error.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(ue.Err, context.DeadlineExceeded) || errors.Is(ue.Err, context.Canceled) {
			return ue.Err
		}
		msg := ue.Err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return errors.New(msg)
	}
	return err
}

// consolePartition is the partition of the identity the chain ends in: its
// ARN's, else its region's.
func consolePartition(c *Chain) string {
	for _, arn := range []string{c.ARN(), c.Source.RoleARN} {
		if a, err := ParseARN(arn); err == nil {
			return a.Partition
		}
	}
	return regionPartition(firstNonEmpty(c.Region, c.HopRegion))
}

// regionPartition maps a region to its partition by name, as the SDK's
// endpoint rules do.
func regionPartition(region string) string {
	for _, p := range []struct{ prefix, partition string }{
		{"us-gov-", "aws-us-gov"},
		{"cn-", "aws-cn"},
		{"us-isob-", "aws-iso-b"},
		{"us-isof-", "aws-iso-f"},
		{"us-iso-", "aws-iso"},
		{"eu-isoe-", "aws-iso-e"},
		{"eusc-", "aws-eusc"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// federationEndpoint checks AWSRUN_FEDERATION_ENDPOINT: the session it is
// sent holds secret keys, so plain HTTP is for this machine only.
func federationEndpoint(v string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not a URL of the form https://HOST[:PORT]", v)
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", fmt.Errorf("%q is plain HTTP to another machine: the session sent holds secret keys", v)
		}
	default:
		return "", fmt.Errorf("%q is not a URL of the form https://HOST[:PORT]", v)
	}
	return strings.TrimSuffix(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// serviceName is ^[a-z0-9][a-z0-9-]{0,62}$, compiled on first use.
var serviceName = pattern.New(`^[a-z0-9][a-z0-9-]*$`, 1, 63)

// consoleDestination is the console page to open: path, else the service's
// home, else the console home, in the region when one is known.
func consoleDestination(host, region, service, path string) (string, error) {
	page := "console/home"
	switch {
	case path != "":
		page = strings.TrimLeft(path, "/")
		if page == "" || strings.Contains(page, "://") || strings.ContainsAny(page, `\`) || strings.ContainsFunc(page, unicode.IsSpace) || strings.ContainsFunc(page, unicode.IsControl) {
			return "", fmt.Errorf("--console-path %q is not a path of the console", path)
		}
	case service != "":
		if !serviceName.MatchString(service) {
			return "", fmt.Errorf("--console-service %q is not a console service name", service)
		}
		page = service + "/home"
	}
	u, err := url.Parse("https://" + host + "/" + page)
	if err != nil || u.Host != host || u.User != nil {
		return "", fmt.Errorf("--console-path %q is not a path of the console", path)
	}
	if region != "" {
		q := u.Query()
		if q.Get("region") == "" {
			q.Set("region", region)
			u.RawQuery = q.Encode()
		}
	}
	return u.String(), nil
}
