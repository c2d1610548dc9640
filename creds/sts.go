package creds

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// stsTimeout bounds one STS call, the SDK's retries included, when
// the caller sets no other (Resolver.STSTimeout). The time a person takes to type a code is
// not part of it.
const stsTimeout = 30 * time.Second

// stsTimeout is the deadline of one STS call.
func (r *Resolver) stsTimeout() time.Duration {
	if r.STSTimeout > 0 {
		return r.STSTimeout
	}
	return stsTimeout
}

// errSTSDeadline is the cause of a context that awsrun's own STS deadline
// ended, as opposed to the caller's.
var errSTSDeadline = errors.New("awsrun's STS deadline")

// attempts records what the SDK's retry loop did in one call: how many
// requests it sent, where, and how the last one that got an answer failed.
// The SDK reports only the final error, and when the deadline cuts a retry
// short that error says "deadline exceeded" and forgets the refused
// connection or the throttling that came before.
type attempts struct {
	n        int
	endpoint string // scheme://host
	last     error  // the last attempt's failure other than the deadline
}

// option adds the recording middleware to one call. It runs inside the
// retry loop, once per attempt, after the endpoint is resolved.
func (a *attempts) option(o *sts.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsrunAttempts", a.handle), middleware.After)
	})
}

func (a *attempts) handle(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	a.n++
	if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
		a.endpoint = req.URL.Scheme + "://" + req.URL.Host
	}
	out, md, err := next.HandleFinalize(ctx, in)
	if err != nil && ctx.Err() == nil {
		a.last = err
	}
	return out, md, err
}

// call runs one STS operation under awsrun's deadline. On failure it fills
// in e — what was called, where, how often, and whether the deadline ended
// it — and returns it.
func call[T any](ctx context.Context, timeout time.Duration, e *STSError, do func(context.Context, ...func(*sts.Options)) (T, error)) (T, error) {
	var zero T
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errSTSDeadline)
	defer cancel()
	var a attempts
	out, err := do(ctx, a.option)
	e.Endpoint, e.Attempts = a.endpoint, a.n
	if err == nil {
		return out, nil
	}
	e.Err = err
	if errors.Is(err, context.DeadlineExceeded) && errors.Is(context.Cause(ctx), errSTSDeadline) {
		e.Timeout = timeout
		e.last = a.last
	}
	return zero, e
}

// STSAPI is the part of the STS client awsrun uses; *sts.Client
// implements it.
type STSAPI interface {
	GetSessionToken(ctx context.Context, in *sts.GetSessionTokenInput, optFns ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error)
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// client builds the SDK's STS client for the chain's profile on first use:
// the SDK resolves the endpoint (AWS_ENDPOINT_URL_STS, endpoint_url,
// services sections, FIPS, dual-stack) exactly as every other AWS tool does.
func (r *Resolver) client(ctx context.Context, c *Chain) (STSAPI, error) {
	if r.STS != nil {
		return r.STS, nil
	}
	var cfg aws.Config
	if c.sdk != nil {
		cfg = *c.sdk // what LoadChain read: the files are not parsed again
	} else {
		// Every call carries its own credentials; anonymous ones here keep
		// the SDK from building the profile's own (MFA-prompting) provider.
		var err error
		if cfg, err = r.sdkConfig(ctx, c, c.Profile, config.WithCredentialsProvider(aws.AnonymousCredentials{})); err != nil {
			return nil, err
		}
	}
	cfg.Region = c.HopRegion
	r.STS = sts.NewFromConfig(cfg)
	return r.STS, nil
}

// as signs a call with the given credentials in the given region.
func as(creds Credentials, region string) func(*sts.Options) {
	return func(o *sts.Options) {
		o.Region = region
		o.Credentials = credentials.StaticCredentialsProvider{Value: aws.Credentials{
			AccessKeyID:     creds.AccessKeyID,
			SecretAccessKey: creds.SecretAccessKey,
			SessionToken:    creds.SessionToken,
			Source:          "awsrun",
		}}
	}
}

func (r *Resolver) getSessionToken(ctx context.Context, c *Chain, code string) (Credentials, error) {
	api, err := r.client(ctx, c)
	if err != nil {
		return Credentials{}, err
	}
	in := &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(int32(c.SessionDuration / time.Second))}
	if code != "" {
		in.SerialNumber = aws.String(c.MFASerial)
		in.TokenCode = aws.String(code)
	}
	r.logf("STS GetSessionToken for %s as %s (%s, region %s, MFA %s)", c.Source.Profile, c.Source.Static, fmtDuration(c.SessionDuration), c.SessionRegion, firstNonEmpty(c.MFASerial, "none"))
	e := &STSError{Profile: c.Source.Profile, Op: "GetSessionToken", ARN: c.MFASerial, Serial: c.MFASerial}
	out, err := call(ctx, r.stsTimeout(), e, func(ctx context.Context, opts ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
		return api.GetSessionToken(ctx, in, append(opts, as(c.Source.Static, c.SessionRegion))...)
	})
	if err != nil {
		return Credentials{}, err
	}
	return r.fromSTS(c, e, out.Credentials)
}

func (r *Resolver) assumeRole(ctx context.Context, c *Chain, h Hop, caller Credentials, code string) (Credentials, error) {
	api, err := r.client(ctx, c)
	if err != nil {
		return Credentials{}, err
	}
	in := &sts.AssumeRoleInput{
		RoleArn:         aws.String(h.RoleARN),
		RoleSessionName: aws.String(h.SessionName),
		DurationSeconds: aws.Int32(int32(h.Duration / time.Second)),
	}
	if h.ExternalID != "" {
		in.ExternalId = aws.String(h.ExternalID)
	}
	for _, t := range h.Tags {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	in.TransitiveTagKeys = h.TransitiveTagKeys
	if h.SourceIdentity != "" {
		in.SourceIdentity = aws.String(h.SourceIdentity)
	}
	serial := ""
	if code != "" {
		serial = c.MFASerial
		in.SerialNumber = aws.String(serial)
		in.TokenCode = aws.String(code)
	}
	r.logf("STS AssumeRole %s as %s (%s, session %s, region %s, MFA code %t)", h.RoleARN, caller, fmtDuration(h.Duration), h.SessionName, c.HopRegion, code != "")
	e := &STSError{Profile: h.Profile, Op: "AssumeRole", ARN: h.RoleARN, Serial: c.MFASerial, Grants: h.trustNeeds()}
	out, err := call(ctx, r.stsTimeout(), e, func(ctx context.Context, opts ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
		return api.AssumeRole(ctx, in, append(opts, as(caller, c.HopRegion))...)
	})
	if err != nil {
		return Credentials{}, err
	}
	return r.fromSTS(c, e, out.Credentials)
}

// errIncomplete is a successful answer that lacks part of the credentials.
var errIncomplete = errors.New("STS answered without complete credentials")

// fromSTS checks what a call e returned. Credentials already expired by
// this machine's clock are refused here, before the step caches them: the
// SDK never checks the expiry of credentials it is handed, so a child
// would start with keys AWS rejects.
func (r *Resolver) fromSTS(c *Chain, e *STSError, t *types.Credentials) (Credentials, error) {
	if t == nil || t.AccessKeyId == nil || t.SecretAccessKey == nil || t.SessionToken == nil || t.Expiration == nil ||
		*t.AccessKeyId == "" || *t.SecretAccessKey == "" || *t.SessionToken == "" {
		e.Err = errIncomplete
		return Credentials{}, e
	}
	creds := Credentials{
		AccessKeyID:     *t.AccessKeyId,
		SecretAccessKey: *t.SecretAccessKey,
		SessionToken:    *t.SessionToken,
		Expiration:      t.Expiration.UTC(),
	}
	if !creds.Expiration.After(r.now()) {
		return Credentials{}, expiredError(c, creds.Expiration)
	}
	return creds, nil
}

// expiredError is credentials from STS that this machine's clock says have
// expired: one of the two clocks is wrong, most often the local one.
func expiredError(c *Chain, exp time.Time) error {
	return &ConfigError{Profile: c.Profile, ARN: c.ARN(),
		Err: fmt.Errorf("STS returned credentials that expired at %s, by this machine's clock", exp.UTC().Format(time.RFC3339)),
		Fix: "check the system clock"}
}

// STSEndpoint is the STS endpoint the profile's configuration sets
// (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, endpoint_url, a services
// section), as the SDK resolves it; "" when STS is AWS's own.
func (c *Chain) STSEndpoint() string {
	if c.sdk == nil {
		return ""
	}
	return aws.ToString(sts.NewFromConfig(*c.sdk).Options().BaseEndpoint)
}
