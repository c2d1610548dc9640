package creds

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/awsrun/awsrun/cache"
)

// Plan is the steps that make a chain's credentials, source side first, the
// target last. It is a plain value computed without I/O: Retrieve executes
// it, and --clear (like anything else that needs a chain's cache entries)
// reads it, so the rules of the credential flow live in NewPlan alone.
type Plan struct {
	// Steps is empty when the source's own credentials are what the target
	// gets (only possible for sources that are already temporary).
	Steps []Step
}

// Step is one credential-producing call whose result is cached on its own.
type Step struct {
	ID      string     // the cache entry's id: a hash of every input that defines the credentials
	Kind    cache.Kind // KindSource, KindSession or KindRole
	Label   string     // for -v and --list: profile and ARN
	Profile string     // the profile whose credentials the step makes
	// Parent is the index of the step whose credentials make this one, -1
	// when they come from the chain's source (its keys, or its provider).
	Parent int
	// Hop is the index in Chain.Hops of a role step, -1 for other kinds.
	Hop int
	// Duration is the lifetime asked of STS; 0: the provider decides.
	Duration time.Duration
	// Asked is the lifetime the profile or --duration asked for, before
	// role chaining cut it to Duration.
	Asked time.Duration
	// Chained says a role hop was cut to the 1h AWS allows a role assumed
	// with temporary credentials.
	Chained bool
	// Explicit says Asked came from --duration: a cut is then said even
	// without -v.
	Explicit bool
	// WithCode says the call carries SerialNumber/TokenCode of Serial.
	WithCode bool
	Serial   string
	// ViaSession says a role hop is made with the MFA session: a trust
	// policy that limits the MFA age may refuse it, and one retry straight
	// from the keys with a new code is allowed.
	ViaSession bool
	// Margin is how long a cached entry must still be valid to be used:
	// RefreshMargin, or --min-ttl for the target.
	Margin time.Duration
}

// Target is the step whose credentials Retrieve returns, nil when the
// source's own are.
func (p *Plan) Target() *Step {
	if len(p.Steps) == 0 {
		return nil
	}
	return &p.Steps[len(p.Steps)-1]
}

// TargetID names the cache entry of the target step, "" when nothing is
// cached for the target.
func (p *Plan) TargetID() string {
	if t := p.Target(); t != nil {
		return t.ID
	}
	return ""
}

// IDs names every cache entry of the plan, target first.
func (p *Plan) IDs() []string {
	ids := make([]string, 0, len(p.Steps))
	for i := len(p.Steps) - 1; i >= 0; i-- {
		ids = append(ids, p.Steps[i].ID)
	}
	return ids
}

// Unhonoured lists the steps whose lifetime, asked with --duration, role
// chaining cuts: the user must hear of them on every run.
func (p *Plan) Unhonoured() []Step {
	var out []Step
	for _, s := range p.Steps {
		if s.Chained && s.Explicit {
			out = append(out, s)
		}
	}
	return out
}

// NewPlan lays out the steps of a chain. minTTL is how long the target's
// credentials must stay valid (0: RefreshMargin); a target asked for no
// longer than that is refused here, before any code is spent.
//
//   - Long-term keys with an MFA device: one GetSessionToken with the code,
//     shared by every profile of that source, then AssumeRole hops with it —
//     unless the only hop asks for more than the 1h AWS allows a chained role:
//     then one AssumeRole straight from the keys, with the code.
//   - Long-term keys without MFA: hops straight from the keys; a plain user
//     profile still gets a session, so the child never sees long-term keys.
//   - Temporary sources cannot call GetSessionToken: the code goes with the
//     first hop that needs it.
//
// Every hop made with temporary credentials is role chaining and is cut to
// 1h.
func NewPlan(c *Chain, minTTL time.Duration) (*Plan, error) {
	if err := checkMFAApplies(c); err != nil {
		return nil, err
	}
	p := &Plan{}
	srcID := sourceID(c)
	prev, viaSession := p.addHead(c, srcID)
	p.addHops(c, srcID, prev, viaSession)
	t := p.Target()
	if t == nil {
		return p, nil
	}
	// Only the target must last minTTL: a parent merely has to be good for
	// the call that makes it.
	t.Margin = max(RefreshMargin, minTTL)
	// Credentials asked for DUR arrive with a little less than DUR left:
	// only a longer lifetime can satisfy --min-ttl DUR.
	if minTTL > 0 && t.Duration > 0 && t.Duration <= minTTL {
		return nil, tooShortError(c, t, minTTL, fmt.Sprintf("the %s is asked for %s, not more than", t.What(), fmtDuration(t.Duration)), false)
	}
	return p, nil
}

// checkMFAApplies refuses an MFA device on a chain with no step to send
// its code: temporary source credentials and no role to assume.
func checkMFAApplies(c *Chain) error {
	src := c.Source
	if src.LongTerm() || len(c.Hops) > 0 || c.MFASerial == "" || src.MFASerial != "" {
		return nil
	}
	if src.Provider == ProviderWebIdentity {
		return &ConfigError{Profile: c.Profile, ARN: c.MFASerial,
			Err: errors.New("mfa_serial does not apply to web identity: AssumeRoleWithWebIdentity takes no MFA code"),
			Fix: "remove mfa_serial, or put the role that needs MFA in a profile of its own with source_profile = " + src.Profile}
	}
	return &ConfigError{Profile: c.Profile, ARN: c.MFASerial,
		Err: errors.New("mfa_serial needs a role to assume: the source credentials are already temporary"),
		Fix: "add role_arn to the profile, or remove mfa_serial"}
}

// sourceID is the identity of the chain's source credentials, which every
// step's identity builds on.
func sourceID(c *Chain) string {
	src := c.Source
	id := identity(cache.KindSource, append([]string{c.configFile, src.Profile, string(src.Provider), src.Static.AccessKeyID}, src.inputs...)...)
	if src.RoleARN != "" {
		// The provider calls STS itself, in the chain's region.
		id = identity(cache.KindSource, id, c.HopRegion)
	}
	return id
}

func (p *Plan) add(s Step) int {
	s.Margin = RefreshMargin
	p.Steps = append(p.Steps, s)
	return len(p.Steps) - 1
}

// addHead adds the steps before the role hops: a provider's credentials,
// and the MFA session of long-term keys. prev is the last of them (-1 for
// none); session says it is the MFA session.
func (p *Plan) addHead(c *Chain, srcID string) (prev int, session bool) {
	src := c.Source
	prev = -1
	if src.Provider != "" {
		// A provider's credentials are a step of their own: cached, so a
		// second run asks neither the provider nor STS.
		s := Step{ID: srcID, Kind: cache.KindSource, Label: src.Profile + " " + src.label, Profile: src.Profile,
			Parent: -1, Hop: -1, WithCode: src.MFASerial != "", Serial: src.MFASerial}
		if src.RoleARN != "" {
			s.Duration, s.Asked = src.Duration, src.Duration
		}
		prev = p.add(s)
	}
	mfa := c.MFASerial != ""
	direct := len(c.Hops) == 1 && c.Hops[0].Duration > chainedRoleLimit
	if !src.LongTerm() || (len(c.Hops) > 0 && (!mfa || direct)) {
		return prev, false
	}
	return p.add(Step{
		// A session works in every region of its partition: profiles of
		// one source share it whatever region each names.
		ID: identity(cache.KindSession, srcID, c.MFASerial, c.SessionDuration.String(),
			partition(partitionAnchor(c.MFASerial, c.ARN())), c.endpoint),
		Kind:     cache.KindSession,
		Label:    src.Profile + " " + firstNonEmpty(c.MFASerial, "(no MFA)"),
		Profile:  src.Profile,
		Parent:   -1,
		Hop:      -1,
		Duration: c.SessionDuration, Asked: c.SessionDuration,
		WithCode: mfa, Serial: c.MFASerial,
	}), true
}

// addHops adds one AssumeRole per hop after prev. Every hop made with
// temporary credentials is role chaining, cut to 1h; the code goes with
// the first hop that needs it when no session carried it.
func (p *Plan) addHops(c *Chain, srcID string, prev int, viaSession bool) {
	src := c.Source
	temporary := !src.LongTerm() || viaSession
	codeHop := -1
	// A source whose provider assumed its role with the code already carries
	// MFA, and role sessions made from it inherit that.
	if c.MFASerial != "" && !viaSession && src.MFASerial == "" {
		codeHop = 0
		for i, h := range c.Hops {
			if h.MFASerial != "" {
				codeHop = i
				break
			}
		}
	}
	for i, h := range c.Hops {
		d := h.Duration
		if temporary && d > chainedRoleLimit {
			d = chainedRoleLimit
		}
		parentID := srcID
		if prev >= 0 {
			parentID = p.Steps[prev].ID
		}
		withCode := i == codeHop
		s := Step{
			// Tags and source identity are part of what a role session is:
			// a changed tag must never be served the old session.
			ID: identity(cache.KindRole, append([]string{parentID, h.RoleARN, h.SessionName, h.ExternalID, d.String(),
				c.HopRegion, c.endpoint, fmt.Sprint(withCode)}, h.tagIdentity()...)...),
			Kind:       cache.KindRole,
			Label:      h.Profile + " " + h.RoleARN,
			Profile:    h.Profile,
			Parent:     prev,
			Hop:        i,
			Duration:   d,
			Asked:      h.Duration,
			Chained:    d != h.Duration,
			Explicit:   h.Explicit,
			WithCode:   withCode,
			ViaSession: i == 0 && viaSession,
		}
		if withCode {
			s.Serial = c.MFASerial
		}
		prev = p.add(s)
		temporary = true
	}
}

// tooShortError is the refusal of --min-ttl: the credentials cannot last as
// long as the command needs them, so it is not started at all. fresh says
// AWS already answered with less than was asked; s is nil when the
// source's own credentials were.
func tooShortError(c *Chain, s *Step, minTTL time.Duration, why string, fresh bool) error {
	min := fmtDuration(minTTL)
	var hint string
	switch {
	case fresh && s != nil && (s.Kind == cache.KindRole || c.Source.RoleARN != ""):
		hint = "the role's maximum session duration is shorter: pass a shorter --min-ttl, or raise the role's MaxSessionDuration"
	case fresh:
		hint = "this source gives no longer credentials: pass a shorter --min-ttl"
	case s.Kind == cache.KindRole && s.Chained:
		hint = "role chaining allows 1h at most: pass a shorter --min-ttl"
	case s.Kind == cache.KindSession:
		hint = "pass a --session-duration longer than " + min + ", or a shorter --min-ttl"
	default:
		hint = "pass a --duration longer than " + min + " (up to the role's maximum session duration), or a shorter --min-ttl"
	}
	return &ConfigError{Profile: c.Profile, ARN: c.ARN(), Err: fmt.Errorf("%s --min-ttl %s", why, min), Fix: hint}
}

// What names a step's credentials for a message: MFA session, role, …
func (s *Step) What() string {
	switch s.Kind {
	case cache.KindSession:
		return "MFA session"
	case cache.KindRole:
		return "role"
	}
	if s.Duration > 0 {
		return "source's role"
	}
	return "source credentials"
}

// identity hashes every input that defines a set of credentials into a
// cache entry name. The version prefix retires all entries at once should
// the meaning of an input change.
func identity(kind cache.Kind, parts ...string) string {
	h := sha256.New()
	h.Write([]byte("awsrun/1\x00" + kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
