package main

import (
	"time"

	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/internal/cli"
)

// exportMinTTL is how long the credentials of chain must stay valid for
// this invocation: --min-ttl, raised for --export credential-process to the
// window in which botocore refreshes credentials — unless the profile's
// credentials cannot last longer than that window at all (duration_seconds
// = 900), where serving them beats refusing. The lifetime asked is the
// plan's, the one the credentials are made with.
func (a *app) exportMinTTL(chain *creds.Chain) time.Duration {
	if a.opts.Export != cli.ExportCredentialProcess {
		return a.inv.MinTTL
	}
	if plan, err := creds.NewPlan(chain, 0); err == nil {
		if t := plan.Target(); t != nil && t.Duration > 0 && t.Duration <= cli.CredentialProcessTTL {
			return a.inv.MinTTL
		}
	}
	return max(a.inv.MinTTL, cli.CredentialProcessTTL)
}
