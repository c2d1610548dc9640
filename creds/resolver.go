package creds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/warm"
)

// RefreshMargin is how long cached credentials must still be valid to be
// used: a command started with them gets at least this long.
const RefreshMargin = warm.RefreshMargin

// lockWait bounds the wait for another awsrun that holds a step's lock:
// long enough for a person to type a code, short enough not to hang a CI job.
const lockWait = 3 * time.Minute

// Store is the cache as creds uses it; *cache.Store implements it.
type Store interface {
	Get(id string, margin time.Duration) (*cache.Entry, bool)
	Put(id string, e *cache.Entry) error
	Delete(id string) error
	Lock(ctx context.Context, id string, onWait func()) (unlock func(), err error)
}

// Resolver gets the credentials of a Chain: from the cache when a usable
// entry exists, else from STS, one locked step at a time.
type Resolver struct {
	Cache   Store      // nil: neither read nor write a cache
	Refresh bool       // ignore the chain's cached credentials but the MFA session, fetch and cache new ones
	MFACode string     // --mfa-code
	Prompt  PromptFunc // nil: TerminalPrompt
	// MinTTL is how long the credentials Retrieve returns must stay valid:
	// cached ones that expire sooner are replaced, and fresh ones that
	// cannot last that long are an error. 0: RefreshMargin.
	MinTTL time.Duration
	// CodeMinTTL is how long the step that costs an MFA code (the MFA
	// session, or a hop that carries the code) must stay valid, so that
	// the steps after it can be renewed without a code for that long; see
	// CodeStep. 0: the usual margin.
	CodeMinTTL time.Duration
	// Log receives what -v shows: cache hits and misses, STS calls. Never
	// a secret. Nil: quiet.
	Log func(format string, args ...any)
	// Note receives what the user should hear even without -v: waits and
	// a cache that cannot be written. Nil: os.Stderr.
	Note func(format string, args ...any)
	Now  func() time.Time
	// STS is the client; nil: the SDK's, built on first need for the chain's
	// profile, so a warm run never builds one.
	STS STSAPI

	codes     map[string]string // last code sent per device, this process
	writeOnce sync.Once
	fromCache bool // what Retrieve returned last came from the cache
}

// step is one credential-producing call whose result is cached on its own.
type step struct {
	id       string
	kind     string        // source, session, role
	label    string        // for -v and --list: profile and ARN
	parent   *step         // nil: made from the chain's source, or the source itself
	duration time.Duration // the lifetime asked for; 0: the provider decides
	margin   time.Duration // how long a cached entry must still be valid
	chained  bool          // a role hop cut to the 1h of role chaining
	fetch    func(ctx context.Context, parent Credentials) (Credentials, error)

	target    bool   // the step whose credentials Retrieve returns
	code      bool   // fetching the step costs an MFA code
	note      string // said with -v when the step calls STS
	fromCache bool   // the credentials last returned came from the cache
}

// Retrieve returns credentials for the chain's target.
func (r *Resolver) Retrieve(ctx context.Context, c *Chain) (Credentials, error) {
	if c.Source.Provider == "credential_process" {
		// What a process prints depends on its environment, not only its
		// command line: it is asked every time (it keeps its own cache) and
		// what it returned, not the command, names the steps made from it.
		src, err := r.source(ctx, c)
		if err != nil {
			return Credentials{}, err
		}
		c.Source.Static, c.Source.Provider = src, ""
	}
	last, err := r.plan(c)
	if err != nil {
		return Credentials{}, err
	}
	var creds Credentials
	r.fromCache = false
	if last == nil {
		creds, err = r.source(ctx, c)
	} else {
		// Only the target must last MinTTL: a parent merely has to be good
		// for the call that makes it.
		last.margin = max(RefreshMargin, r.MinTTL)
		last.target = true
		// Credentials asked for DUR arrive with a little less than DUR left:
		// only a longer lifetime can satisfy --min-ttl DUR.
		if r.MinTTL > 0 && last.duration > 0 && last.duration <= r.MinTTL {
			return Credentials{}, r.tooShort(c, last, fmt.Sprintf("the %s is asked for %s, not more than", what(last), fmtDuration(last.duration)), false)
		}
		if err := r.holdCodeStep(ctx, c, last); err != nil {
			return Credentials{}, err
		}
		creds, err = r.get(ctx, c, last)
		r.fromCache = last.fromCache
	}
	if err != nil {
		return Credentials{}, err
	}
	if !creds.Expiration.IsZero() && !creds.Expiration.After(r.now()) {
		return Credentials{}, &ConfigError{Profile: c.Profile, ARN: c.ARN(),
			Err:  fmt.Errorf("STS returned credentials that expired at %s, by this machine's clock", creds.Expiration.UTC().Format(time.RFC3339)),
			Hint: "check the system clock"}
	}
	if left := creds.TimeLeft(r.now()); r.MinTTL > 0 && !creds.Expiration.IsZero() && left < r.MinTTL {
		// Fresh, or the cache would not have served them: AWS gave less
		// than was asked (a role's maximum session duration).
		return Credentials{}, r.tooShort(c, last, fmt.Sprintf("new credentials last only %s, less than", fmtDuration(left.Round(time.Minute))), true)
	}
	return creds, nil
}

// tooShort is the refusal of --min-ttl: the credentials cannot last as long
// as the command needs them, so it is not started at all. fresh says AWS
// already answered with less than was asked.
func (r *Resolver) tooShort(c *Chain, s *step, why string, fresh bool) error {
	min := fmtDuration(r.MinTTL)
	var hint string
	switch {
	case fresh && s != nil && (s.kind == "role" || c.Source.RoleARN != ""):
		hint = "the role's maximum session duration is shorter: pass a shorter --min-ttl, or raise the role's MaxSessionDuration"
	case fresh:
		hint = "this source gives no longer credentials: pass a shorter --min-ttl"
	case s.kind == "role" && s.chained:
		hint = "role chaining allows 1h at most: pass a shorter --min-ttl"
	case s.kind == "session":
		hint = "pass a --session-duration longer than " + min + ", or a shorter --min-ttl"
	default:
		hint = "pass a --duration longer than " + min + " (up to the role's maximum session duration), or a shorter --min-ttl"
	}
	return &ConfigError{Profile: c.Profile, ARN: c.ARN(),
		Err:  fmt.Errorf("%s --min-ttl %s", why, min),
		Hint: hint}
}

// what names a step's credentials for a message.
func what(s *step) string {
	switch s.kind {
	case "session":
		return "MFA session"
	case "role":
		return "role"
	}
	return "source's role"
}

// TargetID names the cache entry of the chain's last step, "" when the
// chain's credentials are its source's own and nothing is cached.
func (r *Resolver) TargetID(c *Chain) string {
	last, err := r.plan(c)
	if err != nil || last == nil {
		return ""
	}
	return last.id
}

// StepIDs names every cache entry the chain uses, for --clear.
// The record of the last code sent is not one: forgetting it would let the
// next run send the same code again, which AWS refuses.
func (r *Resolver) StepIDs(c *Chain) []string {
	var ids []string
	last, err := r.plan(c)
	if err != nil {
		return ids
	}
	for s := last; s != nil; s = s.parent {
		ids = append(ids, s.id)
	}
	return ids
}

// plan lays out the steps of SPEC §3 and returns the last one (nil when the
// source's own credentials are what the target gets).
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
func (r *Resolver) plan(c *Chain) (*step, error) {
	src := c.Source
	srcID := identity("source", append([]string{c.configFile, src.Profile, src.Provider, src.Static.AccessKeyID}, src.inputs...)...)
	if src.RoleARN != "" {
		// The provider calls STS itself, in the chain's region.
		srcID = identity("source", srcID, c.HopRegion)
	}
	mfa := c.MFASerial != ""

	var prev, session *step
	if src.Provider != "" {
		// A provider's credentials are a step of their own: cached, so a
		// second run asks neither the provider nor STS.
		prev = r.sourceStep(c, srcID)
	}
	temporary := !src.LongTerm()
	direct := len(c.Hops) == 1 && c.Hops[0].Duration > chainedRoleLimit
	if src.LongTerm() && (len(c.Hops) == 0 || (mfa && !direct)) {
		session = r.sessionStep(c, srcID)
		prev = session
		temporary = true
	}
	if !src.LongTerm() && len(c.Hops) == 0 && mfa && src.MFASerial == "" {
		if src.Provider == "web_identity" {
			return nil, &ConfigError{Profile: c.Profile, ARN: c.MFASerial,
				Err:  errors.New("mfa_serial does not apply to web identity: AssumeRoleWithWebIdentity takes no MFA code"),
				Hint: "remove mfa_serial, or put the role that needs MFA in a profile of its own with source_profile = " + src.Profile}
		}
		return nil, &ConfigError{Profile: c.Profile, ARN: c.MFASerial,
			Err:  errors.New("mfa_serial needs a role to assume: the source credentials are already temporary"),
			Hint: "add role_arn to the profile, or remove mfa_serial"}
	}

	codeHop := -1 // the hop that carries SerialNumber/TokenCode
	// A source whose provider assumed its role with the code already carries
	// MFA, and role sessions made from it inherit that.
	if mfa && session == nil && src.MFASerial == "" {
		codeHop = 0
		for i, h := range c.Hops {
			if h.MFASerial != "" {
				codeHop = i
				break
			}
		}
	}
	for i := range c.Hops {
		h := c.Hops[i]
		asked := h.Duration
		if temporary && h.Duration > chainedRoleLimit {
			h.Duration = chainedRoleLimit
		}
		s := r.roleStep(c, h, prev, srcID, i == codeHop, i == 0 && session != nil)
		if asked != h.Duration {
			s.chained = true
			s.note = fmt.Sprintf("%s: role chaining caps %s at 1h (asked %s)", h.Profile, h.RoleARN, fmtDuration(asked))
		}
		prev = s
		temporary = true
	}
	return prev, nil
}

// sourceStep is the credentials of an SDK provider (credential_process,
// web identity, SSO, credential_source): its identity hashes the provider
// kind, the profile and everything that defines its credentials (command,
// token file and token, start URL, account and role, role ARN, endpoint).
func (r *Resolver) sourceStep(c *Chain, id string) *step {
	s := &step{id: id, kind: "source", label: c.Source.Profile + " " + c.Source.label}
	if c.Source.RoleARN != "" {
		s.duration = c.Source.Duration
	}
	s.fetch = func(ctx context.Context, _ Credentials) (Credentials, error) { return r.source(ctx, c) }
	return s
}

func (r *Resolver) sessionStep(c *Chain, srcID string) *step {
	s := &step{
		duration: c.SessionDuration,
		// A session works in every region of its partition: profiles of one
		// source share it whatever region each names.
		id:    identity("session", srcID, c.MFASerial, c.SessionDuration.String(), partition(firstNonEmpty(c.MFASerial, c.ARN())), c.endpoint),
		kind:  "session",
		label: c.Source.Profile + " " + firstNonEmpty(c.MFASerial, "(no MFA)"),
		code:  c.MFASerial != "",
	}
	s.fetch = func(ctx context.Context, _ Credentials) (Credentials, error) {
		code := ""
		if c.MFASerial != "" {
			var err error
			if code, err = r.code(ctx, c); err != nil {
				return Credentials{}, err
			}
		}
		return r.getSessionToken(ctx, c, code)
	}
	return s
}

func (r *Resolver) roleStep(c *Chain, h Hop, parent *step, srcID string, withCode, viaSession bool) *step {
	parentID := srcID
	if parent != nil {
		parentID = parent.id
	}
	s := &step{
		id: identity("role", parentID, h.RoleARN, h.SessionName, h.ExternalID, h.Duration.String(),
			c.HopRegion, c.endpoint, fmt.Sprint(withCode)),
		kind:     "role",
		label:    h.Profile + " " + h.RoleARN,
		parent:   parent,
		duration: h.Duration,
		code:     withCode,
	}
	s.fetch = func(ctx context.Context, caller Credentials) (Credentials, error) {
		code := ""
		if withCode {
			var err error
			if code, err = r.code(ctx, c); err != nil {
				return Credentials{}, err
			}
		}
		creds, err := r.assumeRole(ctx, c, h, caller, code)
		var se *STSError
		if !errors.As(err, &se) || parent == nil {
			return creds, err
		}
		switch code := se.Code(); {
		case (code == "ExpiredToken" || code == "InvalidClientTokenId") && parent.fromCache:
			// STS no longer honours the cached caller: drop it and make it
			// anew, under its lock, so parallel runs still make one.
			r.logf("%s: cached %s was refused (%s); fetching it again", h.Profile, parent.kind, code)
			r.delete(parent.id)
			if caller, err = r.get(ctx, c, parent); err != nil {
				return Credentials{}, err
			}
			return r.assumeRole(ctx, c, h, caller, "")
		case code == "AccessDenied" && viaSession && c.MFASerial != "" && !strings.Contains(se.Error(), "MultiFactorAuthentication"):
			// A trust policy may limit aws:MultiFactorAuthAge below the
			// session's age: one try straight from the keys with a new code.
			r.logf("%s: AssumeRole with the MFA session was denied; retrying with a new code", h.Profile)
			code, cerr := r.code(ctx, c)
			if cerr != nil {
				return Credentials{}, errors.Join(err, cerr)
			}
			return r.assumeRole(ctx, c, h, c.Source.Static, code)
		}
		return creds, err
	}
	return s
}

// get returns the step's credentials from the cache, or fetches them under
// the step's lock. Waiters re-read the cache once they hold the lock, so N
// processes started together make one STS call.
func (r *Resolver) get(ctx context.Context, c *Chain, s *step) (Credentials, error) {
	if r.Cache == nil {
		return r.fetchStep(ctx, c, s)
	}
	// --refresh renews the profile's own steps; the MFA session is shared
	// with every profile of the source, costs a code, and is renewed on its
	// own when STS refuses it — unless it is what the profile asked for.
	refresh := r.Refresh && (s.kind != "session" || s.target)
	if !refresh {
		if creds, ok := r.lookup(s, true); ok {
			return creds, nil
		}
	}
	waited := false
	lockCtx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err := r.Cache.Lock(lockCtx, s.id, func() {
		waited = true
		r.notef("waiting for another awsrun to get the %s for %s (MFA prompt or STS call)", s.kind, s.label)
	})
	if err != nil {
		if ctx.Err() == nil && lockCtx.Err() != nil {
			return Credentials{}, &ConfigError{Profile: c.Profile, ARN: c.ARN(),
				Err:  fmt.Errorf("gave up after %s waiting for another awsrun to get the %s for %s", lockWait, s.kind, s.label),
				Hint: "finish or stop the other awsrun (it may wait for an MFA code), or run with --no-cache"}
		}
		if ctx.Err() != nil {
			return Credentials{}, fmt.Errorf("locking the cache entry for %s: %w", s.label, err)
		}
		// A cache that cannot even hold a lock file (read-only, gone, not a
		// directory) costs the cache, not the run: said once, as put does.
		r.writeOnce.Do(func() { r.notef("not caching credentials: %v", err) })
		return r.fetchStep(ctx, c, s)
	}
	defer unlock()
	if !refresh || waited {
		if creds, ok := r.lookup(s, false); ok {
			return creds, nil
		}
	}
	return r.fetchStep(ctx, c, s)
}

// fetchStep gets the step's parent credentials, calls STS, and caches the
// result.
func (r *Resolver) fetchStep(ctx context.Context, c *Chain, s *step) (Credentials, error) {
	var caller Credentials
	var err error
	switch {
	case s.parent != nil:
		caller, err = r.get(ctx, c, s.parent)
	case s.kind != "source":
		caller, err = r.source(ctx, c)
	}
	if err != nil {
		return Credentials{}, err
	}
	if s.note != "" {
		r.logf("%s", s.note)
	}
	creds, err := s.fetch(ctx, caller)
	if err != nil {
		return Credentials{}, err
	}
	s.fromCache = false
	if creds.Expiration.IsZero() || !creds.Temporary() {
		// Long-term keys (a credential_process or the environment may hand
		// them out, even with an expiration) are never written to the
		// cache: it holds only session credentials.
		r.logf("%s %s: long-term credentials %s, not cached", s.kind, s.label, creds)
		return creds, nil
	}
	r.logf("%s %s: new credentials %s, valid %s", s.kind, s.label, creds, fmtDuration(creds.TimeLeft(r.now()).Round(time.Minute)))
	if r.Cache != nil {
		r.put(s.id, &cache.Entry{Kind: s.kind, Label: s.label, Expires: creds.Expiration, Data: warm.Encode(creds)})
	}
	return creds, nil
}

// lookup reads the step's entry; say is whether to log a miss (the
// re-check under the lock stays quiet).
func (r *Resolver) lookup(s *step, say bool) (Credentials, bool) {
	e, ok := r.Cache.Get(s.id, max(RefreshMargin, s.margin))
	var creds Credentials
	if ok {
		creds, ok = warm.Decode(e.Data)
	}
	if !ok {
		if say {
			r.logf("cache miss: %s %s", s.kind, s.label)
		}
		return Credentials{}, false
	}
	creds.Expiration = e.Expires
	s.fromCache = true
	r.logf("cache hit: %s %s: %s, %s left", s.kind, s.label, creds, fmtDuration(creds.TimeLeft(r.now()).Round(time.Minute)))
	return creds, true
}

// put writes an entry; a cache that cannot be written is said once and
// otherwise ignored: the credentials are good without it.
func (r *Resolver) put(id string, e *cache.Entry) {
	if err := r.Cache.Put(id, e); err != nil {
		r.writeOnce.Do(func() { r.notef("not caching credentials: %v", err) })
	}
}

func (r *Resolver) delete(id string) {
	if r.Cache != nil {
		_ = r.Cache.Delete(id)
	}
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Resolver) logf(format string, args ...any) {
	if r.Log != nil {
		r.Log(format, args...)
	}
}

func (r *Resolver) notef(format string, args ...any) {
	if r.Note != nil {
		r.Note(format, args...)
		return
	}
	fmt.Fprintf(os.Stderr, "awsrun: "+format+"\n", args...)
}

// identity hashes every input that defines a set of credentials into a
// cache entry name. The version prefix retires all entries at once should
// the meaning of an input change.
func identity(kind string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte("awsrun/1\x00" + kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
