package creds

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsrun/awsrun/creds/warm"
)

// An EKS token is what aws-iam-authenticator and `aws eks get-token` make:
// a GetCallerIdentity request presigned with the caller's credentials and
// signing the cluster's name in the x-k8s-aws-id header. The cluster's
// authenticator sends it to STS with that header and learns who signed it.
const (
	eksTokenPrefix   = "k8s-aws-v1."
	eksClusterHeader = "x-k8s-aws-id"
	// eksTokenLifetime is how long STS honours a presigned GetCallerIdentity
	// after its X-Amz-Date. X-Amz-Expires says as much: the authenticator
	// accepts up to 900 seconds, and an honest value keeps a verifier that
	// enforces it from refusing a token awsrun still serves from its cache.
	eksTokenLifetime = 15 * time.Minute
)

// EKSToken returns a token for cluster made with creds, the chain's
// credentials: the cached one while it has more than warm.EKSTokenMargin
// left (unless Refresh), else a new one, cached in turn. It is presigned
// by the SDK's presign client in the region of the chain's role hops, at
// the STS endpoint the SDK resolves for the profile (AWS_ENDPOINT_URL_STS,
// endpoint_url, FIPS and dual-stack settings included). It lives 15
// minutes, or less when creds expire sooner: a presigned URL is worth no
// more than the credentials that signed it.
func (r *Resolver) EKSToken(ctx context.Context, c *Chain, creds Credentials, cluster string) (warm.EKSToken, error) {
	id := ""
	if plan, err := NewPlan(c, 0); err == nil && r.Cache != nil && plan.TargetID() != "" {
		id = warm.EKSTokenID(plan.TargetID(), creds.AccessKeyID, cluster)
	}
	if id != "" && !r.Refresh {
		if t, ok := warm.LookupEKSToken(r.Cache, id); ok && t.Expires.Sub(r.now()) > warm.EKSTokenMargin {
			r.logf("cache hit: EKS token for cluster %s, %s left", cluster, fmtDuration(t.Expires.Sub(r.now()).Round(time.Second)))
			return t, nil
		}
		r.logf("cache miss: EKS token for cluster %s", cluster)
	}
	t, err := r.presignEKSToken(ctx, c, creds, cluster)
	if err != nil {
		return warm.EKSToken{}, err
	}
	if id != "" {
		if err := warm.RememberEKSToken(r.Cache, id, t, c.Profile, c.Profile+" eks-token "+cluster); err != nil {
			r.writeOnce.Do(func() { r.notef("not caching the EKS token: %v", err) })
		}
	}
	return t, nil
}

func (r *Resolver) presignEKSToken(ctx context.Context, c *Chain, creds Credentials, cluster string) (warm.EKSToken, error) {
	cfg, err := r.sdkConfig(ctx, c, c.Profile, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		return warm.EKSToken{}, err
	}
	signedAt := r.now().UTC().Truncate(time.Second)
	pc := sts.NewPresignClient(sts.NewFromConfig(cfg))
	out, err := pc.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.PresignOptions) {
		o.Presigner = presignAt{o.Presigner, signedAt}
		o.ClientOptions = append(o.ClientOptions, as(creds, c.HopRegion), func(o *sts.Options) {
			o.APIOptions = append(o.APIOptions,
				smithyhttp.SetHeaderValue(eksClusterHeader, cluster),
				// The signer moves X-Amz-* headers into the presigned query.
				smithyhttp.SetHeaderValue("X-Amz-Expires", strconv.Itoa(int(eksTokenLifetime/time.Second))))
		})
	})
	if err != nil {
		return warm.EKSToken{}, &ConfigError{Profile: c.Profile, ARN: c.ARN(), Err: fmt.Errorf("presigning an EKS token: %w", err)}
	}
	expires := signedAt.Add(eksTokenLifetime)
	if !creds.Expiration.IsZero() && creds.Expiration.Before(expires) {
		expires = creds.Expiration
	}
	r.logf("presigned an EKS token for cluster %s as %s (region %s), valid until %s", cluster, creds, c.HopRegion, expires.Local().Format("15:04 MST"))
	return warm.EKSToken{
		Token:   eksTokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(out.URL)),
		Expires: expires,
	}, nil
}

// presignAt presigns at a time of the resolver's clock, so that the
// token's expiry is computed from the very X-Amz-Date it carries.
type presignAt struct {
	p  sts.HTTPPresignerV4
	at time.Time
}

func (p presignAt) PresignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, opts ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return p.p.PresignHTTP(ctx, c, r, payloadHash, service, region, p.at, opts...)
}
