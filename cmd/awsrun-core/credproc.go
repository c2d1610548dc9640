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
// = 900), where serving them beats refusing.
func (a *app) exportMinTTL(chain *creds.Chain) time.Duration {
	if a.opts.Export != cli.ExportCredentialProcess {
		return a.inv.MinTTL
	}
	if d := targetDuration(chain); d > 0 && d <= cli.CredentialProcessTTL {
		return a.inv.MinTTL
	}
	return max(a.inv.MinTTL, cli.CredentialProcessTTL)
}

// targetDuration is the lifetime asked for the chain's credentials, 0 when
// their provider decides it.
func targetDuration(c *creds.Chain) time.Duration {
	switch {
	case len(c.Hops) > 0:
		return c.Hops[len(c.Hops)-1].Duration
	case c.Source.RoleARN != "":
		return c.Source.Duration
	case c.Source.Provider == "":
		return c.SessionDuration
	}
	return 0
}
