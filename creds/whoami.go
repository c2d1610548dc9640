package creds

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Identity is who a profile's credentials are, as STS GetCallerIdentity
// says, and how long they last.
type Identity struct {
	Account string
	ARN     string
	UserID  string
	// Credentials are the ones asked about: the profile's, from the cache
	// or fresh, exactly as a command would get them.
	Credentials Credentials
}

// WhoAmI gets the chain's credentials through Retrieve and asks STS who
// they are.
func (r *Resolver) WhoAmI(ctx context.Context, c *Chain) (Identity, error) {
	creds, err := r.Retrieve(ctx, c)
	if err != nil {
		return Identity{}, err
	}
	api, err := r.client(ctx, c)
	if err != nil {
		return Identity{}, err
	}
	gci, ok := api.(interface {
		GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	})
	if !ok {
		return Identity{}, &ConfigError{Profile: c.Profile, ARN: c.ARN(), Err: errors.New("the STS client cannot call GetCallerIdentity")}
	}
	r.logf("STS GetCallerIdentity as %s (region %s)", creds, c.HopRegion)
	e := &STSError{Profile: c.Profile, Op: "GetCallerIdentity", ARN: c.ARN()}
	out, err := call(ctx, r.stsTimeout(), e, func(ctx context.Context, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
		return gci.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, append(opts, as(creds, c.HopRegion))...)
	})
	if err != nil {
		return Identity{}, err
	}
	if aws.ToString(out.Arn) == "" || aws.ToString(out.Account) == "" {
		e.Err = errors.New("STS answered without an identity")
		return Identity{}, e
	}
	return Identity{
		Account:     aws.ToString(out.Account),
		ARN:         aws.ToString(out.Arn),
		UserID:      aws.ToString(out.UserId),
		Credentials: creds,
	}, nil
}
