package main

import (
	"io"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/internal/cli"
)

// serveEKSToken prints the cached token for cluster that the credentials
// of hit signed, as kubectl's ExecCredential. The token is stored whole:
// the launcher reads it, never makes one. It reports false, having printed
// nothing, when no token has more than a minute left: awsrun-core makes a
// new one.
func serveEKSToken(s *cache.Store, hit warm.Hit, cluster string, env map[string]string, stdout, stderr io.Writer) (code int, served bool) {
	version, err := cli.ExecCredentialVersion(env["KUBERNETES_EXEC_INFO"])
	if err != nil {
		return 0, false
	}
	t, ok := warm.LookupEKSToken(s, warm.EKSTokenID(hit.Step, hit.Credentials.AccessKeyID, cluster))
	if !ok {
		return 0, false
	}
	if err := cli.ExecCredential(stdout, t, version); err != nil {
		return cli.Fail(stderr, err, nil), true
	}
	return 0, true
}
