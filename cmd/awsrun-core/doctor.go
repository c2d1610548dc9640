package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/internal/textsafe"
)

// --doctor: what a run of the profile would cost now, and what is wrong,
// without fetching credentials. It reads the plan a run executes
// (creds.NewPlan) and looks its steps up in the cache without locking;
// the only request it sends is one unsigned call to STS for the time.

// Thresholds of the clock check. AWS refuses signatures more than 5
// minutes off, and awsrun judges cached credentials by this machine's
// clock: past 5 minutes it would serve credentials STS has let expire.
const (
	driftWarn = 30 * time.Second
	driftFail = 5 * time.Minute
)

// checkup is the doctor's report; --json prints it as it is. It holds no
// secret: kinds, labels, times and advice.
type checkup struct {
	Profile  string        `json:"profile"`
	ARN      string        `json:"arn,omitempty"`
	Steps    []checkedStep `json:"steps"`
	Calls    int           `json:"sts_calls"` // credential calls a run makes now
	Codes    int           `json:"mfa_codes"` // MFA codes a run needs now
	CodeFrom string        `json:"code_source,omitempty"`
	Cut      []string      `json:"cut,omitempty"`     // hops role chaining cuts to 1h, and why
	MinTTL   string        `json:"min_ttl,omitempty"` // whether --min-ttl can be met
	Cache    checkedCache  `json:"cache"`
	Clock    checkedClock  `json:"clock"`
	Problems []finding     `json:"problems"` // warnings and failures, in the order found
	OK       bool          `json:"ok"`       // a run would work
	// Unknown says the steps' cache entries cannot be looked up without
	// running the source's credential_process, or unlocking the key store.
	Unknown bool `json:"cache_unknown,omitempty"`
}

type checkedStep struct {
	Kind     cache.Kind `json:"kind"`
	Label    string     `json:"label"`
	Cached   bool       `json:"cached"`            // usable from the cache now
	Expires  string     `json:"expires,omitempty"` // RFC 3339 UTC, of the cached entry
	Needed   bool       `json:"needed"`            // a run now makes this step
	WithCode bool       `json:"with_code"`         // making it costs an MFA code
	Duration string     `json:"duration,omitempty"`
}

type checkedCache struct {
	Dir      string `json:"dir"`
	KeyStore string `json:"key_store,omitempty"`
	Error    string `json:"error,omitempty"`
}

type checkedClock struct {
	Endpoint    string  `json:"endpoint,omitempty"`
	DriftSecond float64 `json:"drift_seconds"` // positive: STS is ahead of this machine
	Error       string  `json:"error,omitempty"`
}

type finding struct {
	Fail bool   `json:"fail"` // a run would fail
	Text string `json:"text"`
	Fix  string `json:"fix,omitempty"`
}

// doctor writes the report on stdout and returns the first reason a run
// would fail, nil when it would work.
func (a *app) doctor(ctx context.Context) error {
	chain, locked, err := a.doctorChain(ctx)
	if err != nil {
		return err // the run would stop here too, with the same words
	}
	now := time.Now()
	c := &checkup{Profile: chain.Profile, ARN: chain.ARN(), Steps: []checkedStep{}, Problems: []finding{}}
	if locked != nil {
		// The source's keys cannot be read, so neither can the cache
		// entries named after them: the report goes on without them.
		c.Problems = append(c.Problems, finding{Fail: true,
			Text: "the key store is locked, and a run needs the keys of " + chain.Source.Profile + " from it (" + locked.Error() + "); the counts of calls and codes assume nothing is cached",
			Fix:  "set AWSRUN_KEYS_PASSPHRASE, or run at a terminal to type the passphrase"})
		c.Unknown = true
	}
	plan, perr := creds.NewPlan(chain, a.inv.MinTTL)
	if perr != nil {
		c.fail(perr)
		plan, err = creds.NewPlan(chain, 0)
		if err != nil {
			return err
		}
	}
	store := a.doctorCache(c)
	if store != nil {
		defer store.Close()
	}
	lookup := store
	if chain.Source.Provider == creds.ProviderProcess || locked != nil {
		// A run plans on what the process prints, which names the steps:
		// without running it, their cache entries cannot be found.
		lookup = nil
		c.Unknown = true
	}
	c.cost(plan, lookup, now)
	c.cuts(chain, plan)
	c.minTTL(a.inv.MinTTL, plan, perr == nil, now)
	c.codeSource(a, chain)
	if probs, err := creds.Lint(chain); err != nil {
		c.fail(err)
	} else {
		for _, p := range probs {
			c.Problems = append(c.Problems, finding{Text: p.Text, Fix: p.Fix})
		}
	}
	if c.Unknown && locked == nil {
		c.warn("credential_process runs on every cold launch, and the keys it prints name the cached steps after it: the counts above assume nothing is cached",
			"run awsrun -v -p "+chain.Profile+" -- true to see what the cache serves")
	}
	a.clock(ctx, c, chain)

	c.OK = true
	var failure error
	for _, f := range c.Problems {
		if f.Fail {
			c.OK = false
			failure = &doctorError{Profile: chain.Profile, ARN: chain.ARN(), Text: f.Text, Fix: f.Fix}
			break
		}
	}
	if a.opts.JSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(c); err != nil {
			return err
		}
	} else {
		c.write(a)
	}
	return failure
}

// lockedKeyID stands for keys the doctor cannot read: the key store needs
// a passphrase and there is no terminal to ask it on. The doctor sends
// nothing signed, so these placeholders only let the chain be planned.
const lockedKeyID = "AKIAKEYSTORELOCKED00"

// doctorChain loads the chain as a run would; a key store that needs a
// passphrase no one can type is returned as locked instead of ending the
// report, with placeholder keys in the source.
func (a *app) doctorChain(ctx context.Context) (chain *creds.Chain, locked, err error) {
	lookup := func(profile string) (creds.Credentials, bool, error) {
		k, ok, err := a.storedKeys(profile)
		if errors.Is(err, creds.ErrNoTerminal) {
			locked = err
			return creds.Credentials{AccessKeyID: lockedKeyID, SecretAccessKey: "the-key-store-is-locked"}, true, nil
		}
		return k, ok, err
	}
	chain, err = creds.LoadChain(ctx, a.inv.Profile, creds.LoadOptions{Region: a.opts.Region, Getenv: a.getenv,
		Duration: a.inv.Duration, SessionDuration: a.inv.SessionDuration, Keys: lookup, KeyStore: a.keyStoreName})
	return chain, locked, err
}

// doctorError is the one line --doctor fails with: the first failure of
// the report.
type doctorError struct{ Profile, ARN, Text, Fix string }

func (e *doctorError) Error() string {
	if e.ARN == "" {
		return "profile " + e.Profile + ": " + e.Text
	}
	return "profile " + e.Profile + " (" + e.ARN + "): " + e.Text
}

func (e *doctorError) Hint() string { return e.Fix }

func (c *checkup) fail(err error) {
	c.Problems = append(c.Problems, finding{Fail: true, Text: strings.TrimPrefix(err.Error(), "profile "+c.Profile+" ("+c.ARN+"): "), Fix: cli.Hint(err)})
}

func (c *checkup) warn(text, fix string) {
	c.Problems = append(c.Problems, finding{Text: text, Fix: fix})
}

// doctorCache opens the cache as a run would, but creates nothing: no
// directory, no key. Its problems are the report's; a run without a cache
// still works, at the cost of a code each time.
func (a *app) doctorCache(c *checkup) *cache.Store {
	if a.opts.NoCache {
		return nil
	}
	s, err := cache.Open(a.listOptions())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.Cache.Dir = cache.DefaultDir()
		c.Cache.KeyStore = "none yet (the first run makes the key)"
		return nil
	case err != nil:
		var insecure *cache.InsecureDirError
		if errors.As(err, &insecure) {
			c.Cache.Dir = insecure.Dir
		}
		c.Cache.Error = err.Error()
		c.warn("the cache cannot be used, so every run asks for new credentials: "+err.Error(), cli.Hint(err))
		return nil
	}
	c.Cache.Dir = s.Dir()
	store, err := s.KeyStore()
	switch {
	case errors.Is(err, cache.ErrNoKey):
		c.Cache.KeyStore = "none yet (the first run makes the key)"
	case err != nil:
		c.Cache.Error = err.Error()
		c.warn("the cache key cannot be read, so every run asks for new credentials: "+err.Error(), cli.Hint(err))
		s.Close()
		return nil
	default:
		c.Cache.KeyStore = store
	}
	return s
}

// cost walks the plan as a run would: the target, and each step's parent
// as long as the step itself must be made, counting the STS calls and the
// codes.
func (c *checkup) cost(p *creds.Plan, store *cache.Store, now time.Time) {
	needed := make([]bool, len(p.Steps))
	for i := len(p.Steps) - 1; i >= 0; i-- {
		s := &p.Steps[i]
		cs := checkedStep{Kind: s.Kind, Label: s.Label, WithCode: s.WithCode}
		if s.Duration > 0 {
			cs.Duration = hoursMinutes(s.Duration)
		}
		if store != nil {
			if e, ok := store.Get(s.ID, 0); ok {
				cs.Expires = e.Expires.UTC().Format(time.RFC3339)
				cs.Cached = e.Expires.Sub(now) > s.Margin
			}
		}
		cs.Needed = i == len(p.Steps)-1 || needed[i]
		if cs.Needed && !cs.Cached {
			c.Calls++
			if s.WithCode {
				c.Codes++
			}
			if s.Parent >= 0 {
				needed[s.Parent] = true
			}
		}
		c.Steps = append([]checkedStep{cs}, c.Steps...)
	}
}

// cuts says which hops role chaining cuts to 1h, and why.
func (c *checkup) cuts(chain *creds.Chain, p *creds.Plan) {
	for _, s := range p.Steps {
		if !s.Chained {
			continue
		}
		by := "temporary source credentials"
		if s.Parent >= 0 {
			parent := p.Steps[s.Parent]
			by = "the " + parent.What() + " of " + parent.Profile
		}
		c.Cut = append(c.Cut, fmt.Sprintf("%s asks %s, cut to 1h: it is assumed with %s, and AWS allows role chaining 1h",
			s.Label, hoursMinutes(s.Asked), by))
		fix := "set duration_seconds = 3600 in [profile " + s.Profile + "]"
		if s.Explicit {
			fix = "pass --duration 1h or less"
		}
		if s.Hop == len(chain.Hops)-1 && s.Hop == 0 && chain.MFASerial != "" {
			fix += ", or keep it: a single role hop above 1h is assumed straight from the keys only when nothing else comes first"
		}
		c.warn(fmt.Sprintf("role %s asks for %s, more than role chaining allows", s.Label, hoursMinutes(s.Asked)), fix)
	}
}

// minTTL says whether --min-ttl can be met; NewPlan has refused what
// cannot be.
func (c *checkup) minTTL(minTTL time.Duration, p *creds.Plan, ok bool, now time.Time) {
	if minTTL == 0 || !ok {
		return
	}
	t := p.Target()
	switch {
	case t == nil:
		c.MinTTL = "the source's own credentials are served: their lifetime is the source's"
	case len(c.Steps) > 0 && c.Steps[len(c.Steps)-1].Cached:
		exp, _ := time.Parse(time.RFC3339, c.Steps[len(c.Steps)-1].Expires)
		c.MinTTL = fmt.Sprintf("met from the cache (%s left)", hoursMinutes(exp.Sub(now)))
	case t.Duration > 0:
		c.MinTTL = fmt.Sprintf("met by new credentials: the %s is asked for %s (a role's maximum session duration may still be shorter)", t.What(), hoursMinutes(t.Duration))
	default:
		c.MinTTL = "new credentials' lifetime is the provider's: known only when they arrive"
	}
}

// codeSource names where a run's codes would come from, and fails when a
// code is needed and nothing can give one.
func (c *checkup) codeSource(a *app, chain *creds.Chain) {
	switch {
	case a.inv.MFACode != "":
		c.CodeFrom = "--mfa-code / " + cli.MFACodeVar
		if c.Codes > 1 {
			c.warn(fmt.Sprintf("a run needs %d MFA codes, and --mfa-code gives one: AWS accepts each code once", c.Codes),
				"set mfa_process, or run at a terminal")
		}
	case chain.MFAProcess != "":
		c.CodeFrom = "mfa_process"
	case creds.HaveTerminal():
		c.CodeFrom = "a prompt on the terminal"
	default:
		c.CodeFrom = "none: no --mfa-code, " + cli.MFACodeVar + " or mfa_process, and no terminal"
		if c.Codes > 0 {
			c.Problems = append(c.Problems, finding{Fail: true,
				Text: fmt.Sprintf("a run now needs %s and nothing can give one here: no --mfa-code, %s or mfa_process, and no terminal", textsafe.Plural(c.Codes, "MFA code"), cli.MFACodeVar),
				Fix:  "set " + cli.MFACodeVar + "=CODE (or pass --mfa-code CODE), or set mfa_process in [profile " + chain.Profile + "], or run at a terminal"})
		}
	}
}

// clock compares this machine's clock with STS's.
func (a *app) clock(ctx context.Context, c *checkup, chain *creds.Chain) {
	r := &creds.Resolver{STSTimeout: a.inv.STSTimeout}
	d, err := r.ClockDrift(ctx, chain)
	c.Clock.Endpoint = d.Endpoint
	if err != nil {
		c.Clock.Error = err.Error()
		c.warn("cannot compare the clock with STS's: "+err.Error(), cli.Hint(err))
		return
	}
	c.Clock.DriftSecond = d.Offset.Seconds()
	off := d.Offset
	if off < 0 {
		off = -off
	}
	switch {
	case off >= driftFail:
		c.Problems = append(c.Problems, finding{Fail: true,
			Text: fmt.Sprintf("this machine's clock is %s off STS's (%s): AWS refuses signatures more than 5 minutes off, and cached credentials would be used after they expired", off, d.Endpoint),
			Fix:  "set the system clock right (timedatectl set-ntp true, or your OS's time settings)"})
	case off >= driftWarn:
		c.warn(fmt.Sprintf("this machine's clock is %s off STS's (%s)", off, d.Endpoint), "set the system clock right: awsrun judges cached credentials by it")
	}
}

// write prints the report as text.
func (c *checkup) write(a *app) {
	w := a.stdout
	if c.ARN != "" {
		fmt.Fprintf(w, "profile %s (%s)\n", c.Profile, c.ARN)
	} else {
		fmt.Fprintf(w, "profile %s\n", c.Profile)
	}
	fmt.Fprintln(w, "steps, source first:")
	if len(c.Steps) == 0 {
		fmt.Fprintln(w, "  none: the source's own credentials are served")
	}
	now := time.Now()
	for _, s := range c.Steps {
		state := "not cached"
		if s.Expires != "" {
			exp, _ := time.Parse(time.RFC3339, s.Expires)
			state = fmt.Sprintf("cached until %s (%s left)", exp.Local().Format(cli.ClockLayout), hoursMinutes(exp.Sub(now)))
			if !s.Cached {
				state += ", too short: replaced"
			}
		}
		action := ""
		switch {
		case s.Needed && !s.Cached && s.WithCode:
			action = ": a run makes it, with an MFA code"
		case s.Needed && !s.Cached:
			action = ": a run makes it"
		case !s.Needed:
			action = ": not needed now"
		}
		fmt.Fprintf(w, "  %-7s %s: %s%s\n", s.Kind, s.Label, state, action)
	}
	fmt.Fprintf(w, "a run now: %s, %s\n", textsafe.Plural(c.Calls, "STS call"), textsafe.Plural(c.Codes, "MFA code"))
	if c.CodeFrom != "" {
		fmt.Fprintf(w, "codes from: %s\n", c.CodeFrom)
	}
	for _, cut := range c.Cut {
		fmt.Fprintf(w, "cut: %s\n", cut)
	}
	if c.MinTTL != "" {
		fmt.Fprintf(w, "--min-ttl %s: %s\n", a.opts.MinTTL, c.MinTTL)
	}
	switch {
	case c.Cache.Error != "":
		fmt.Fprintf(w, "cache: %s: not usable: %s\n", dash(c.Cache.Dir), c.Cache.Error)
	case a.opts.NoCache:
		fmt.Fprintln(w, "cache: not used (--no-cache)")
	default:
		fmt.Fprintf(w, "cache: %s, key %s\n", c.Cache.Dir, c.Cache.KeyStore)
	}
	if c.Clock.Error == "" {
		fmt.Fprintf(w, "clock: %s off STS's (%s)\n", time.Duration(c.Clock.DriftSecond*float64(time.Second)), c.Clock.Endpoint)
	}
	for _, p := range c.Problems {
		mark := "warning"
		if p.Fail {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s: %s\n", mark, p.Text)
		if p.Fix != "" {
			fmt.Fprintf(w, "  fix: %s\n", p.Fix)
		}
	}
	if c.OK {
		fmt.Fprintln(w, "ok: a run would work")
	}
}
