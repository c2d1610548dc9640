// Command awsrun-core is the part of awsrun that links the AWS SDK. The
// awsrun launcher execs it, with the same arguments, whenever a launch is
// not a warm cache hit: it resolves the profile with the SDK, asks for an
// MFA code, calls STS, fills the cache and the warm index, and then execs
// the command itself. It also serves --list, --clear, --refresh, --no-cache
// and -v. Run directly, it behaves exactly as awsrun.
//
// main is wiring only: the order of the steps and the mapping from errors
// to messages and exit statuses. The work is in creds, cache and runner.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/cache/oskeyring"
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/runner"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, runner.Environ()))
}

// run is awsrun without the process: it returns the exit status, and
// returns at all only when it did not exec a command.
func run(args []string, stdout, stderr io.Writer, environ []string) int {
	// Before anything else: a launcher of another build may mean other
	// flags and another cache format.
	environ, launched, err := cli.AcceptHandOver(environ)
	if err != nil {
		return fail(stderr, err)
	}
	o, err := cli.Parse(args)
	if err != nil {
		return fail(stderr, err)
	}
	switch {
	case o.Help:
		o.PrintHelp(stdout)
		return 0
	case o.Version:
		name := "awsrun-core"
		if launched {
			name = "awsrun"
		}
		cli.PrintVersion(stdout, name)
		return 0
	}
	if code, done := cli.Complete(o, stdout, stderr, environ); done {
		return code
	}
	a := &app{opts: o, env: cli.EnvMap(environ), stdout: stdout, stderr: stderr, environ: environ}
	if err := a.main(context.Background()); err != nil {
		return fail(stderr, err)
	}
	return 0
}

type app struct {
	opts    *cli.Options
	env     map[string]string
	environ []string
	stdout  io.Writer
	stderr  io.Writer
	minTTL  time.Duration
}

func (a *app) main(ctx context.Context) error {
	o := a.opts
	if o.JSON && !o.List {
		return cli.UsageError{Err: errors.New("--json goes with --list (for credentials as JSON: --export json)")}
	}
	switch {
	case o.List:
		return a.list(ctx)
	case o.Clear:
		return a.clear(ctx)
	}
	if err := o.Check(a.env); err != nil {
		return err
	}
	// Before any prompt: a bad value would otherwise cost an MFA code.
	if _, err := creds.STSTimeout(a.getenv); err != nil {
		return &creds.ConfigError{Profile: o.ProfileName(a.env), Err: err, Hint: "set AWSRUN_STS_TIMEOUT to a duration such as 30s or 2m, or unset it for the default of 30s"}
	}
	var err error
	if a.minTTL, err = o.MinTTLDuration(); err != nil {
		return err
	}

	// Find the command before asking for a code: a typo costs nothing.
	var path string
	if o.Export == "" {
		if path, err = runner.LookPath(o.Command[0], a.environ); err != nil {
			return err
		}
	}

	// The index names the files as they are before they are read: an edit
	// during the prompt must not index the old files' credentials under
	// the new files' name.
	index := warm.IndexID(o.Invocation(a.env))
	chain, err := a.loadChain(ctx)
	if err != nil {
		return err
	}
	r := a.resolver()
	c, err := r.Retrieve(ctx, chain)
	if err != nil {
		return err
	}
	a.remember(r, chain, c, index)
	if store, ok := r.Cache.(*cache.Store); ok {
		// Nothing cached lives longer than the index: older files are dead
		// weight that --list would decrypt. Once a day, one stat otherwise.
		_, _ = store.PruneDaily(warm.IndexLifetime + 12*time.Hour)
	}
	if o.Export != "" {
		return cli.Export(a.stdout, o.Export, c, chain.Region)
	}
	a.logf("exec %s", path)
	return runner.Exec(path, o.Command, runner.Env(a.environ, cli.ChildVars(c, chain.Region, chain.Profile)))
}

// remember writes the warm index entry id, so the launcher serves the next
// identical invocation without this program. An invocation whose AWS files
// changed since id was computed is not indexed.
func (a *app) remember(r *creds.Resolver, chain *creds.Chain, c creds.Credentials, id string) {
	store, ok := r.Cache.(*cache.Store)
	target := r.TargetID(chain)
	if !ok || target == "" || c.Expiration.IsZero() || id == "" {
		return
	}
	if warm.IndexID(a.opts.Invocation(a.env)) != id {
		a.logf("not indexing the credentials for warm launches: the AWS config changed during the run")
		return
	}
	if !chain.Indexable() {
		a.logf("not indexing the credentials for warm launches: they follow %s's token or environment keys", chain.Source.Profile)
		return
	}
	t := warm.Target{Step: target, Region: chain.Region, Profile: chain.Profile}
	if hit, ok := warm.Lookup(store, id, 0); ok && hit.Target == t {
		return // already indexed: processes that waited for a lock need not each write it
	}
	if err := warm.Remember(store, id, t); err != nil {
		a.logf("not indexing the credentials for warm launches: %v", err)
	}
}

func (a *app) loadChain(ctx context.Context) (*creds.Chain, error) {
	lo := creds.LoadOptions{Region: a.opts.Region, Getenv: a.getenv}
	var err error
	if a.opts.Duration != "" {
		if lo.Duration, err = warm.ParseDuration(a.opts.Duration); err != nil {
			return nil, cli.UsageError{Err: fmt.Errorf("--duration: %w", err)}
		}
	}
	if a.opts.SessionDuration != "" {
		if lo.SessionDuration, err = warm.ParseDuration(a.opts.SessionDuration); err != nil {
			return nil, cli.UsageError{Err: fmt.Errorf("--session-duration: %w", err)}
		}
	}
	return creds.LoadChain(ctx, a.opts.ProfileName(a.env), lo)
}

func (a *app) resolver() *creds.Resolver {
	r := &creds.Resolver{
		Refresh: a.opts.Refresh,
		MFACode: a.opts.MFACode,
		MinTTL:  a.minTTL,
		Note:    func(f string, args ...any) { fmt.Fprintf(a.stderr, "awsrun: "+f+"\n", args...) },
	}
	if a.opts.Verbose {
		r.Log = a.logf
	}
	if !a.opts.NoCache {
		if s := a.openCache(); s != nil {
			r.Cache = s
		}
	}
	return r
}

// openCache returns the store, or nil — with the reason on stderr — when
// the cache cannot be used safely: awsrun then runs without it.
func (a *app) openCache() *cache.Store {
	s, err := cache.Open(a.cacheOptions())
	if err != nil {
		fmt.Fprintf(a.stderr, "awsrun: not using the cache: %v\n", err)
		return nil
	}
	if a.opts.Verbose {
		store, err := s.KeyStore()
		if err != nil {
			store = "unavailable (" + err.Error() + ")"
		}
		a.logf("cache %s, key in %s", s.Dir(), store)
	}
	return s
}

// cacheOptions opens the cache with the OS keyring client, which the
// launcher leaves out on Linux: a key found there is mirrored into the
// kernel keyring for it.
func (a *app) cacheOptions() cache.Options {
	return cache.Options{KeyStore: a.env["AWSRUN_KEY_STORE"], Keyring: oskeyring.Keyring{}}
}

func (a *app) getenv(k string) string { return a.env[k] }

func (a *app) logf(format string, args ...any) {
	if a.opts.Verbose {
		fmt.Fprintf(a.stderr, "awsrun: "+format+"\n", args...)
	}
}
