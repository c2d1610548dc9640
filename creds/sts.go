package creds

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// stsTimeout bounds one STS call, the SDK's retries included. The time a
// person takes to type a code is not part of it.
const stsTimeout = 30 * time.Second

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
	// Every call carries its own credentials; anonymous ones here keep the
	// SDK from building the profile's own (MFA-prompting) provider.
	cfg, err := r.sdkConfig(ctx, c, c.Profile, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		return nil, err
	}
	r.STS = sts.NewFromConfig(cfg)
	return r.STS, nil
}

func (r *Resolver) sdkConfig(ctx context.Context, c *Chain, profile string, extra ...func(*config.LoadOptions) error) (aws.Config, error) {
	opts := append([]func(*config.LoadOptions) error{
		config.WithSharedConfigProfile(profile),
		config.WithSharedConfigFiles([]string{c.configFile}),
		config.WithSharedCredentialsFiles([]string{c.credentialsFile}),
		config.WithRegion(c.HopRegion),
		config.WithAppID("awsrun"),
	}, extra...)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, &ConfigError{Profile: profile, ARN: c.ARN(), Err: fmt.Errorf("loading the SDK configuration: %w", err)}
	}
	return cfg, nil
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
	ctx, cancel := context.WithTimeout(ctx, stsTimeout)
	defer cancel()
	out, err := api.GetSessionToken(ctx, in, as(c.Source.Static, c.SessionRegion))
	if err != nil {
		return Credentials{}, &STSError{Profile: c.Source.Profile, Op: "GetSessionToken", ARN: c.MFASerial, Serial: c.MFASerial, Err: err}
	}
	return fromSTS(out.Credentials)
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
	serial := ""
	if code != "" {
		serial = c.MFASerial
		in.SerialNumber = aws.String(serial)
		in.TokenCode = aws.String(code)
	}
	r.logf("STS AssumeRole %s as %s (%s, session %s, region %s, MFA code %t)", h.RoleARN, caller, fmtDuration(h.Duration), h.SessionName, c.HopRegion, code != "")
	ctx, cancel := context.WithTimeout(ctx, stsTimeout)
	defer cancel()
	out, err := api.AssumeRole(ctx, in, as(caller, c.HopRegion))
	if err != nil {
		return Credentials{}, &STSError{Profile: h.Profile, Op: "AssumeRole", ARN: h.RoleARN, Serial: c.MFASerial, Err: err}
	}
	return fromSTS(out.Credentials)
}

func fromSTS(t *types.Credentials) (Credentials, error) {
	if t == nil || t.AccessKeyId == nil || t.SecretAccessKey == nil || t.SessionToken == nil || t.Expiration == nil {
		return Credentials{}, fmt.Errorf("STS answered without complete credentials")
	}
	return Credentials{
		AccessKeyID:     *t.AccessKeyId,
		SecretAccessKey: *t.SecretAccessKey,
		SessionToken:    *t.SessionToken,
		Expiration:      t.Expiration.UTC(),
	}, nil
}
