package main

import (
	"context"

	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/internal/cli"
)

// eksToken prints the ExecCredential kubectl asked for, with the token for
// --eks-cluster made with (or cached for) the chain's credentials c.
func (a *app) eksToken(ctx context.Context, r *creds.Resolver, chain *creds.Chain, c creds.Credentials) error {
	version, err := cli.ExecCredentialVersion(a.env["KUBERNETES_EXEC_INFO"])
	if err != nil {
		return err
	}
	t, err := r.EKSToken(ctx, chain, c, a.opts.EKSCluster)
	if err != nil {
		return err
	}
	return cli.ExecCredential(a.stdout, t, version)
}
