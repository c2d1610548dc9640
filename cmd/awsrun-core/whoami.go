package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"
)

// whoamiJSON is --whoami --json: GetCallerIdentity's names, as the AWS CLI
// prints them, with the profile and the credentials' expiry.
type whoamiJSON struct {
	Profile     string  `json:"Profile"`
	Account     string  `json:"Account"`
	Arn         string  `json:"Arn"`
	UserID      string  `json:"UserId"`
	Expiration  *string `json:"Expiration"`  // RFC 3339, UTC; null for credentials that do not expire
	SecondsLeft *int64  `json:"SecondsLeft"` // null likewise
}

// whoami says who the profile's credentials are: from the cache when it
// holds them, else fresh, as a command would get them.
func (a *app) whoami(ctx context.Context) error {
	o := a.opts
	chain, err := a.loadChain(ctx)
	if err != nil {
		return err
	}
	r := a.resolver(chain)
	id, err := r.WhoAmI(ctx, chain)
	if err != nil {
		return err
	}
	// The credentials are the ones a command gets: the next run is warm.
	a.remember(r, chain, id.Credentials)

	exp := id.Credentials.Expiration
	if o.JSON {
		out := whoamiJSON{Profile: chain.Profile, Account: id.Account, Arn: id.ARN, UserID: id.UserID}
		if !exp.IsZero() {
			s := exp.UTC().Format(time.RFC3339)
			left := int64(id.Credentials.TimeLeft(time.Now()) / time.Second)
			out.Expiration, out.SecondsLeft = &s, &left
		}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	expires := "never (long-term keys)"
	if !exp.IsZero() {
		expires = fmt.Sprintf("%s (%s left)", exp.Local().Format("2006-01-02 15:04:05 MST"), hoursMinutes(id.Credentials.TimeLeft(time.Now())))
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Profile\t%s\n", chain.Profile)
	fmt.Fprintf(tw, "Account\t%s\n", id.Account)
	fmt.Fprintf(tw, "Arn\t%s\n", id.ARN)
	fmt.Fprintf(tw, "UserId\t%s\n", id.UserID)
	fmt.Fprintf(tw, "Expires\t%s\n", expires)
	return tw.Flush()
}
