package creds

import (
	"context"
	"fmt"
	"time"

	"github.com/awsrun/awsrun/cache"
)

// maxSessionText is the longest MFA session GetSessionToken gives, as said
// in messages.
const maxSessionText = "36h"

// CodeStep is the step of a chain that costs an MFA code: the MFA session,
// or the role hop (or the source's role) that carries the code. While it
// stays valid, the steps after it are renewed from it without a code.
type CodeStep struct {
	Kind    cache.Kind // KindSession, KindRole or KindSource
	Label   string     // the profile and the MFA serial or role ARN
	Serial  string     // the MFA device
	Expires time.Time
	// Target is whether the step is the chain's last: then renewing the
	// chain's credentials always costs a code.
	Target bool
}

// lastRun is what the last Retrieve did: the chain it was asked for, the
// chain it ran (a credential_process source replaced by what the process
// returned, which names the steps), and whether the target came from the
// cache.
type lastRun struct {
	asked, ran *Chain
	fromCache  bool
}

// CodeStep returns the chain's step that costs an MFA code, with the expiry
// of its cached entry (zero when none is cached), and false when no step of
// the chain costs one. For the chain Retrieve last ran it reads the steps as
// Retrieve named them: a credential_process source by the keys it printed.
func (r *Resolver) CodeStep(c *Chain) (CodeStep, bool) {
	if c == r.last.asked {
		c = r.last.ran // the steps as Retrieve named them
	}
	p, err := NewPlan(c, 0)
	if err != nil {
		return CodeStep{}, false
	}
	i := p.codeStepIndex()
	if i < 0 {
		return CodeStep{}, false
	}
	s := &p.Steps[i]
	cs := CodeStep{Kind: s.Kind, Label: s.Label, Serial: s.Serial, Target: i == len(p.Steps)-1}
	if r.Cache != nil {
		if e, ok := r.Cache.Get(s.ID, 0); ok {
			cs.Expires = e.Expires
		}
	}
	return cs, true
}

// codeStepIndex is the index of the step that carries the MFA code on the way
// to the target, -1 when none does.
func (p *Plan) codeStepIndex() int {
	for i := len(p.Steps) - 1; i >= 0; i = p.Steps[i].Parent {
		if p.Steps[i].WithCode {
			return i
		}
	}
	return -1
}

// holdCodeStep makes the step that costs a code last CodeMinTTL: a cached
// entry that expires sooner is replaced (with one code, now) even when the
// target's own entry would do, and a step asked for no more than
// CodeMinTTL is refused before any code is asked.
func (x *execution) holdCodeStep(ctx context.Context) error {
	r, c := x.r, x.c
	i := x.p.codeStepIndex()
	if r.CodeMinTTL <= 0 || i < 0 {
		return nil
	}
	s := &x.p.Steps[i]
	if s.Duration > 0 && s.Duration <= r.CodeMinTTL {
		min := fmtDuration(r.CodeMinTTL)
		e := &ConfigError{Profile: c.Profile, ARN: c.ARN(),
			Err: fmt.Errorf("the %s the MFA code buys lasts %s, and --min-ttl asks for %s: the command would need another code while it runs",
				s.What(), fmtDuration(s.Duration), min)}
		switch {
		case s.Kind == cache.KindSession && r.CodeMinTTL >= maxSessionDuration:
			e.Fix = "an MFA session lasts " + maxSessionText + " at most: pass a shorter --min-ttl (with mfa_process set, awsrun --server renews the session on its own and needs none)"
		case s.Kind == cache.KindSession:
			e.Fix = "pass --session-duration longer than " + min + " (it goes up to " + maxSessionText + "), or a shorter --min-ttl"
		default:
			e.Fix = "pass a --duration longer than " + min + " (up to the role's maximum session duration), or a shorter --min-ttl"
		}
		return e
	}
	s.Margin = max(s.Margin, r.CodeMinTTL)
	if i == len(x.p.Steps)-1 {
		return nil // Retrieve gets it
	}
	_, err := x.get(ctx, i)
	// Good for CodeMinTTL, or just made: the hops after it must not fetch
	// it again if STS gave less than asked.
	s.Margin = 0
	return err
}

// FromCache reports whether the credentials Retrieve returned last came
// from the cache, and so may be partly spent.
func (r *Resolver) FromCache() bool { return r.last.fromCache }
