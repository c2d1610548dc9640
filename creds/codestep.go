package creds

import (
	"context"
	"fmt"
	"time"
)

// maxSessionText is the longest MFA session GetSessionToken gives, as said
// in messages.
const maxSessionText = "36h"

// CodeStep is the step of a chain that costs an MFA code: the MFA session,
// or the role hop that carries the code. While it stays valid, the steps
// after it are renewed from it without a code.
type CodeStep struct {
	Kind    string // "session" or "role"
	Label   string // the profile and the MFA serial or role ARN
	Serial  string // the MFA device
	Expires time.Time
	// Target is whether the step is the chain's last: then renewing the
	// chain's credentials always costs a code.
	Target bool
}

// CodeStep returns the chain's step that costs an MFA code, with the expiry
// of its cached entry (zero when none is cached), and false when no step of
// the chain costs one.
func (r *Resolver) CodeStep(c *Chain) (CodeStep, bool) {
	last, err := r.plan(c)
	if err != nil {
		return CodeStep{}, false
	}
	for s := last; s != nil; s = s.parent {
		if !s.code {
			continue
		}
		cs := CodeStep{Kind: s.kind, Label: s.label, Serial: c.MFASerial, Target: s == last}
		if r.Cache != nil {
			if e, ok := r.Cache.Get(s.id, 0); ok {
				cs.Expires = e.Expires
			}
		}
		return cs, true
	}
	return CodeStep{}, false
}

// holdCodeStep makes the step that costs a code last CodeMinTTL: a cached
// entry that expires sooner is replaced (with one code, now) even when the
// target's own entry would do, and a step asked for no more than
// CodeMinTTL is refused before any code is asked.
func (r *Resolver) holdCodeStep(ctx context.Context, c *Chain, last *step) error {
	if r.CodeMinTTL <= 0 {
		return nil
	}
	for s := last; s != nil; s = s.parent {
		if !s.code {
			continue
		}
		s.margin = max(s.margin, r.CodeMinTTL)
		if s.duration == 0 || s.duration > r.CodeMinTTL {
			if s == last {
				return nil // Retrieve gets it
			}
			_, err := r.get(ctx, c, s)
			// Good for CodeMinTTL, or just made: the hops after it must
			// not fetch it again if STS gave less than asked.
			s.margin = 0
			return err
		}
		min := fmtDuration(r.CodeMinTTL)
		e := &ConfigError{Profile: c.Profile, ARN: c.ARN(),
			Err: fmt.Errorf("the %s that costs the MFA code is asked for %s, not more than --min-ttl %s, so the command would need another code while it runs",
				what(s), fmtDuration(s.duration), min)}
		switch {
		case s.kind == "session" && r.CodeMinTTL >= maxSessionDuration:
			e.Hint = "an MFA session lasts " + maxSessionText + " at most: pass a shorter --min-ttl (with mfa_process set, awsrun --server renews the session on its own and needs none)"
		case s.kind == "session":
			e.Hint = "pass a --session-duration longer than " + min + " (" + maxSessionText + " at most), or a shorter --min-ttl"
		default:
			e.Hint = "pass a --duration longer than " + min + " (up to the role's maximum session duration), or a shorter --min-ttl"
		}
		return e
	}
	return nil
}

// FromCache reports whether the credentials Retrieve returned last came
// from the cache, and so may be partly spent.
func (r *Resolver) FromCache() bool { return r.fromCache }
