package creds

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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

// waitNoteDelay is how long a wait for another awsrun lasts before it is
// said.
var waitNoteDelay = time.Second

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
	Cache Store // nil: neither read nor write a cache
	// Codes is where the codes sent are recorded and MFA devices locked,
	// when not in Cache (--no-cache keeps no credentials, but a run after
	// it must not send its code again). Nil: Cache.
	Codes   Store
	Refresh bool   // ignore the chain's cached credentials but the MFA session, fetch and cache new ones
	MFACode string // --mfa-code
	// MFACodeFrom names where MFACode came from, for messages: "--mfa-code"
	// (the default) or AWSRUN_MFA_CODE.
	MFACodeFrom string
	Prompt      PromptFunc // nil: TerminalPrompt
	// Say tells the person at the prompt why they are asked again (a typo,
	// a code just used); nil: the terminal when Prompt is nil, else Note.
	Say func(msg string)
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
	// Terminal is where Note writes when that is a terminal (TerminalOf),
	// else nil. A wait note starts there on a new line: another awsrun's
	// prompt may be waiting for a code at the end of the current one.
	Terminal io.Writer
	Now      func() time.Time
	// STSTimeout bounds each STS call (and each provider's), the SDK's
	// retries included; 0: 30s (the caller reads $AWSRUN_STS_TIMEOUT).
	STSTimeout time.Duration
	// STS is the client; nil: the SDK's, built on first need for the chain's
	// profile, so a warm run never builds one.
	STS STSAPI

	codes     map[string]string // last code sent per device, this process
	writeOnce sync.Once
	last      lastRun // what Retrieve did last, for FromCache and CodeStep
}

// Retrieve returns credentials for the chain's target. It does not change
// the chain.
func (r *Resolver) Retrieve(ctx context.Context, c *Chain) (Credentials, error) {
	r.last = lastRun{asked: c, ran: c}
	if c.Source.Provider == ProviderProcess {
		// What a process prints depends on its environment, not only its
		// command line: it is asked every time (it keeps its own cache) and
		// what it returned, not the command, names the steps made from it.
		src, err := r.source(ctx, c)
		if err != nil {
			return Credentials{}, err
		}
		c = c.withStaticSource(src)
		r.last.ran = c
	}
	p, err := NewPlan(c, r.MinTTL)
	if err != nil {
		return Credentials{}, err
	}
	for _, s := range p.Unhonoured() {
		// The user asked for this lifetime and will not get it, from the
		// cache or from STS.
		r.notef("%s: role chaining caps %s at 1h: --duration %s cannot be honoured", s.Profile, c.Hops[s.Hop].RoleARN, fmtDuration(s.Asked))
	}
	x := &execution{r: r, c: c, p: p, fromCache: make([]bool, len(p.Steps)), sentCode: make([]bool, len(p.Steps)),
		made: make([]*Credentials, len(p.Steps)), writing: make([]chan struct{}, len(p.Steps))}
	var creds Credentials
	if len(p.Steps) == 0 {
		creds, err = r.source(ctx, c)
	} else if err = x.holdCodeStep(ctx); err == nil {
		creds, err = x.get(ctx, len(p.Steps)-1)
		r.last.fromCache = x.fromCache[len(p.Steps)-1]
	}
	x.wait() // every entry in place, and its lock released
	if err != nil {
		return Credentials{}, err
	}
	if !creds.Expiration.IsZero() && !creds.Expiration.After(r.now()) {
		return Credentials{}, expiredError(c, creds.Expiration)
	}
	if left := creds.TimeLeft(r.now()); r.MinTTL > 0 && !creds.Expiration.IsZero() && left < r.MinTTL {
		// Fresh, or the cache would not have served them: AWS gave less
		// than was asked (a role's maximum session duration).
		return Credentials{}, tooShortError(c, p.Target(), r.MinTTL, fmt.Sprintf("new credentials last only %s, less than", fmtDuration(left.Round(time.Minute))), true)
	}
	return creds, nil
}

// execution is one run of a plan: the loop that looks each step up in the
// cache, locks it, and fetches it. fromCache records which steps' last
// credentials came from the cache, so a refusal of one can replace it.
type execution struct {
	r         *Resolver
	c         *Chain
	p         *Plan
	fromCache []bool
	// sentCode records which steps' calls sent an MFA code.
	sentCode []bool
	// made holds the credentials each step's call made in this run: a step
	// is made once per run, whatever --refresh says or the cache holds.
	made []*Credentials
	// writing[i] is step i's cache write while it is under way: it goes on
	// beside the next call (an MFA session's fsync beside the AssumeRole
	// made with it), and the step's lock is released when it is done.
	writing  []chan struct{}
	writes   sync.WaitGroup
	mu       sync.Mutex
	writeErr error // the first write that failed
}

// write puts step i's entry in the background.
func (x *execution) write(i int, e *cache.Entry) {
	done := make(chan struct{})
	x.writing[i] = done
	x.writes.Go(func() {
		defer close(done)
		if err := x.r.Cache.Put(x.p.Steps[i].ID, e); err != nil {
			x.mu.Lock()
			x.writeErr = cmp.Or(x.writeErr, err)
			x.mu.Unlock()
		}
	})
}

// wait waits for the writes and their locks' release, and says — from
// the caller's goroutine, as put does — if one failed.
func (x *execution) wait() {
	x.writes.Wait()
	if err := x.writeErr; err != nil {
		x.r.writeFailed(err)
	}
}

// writeFailed says, once a run, that the cache could not be written; the
// credentials are good without it.
func (r *Resolver) writeFailed(err error) {
	r.writeOnce.Do(func() { r.notef("not caching credentials: %v", err) })
}

// release unlocks step i once its entry, if one is being written, is in
// place: a process waiting on the lock then finds it.
func (x *execution) release(i int, unlock func()) {
	done := x.writing[i]
	if done == nil {
		unlock()
		return
	}
	x.writes.Go(func() {
		<-done
		unlock()
	})
}

// get returns step i's credentials from the cache, or fetches them under
// the step's lock. Waiters re-read the cache once they hold the lock, so N
// processes started together make one STS call.
func (x *execution) get(ctx context.Context, i int) (Credentials, error) {
	r, s := x.r, &x.p.Steps[i]
	if c := x.made[i]; c != nil {
		return *c, nil // made earlier in this run (the code step first, then its hops)
	}
	if r.Cache == nil {
		return x.fetch(ctx, i)
	}
	// --refresh renews the profile's own steps; the MFA session is shared
	// with every profile of the source, costs a code, and is renewed on its
	// own when STS refuses it — unless it is what the profile asked for.
	refresh := r.Refresh && (s.Kind != cache.KindSession || i == len(x.p.Steps)-1)
	if !refresh {
		if creds, ok := x.lookup(i, true); ok {
			return creds, nil
		}
	}
	waited := false
	lockCtx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	var note *time.Timer
	noted := make(chan struct{})
	unlock, err := r.Cache.Lock(lockCtx, s.ID, func() {
		waited = true
		// Said only when the wait is long enough to wonder about: make -j32
		// starts 31 waiters that mostly wait a moment.
		note = time.AfterFunc(waitNoteDelay, func() {
			defer close(noted)
			if r.Terminal != nil {
				fmt.Fprintln(r.Terminal)
			}
			r.notef("waiting for another awsrun to get the %s for %s (MFA prompt or STS call)", s.Kind, s.Label)
		})
	})
	if note != nil && !note.Stop() {
		<-noted // said: let it finish before anything else is
	}
	if err != nil {
		if ctx.Err() == nil && lockCtx.Err() != nil {
			return Credentials{}, &ConfigError{Profile: x.c.Profile, ARN: x.c.ARN(),
				Err: fmt.Errorf("gave up after %s waiting for another awsrun to get the %s for %s", lockWait, s.Kind, s.Label),
				Fix: "finish or stop the other awsrun (it may wait for an MFA code), or run with --no-cache"}
		}
		if ctx.Err() != nil {
			return Credentials{}, fmt.Errorf("locking the cache entry for %s: %w", s.Label, err)
		}
		// A cache that cannot even hold a lock file (read-only, gone, not a
		// directory) costs the cache, not the run: said once, as put does.
		r.writeFailed(err)
		return x.fetch(ctx, i)
	}
	defer x.release(i, unlock)
	if !refresh || waited {
		if creds, ok := x.lookup(i, false); ok {
			return creds, nil
		}
	}
	return x.fetch(ctx, i)
}

// fetch gets step i's caller credentials, makes the step's, and caches
// them.
func (x *execution) fetch(ctx context.Context, i int) (Credentials, error) {
	r, s := x.r, &x.p.Steps[i]
	var caller Credentials
	var err error
	switch {
	case s.Parent >= 0:
		caller, err = x.get(ctx, s.Parent)
	case s.Kind != cache.KindSource:
		caller, err = r.source(ctx, x.c)
	}
	if err != nil {
		return Credentials{}, err
	}
	creds, err := x.call(ctx, i, caller)
	if err != nil {
		return Credentials{}, err
	}
	x.made[i] = &creds
	x.fromCache[i] = false
	if creds.Expiration.IsZero() || !creds.Temporary() {
		// Long-term keys (a credential_process or the environment may hand
		// them out, even with an expiration) are never written to the
		// cache: it holds only session credentials.
		r.logf("%s %s: long-term credentials %s, not cached", s.Kind, s.Label, creds)
		return creds, nil
	}
	r.logf("%s %s: new credentials %s, valid %s", s.Kind, s.Label, creds, fmtDuration(creds.TimeLeft(r.now()).Round(time.Minute)))
	if r.Cache != nil {
		// A role hop made from long-term keys without a code costs nothing
		// to make again: it is written without an fsync. One made with
		// temporary credentials is synced like an MFA session or a source:
		// they may be gone by then (a sign-in's token expired), or too old
		// for the trust policy (aws:MultiFactorAuthAge), and the next run
		// would ask for a code or a sign-in.
		rebuildable := s.Kind == cache.KindRole && !x.sentCode[i] && !caller.Temporary()
		x.write(i, &cache.Entry{Kind: s.Kind, Label: s.Label, Profile: s.Profile, Expires: creds.Expiration, Data: warm.Encode(creds),
			Rebuildable: rebuildable})
	}
	return creds, nil
}

// call makes step i's credentials with the caller's: the one place that
// switches on what a step is.
func (x *execution) call(ctx context.Context, i int, caller Credentials) (Credentials, error) {
	r, c, s := x.r, x.c, &x.p.Steps[i]
	serial := "" // the device whose code the call sends
	if s.WithCode && s.Kind != cache.KindSource {
		// A source's provider asks for its own code, after its own checks.
		serial = c.MFASerial
		x.sentCode[i] = true
	}
	switch s.Kind {
	case cache.KindSource:
		return r.source(ctx, c)
	case cache.KindSession:
		return r.withCode(ctx, c, serial, func(code string) (Credentials, error) { return r.getSessionToken(ctx, c, code) })
	}
	h := c.Hops[s.Hop]
	if s.Chained && !s.Explicit {
		r.logf("%s: role chaining caps %s at 1h (asked %s)", h.Profile, h.RoleARN, fmtDuration(s.Asked))
	}
	h.Duration = s.Duration
	creds, err := r.withCode(ctx, c, serial, func(code string) (Credentials, error) { return r.assumeRole(ctx, c, h, caller, code) })
	var se *STSError
	if !errors.As(err, &se) || s.Parent < 0 {
		return creds, err
	}
	parent := &x.p.Steps[s.Parent]
	switch code := se.Code(); {
	case (code == "ExpiredToken" || code == "InvalidClientTokenId") && x.fromCache[s.Parent]:
		// STS no longer honours the cached caller: drop it and make it
		// anew, under its lock, so parallel runs still make one.
		r.logf("%s: cached %s was refused (%s); fetching it again", h.Profile, parent.Kind, code)
		r.delete(parent.ID)
		x.made[s.Parent] = nil
		if caller, err = x.get(ctx, s.Parent); err != nil {
			return Credentials{}, err
		}
		return r.assumeRole(ctx, c, h, caller, "")
	case code == "AccessDenied" && s.ViaSession && c.MFASerial != "" && !textMFAFailed.inErr(se) && x.fromCache[s.Parent]:
		// A trust policy may limit aws:MultiFactorAuthAge below the
		// session's age: one try straight from the keys with a new code.
		// Only a session from the cache has an age that can be the reason:
		// a denial of one made in this run is the trust policy's (a wrong
		// ARN, a missing principal), and another code would be wasted.
		age := max(parent.Duration-caller.TimeLeft(r.now()), 0).Round(time.Minute)
		r.notef("%s: AssumeRole of %s with the MFA session of %s (%s old) was denied; the role may want a more recent MFA, so a new code is asked",
			h.Profile, h.RoleARN, parent.Profile, fmtDuration(age))
		unlock, lerr := r.lockDevice(ctx, c, c.MFASerial)
		if lerr != nil {
			return Credentials{}, errors.Join(err, lerr)
		}
		defer unlock()
		src := r.mfa(c)
		code, cerr := src.Code(ctx, c.MFASerial)
		if cerr != nil {
			return Credentials{}, errors.Join(err, cerr)
		}
		x.sentCode[i] = true
		return src.sent(r.assumeRole(ctx, c, h, c.Source.Static, code))
	}
	return creds, err
}

// lookup reads step i's entry; say is whether to log a miss (the re-check
// under the lock stays quiet).
func (x *execution) lookup(i int, say bool) (Credentials, bool) {
	r, s := x.r, &x.p.Steps[i]
	e, ok := r.Cache.Get(s.ID, s.Margin)
	var creds Credentials
	if ok {
		creds, ok = warm.Decode(e.Data)
	}
	if !ok {
		if say {
			r.logf("cache miss: %s %s", s.Kind, s.Label)
		}
		return Credentials{}, false
	}
	creds.Expiration = e.Expires
	x.fromCache[i] = true
	r.logf("cache hit: %s %s: %s, %s left", s.Kind, s.Label, creds, fmtDuration(creds.TimeLeft(r.now()).Truncate(time.Minute)))
	return creds, true
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
