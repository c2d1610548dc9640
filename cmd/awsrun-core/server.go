package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/runner"
	"github.com/awsrun/awsrun/server"
)

// noticeLead is how long before the MFA session ends the user is told what
// renewing it takes, when nothing can renew it without them.
const noticeLead = 30 * time.Minute

// serve is awsrun --server: get the credentials (the one prompt, if any,
// happens now), then stay the parent of COMMAND and serve them on a
// loopback endpoint that keeps them fresh, until COMMAND exits. COMMAND's
// status is awsrun's.
func (a *app) serve(ctx context.Context) error {
	chain, err := a.loadChain(ctx)
	if err != nil {
		return err
	}
	r := a.resolver(chain)
	if r.Cache == nil {
		// --no-cache, or a cache that cannot be used: the MFA session must
		// still serve every refresh of the run, from memory only.
		r.Cache = newMemStore()
	}
	// --min-ttl is how long the command may run without a new code: the
	// MFA session must last that long, the role is renewed from it.
	r.MinTTL, r.CodeMinTTL = 0, a.inv.MinTTL
	c, err := r.Retrieve(ctx, chain)
	if err != nil {
		return err
	}
	if left := c.TimeLeft(time.Now()); r.FromCache() && left < 2*server.DefaultLead {
		// Half spent: renewed now, so that the endpoint's first refresh is
		// timed from a whole lifetime.
		r.MinTTL = left + time.Second
		if fresh, err := r.Retrieve(ctx, chain); err == nil {
			c = fresh
		} else {
			a.logf("keeping the cached credentials (%s left): %v", left.Round(time.Second), err)
		}
	}

	// From here on COMMAND may be reading the terminal: awsrun never asks
	// there again, and the code given on the command line is spent.
	w := &watch{a: a, chain: chain, profile: chain.Profile}
	r.MFACode, r.Refresh, r.Prompt = "", false, w.noPrompt
	w.update(r)
	renewAhead := time.Duration(0)
	if cs, ok := w.current(); ok && chain.MFAProcess != "" && !cs.Expires.IsZero() {
		// mfa_process renews the session before awsrun stops using it:
		// noticeLead ahead, or at two thirds of its use when that is
		// shorter.
		renewAhead = creds.RefreshMargin + min(noticeLead, time.Until(usableUntil(cs))/3)
	}
	source := func(ctx context.Context, minLeft time.Duration) (creds.Credentials, error) {
		r.MinTTL, r.CodeMinTTL = minLeft, renewAhead
		c, err := r.Retrieve(ctx, chain)
		w.update(r)
		return c, err
	}
	srv, err := server.Start(server.Config{
		Initial: c,
		Source:  source,
		Notify:  func(msg string) { fmt.Fprintf(a.stderr, "awsrun: %s\n", msg) },
		Log:     a.logf,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	stop := w.start(chain.MFAProcess == "")
	defer stop()

	if a.defaultProfileShadows(ctx) {
		fmt.Fprintf(a.stderr, "awsrun: warning: the default profile has credentials of its own, which AWS SDKs in the command use before awsrun's endpoint; move them to a named profile\n")
	}
	vars := append([]runner.Var{
		{Name: "AWS_CONTAINER_CREDENTIALS_FULL_URI", Value: srv.URL},
		{Name: "AWS_CONTAINER_AUTHORIZATION_TOKEN", Value: srv.Token},
	}, cli.RunVars(chain.Region, chain.Profile)...)
	a.logf("serving credentials at %s; running %s", srv.URL, a.inv.Path)
	err = runner.Run(a.inv.Path, a.opts.Command, runner.Env(a.inv.Environ, vars))
	// The endpoint ends with the command: a background process it left
	// behind gets no more credentials.
	srv.Close()
	return err
}

// watch follows the step that costs an MFA code while the command runs,
// to tell the user ahead of its end what renewing it takes.
type watch struct {
	a       *app
	chain   *creds.Chain
	profile string

	mu      sync.Mutex
	step    creds.CodeStep
	ok      bool
	changed chan struct{}
}

// update reads the code step's expiry; called where the resolver is used.
func (w *watch) update(r *creds.Resolver) {
	cs, ok := r.CodeStep(w.chain)
	w.mu.Lock()
	defer w.mu.Unlock()
	if ok == w.ok && cs.Expires.Equal(w.step.Expires) {
		return
	}
	w.step, w.ok = cs, ok
	if w.changed != nil {
		close(w.changed)
	}
	w.changed = make(chan struct{})
}

func (w *watch) current() (creds.CodeStep, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.step, w.ok
}

// renewCommand is what renews the step that costs the code from another
// terminal, into the cache this awsrun reads: a run with the same profile
// and the same durations, which are part of the cache entries' identity.
// An MFA session is renewed by a run that needs it to last; a role that
// carries the code itself, by --refresh.
func (w *watch) renewCommand() string {
	cs, _ := w.current()
	args := []string{"awsrun", "-p", w.profile}
	if d := w.a.opts.SessionDuration; d != "" && cs.Kind == cache.KindSession {
		args = append(args, "--session-duration", d)
	}
	if cs.Kind != cache.KindSession {
		if d := w.a.opts.Duration; d != "" {
			args = append(args, "-d", d)
		}
		return strings.Join(append(args, "--refresh", "--", "true"), " ")
	}
	// Half a session: more than the session being replaced has left when
	// the user is told, less than a new one lasts.
	min := shortDuration((w.chain.SessionDuration / 2).Round(time.Minute))
	return strings.Join(append(args, "--server", "--min-ttl", min, "--", "true"), " ")
}

// noPrompt stands for the terminal prompt while the command runs: asking
// there would take input meant for the command.
func (w *watch) noPrompt(context.Context, string) (string, error) {
	return "", &codeNeededError{renew: w.renewCommand(), profile: w.profile}
}

// codeNeededError is a refresh that needs a code the user is not asked
// for. The resolver says whose (profile and device); the renewal command
// is in the text too, because the endpoint's answer carries only the text.
type codeNeededError struct{ renew, profile string }

func (e *codeNeededError) Error() string {
	return "a new MFA code is needed, and awsrun does not read the terminal while the command runs: run `" + e.renew + "` in another terminal"
}

func (e *codeNeededError) Hint() string {
	return "run `" + e.renew + "` in another terminal, or set mfa_process in [profile " + e.profile + "] to a command that prints the code, so that awsrun renews it alone"
}

// start tells the user, once per end of the code step and noticeLead (or
// half the time left, when less) before it, what renewing it takes — when
// tell is true, that is when no mfa_process renews it on its own. stop
// ends the watch.
func (w *watch) start(tell bool) (stop func()) {
	done := make(chan struct{})
	if !tell {
		return func() {}
	}
	go func() {
		told := time.Time{}
		for {
			w.mu.Lock()
			cs, ok, changed := w.step, w.ok, w.changed
			w.mu.Unlock()
			var due <-chan time.Time
			if ok && !cs.Expires.IsZero() && !cs.Expires.Equal(told) {
				left := time.Until(usableUntil(cs))
				lead := min(noticeLead, left/2)
				due = time.After(left - lead)
			}
			select {
			case <-done:
				return
			case <-changed:
			case <-due:
				told = cs.Expires
				w.a.tell(fmt.Sprintf("the %s of profile %s (%s) ends in %s; awsrun then needs a new MFA code to renew the command's credentials, and does not read the terminal while the command runs",
					codeStepName(cs), w.profile, cs.Serial, max(time.Until(usableUntil(cs)), 0).Round(time.Second)),
					"hint: to renew it now, run in another terminal: "+w.renewCommand())
			}
		}
	}()
	return func() { close(done) }
}

// usableUntil is when awsrun stops using the code step: the cache serves
// credentials only while they have the refresh margin left.
func usableUntil(cs creds.CodeStep) time.Time { return cs.Expires.Add(-creds.RefreshMargin) }

func codeStepName(cs creds.CodeStep) string {
	if cs.Kind == cache.KindSession {
		return "MFA session"
	}
	return "role session"
}

// tell writes a notice, one "awsrun: " line per argument, on the
// terminal, where the user looks, else on stderr; never on stdout, which
// is the command's.
func (a *app) tell(lines ...string) {
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		fmt.Fprint(tty, "\r\n")
		for _, l := range lines {
			fmt.Fprintf(tty, "awsrun: %s\r\n", l)
		}
		return
	}
	for _, l := range lines {
		fmt.Fprintf(a.stderr, "awsrun: %s\n", l)
	}
}

// shortDuration writes d as awsrun's duration flags take it: 6h, 90m, 45s.
func shortDuration(d time.Duration) string {
	s := d.Round(time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// defaultProfileShadows reports whether the default profile, which the
// command's SDKs read since AWS_PROFILE is not passed on, names credentials
// of its own: every SDK looks at them before the container endpoint.
func (a *app) defaultProfileShadows(ctx context.Context) bool {
	files := func(env, fallback string) []string { return []string{cmp.Or(a.env[env], fallback)} }
	sc, err := config.LoadSharedConfigProfile(ctx, "default", func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = files("AWS_CONFIG_FILE", config.DefaultSharedConfigFilename())
		o.CredentialsFiles = files("AWS_SHARED_CREDENTIALS_FILE", config.DefaultSharedCredentialsFilename())
	})
	if err != nil {
		return false // no default profile, or one the SDK cannot read either
	}
	return sc.Credentials.HasKeys() || sc.RoleARN != "" || sc.CredentialProcess != "" || sc.CredentialSource != "" ||
		sc.WebIdentityTokenFile != "" || sc.SSOStartURL != "" || sc.SSOSessionName != "" || sc.LoginSession != ""
}
