package creds

import (
	"context"
	"fmt"
)

// source returns the chain's root credentials: the keys from the files, or
// what the SDK's own provider for the profile yields (credential_process,
// web identity, SSO, credential_source).
func (r *Resolver) source(ctx context.Context, c *Chain) (Credentials, error) {
	if c.Source.Provider == "" {
		return c.Source.Static, nil
	}
	cfg, err := r.sdkConfig(ctx, c, c.Source.Profile)
	if err != nil {
		return Credentials{}, err
	}
	r.logf("%s: credentials from the SDK's %s provider", c.Source.Profile, c.Source.Provider)
	ctx, cancel := context.WithTimeout(ctx, stsTimeout)
	defer cancel()
	v, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return Credentials{}, &ConfigError{Profile: c.Source.Profile, Err: fmt.Errorf("%s: %w", c.Source.Provider, err),
			Hint: "check that `aws sts get-caller-identity --profile " + c.Source.Profile + "` works"}
	}
	creds := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken}
	if v.CanExpire {
		creds.Expiration = v.Expires.UTC()
	}
	return creds, nil
}
