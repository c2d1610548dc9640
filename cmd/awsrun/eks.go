package main

import (
	"io"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/internal/cli"
)

// serveEKSToken prints the cached token for --eks-cluster that the
// credentials of hit signed, as kubectl's ExecCredential. The token is
// stored whole: the launcher reads it, never makes one. It reports false,
// having printed nothing, when no token has more than a minute left:
// awsrun-core makes a new one.
func serveEKSToken(s *cache.Store, hit warm.Hit, inv *cli.Invocation, stdout io.Writer) (served bool, err error) {
	// Prepare refused a KUBERNETES_EXEC_INFO awsrun cannot answer.
	version, err := cli.ExecCredentialVersion(inv.Env["KUBERNETES_EXEC_INFO"])
	if err != nil {
		return false, nil
	}
	t, ok := warm.LookupEKSToken(s, warm.EKSTokenID(hit.Step, hit.Credentials.AccessKeyID, inv.Opts.EKSCluster))
	if !ok {
		return false, nil
	}
	return true, cli.ExecCredential(stdout, t, version)
}
