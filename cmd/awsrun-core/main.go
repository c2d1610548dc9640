// Command awsrun-core is the part of awsrun that links the AWS SDK. The
// awsrun launcher execs it, with the same arguments, whenever a launch is
// not a warm cache hit: it resolves the profile with the SDK, asks for an
// MFA code, calls STS, fills the cache and the warm index, and then execs
// the command itself. It also serves --list, --clear, --refresh, --no-cache,
// -v, the console sign-in and --whoami. Run directly, it behaves exactly as
// awsrun.
//
// main is wiring only: the order of the steps and the mapping from errors
// to messages and exit statuses. The work is in creds, cache and runner.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/cache/oskeyring"
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/keys"
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
	environ, err := cli.AcceptHandOver(environ)
	if err != nil {
		return cli.Fail(stderr, err)
	}
	turnFD := cli.TakeTurnFD(environ) // turn.go
	inv, err := cli.Prepare(args, environ)
	if err != nil {
		return cli.Fail(stderr, err)
	}
	if code, ok := inv.Answer("awsrun-core", stdout, stderr, environ); ok {
		return code
	}
	// What the preparation left out of the environment (an MFA code, a
	// region an outer awsrun injected) must not reach the SDK's providers,
	// mfa_process or credential_process, which read the process's own.
	for _, k := range inv.Unset {
		os.Unsetenv(k)
	}
	if inv.Resolving != "" {
		os.Setenv(cli.ResolvingVar, inv.Resolving) // for what resolving starts; never the command
	}
	tuneGC(inv.Mode) // gc.go
	a := &app{inv: inv, opts: inv.Opts, env: inv.Env, stdout: stdout, stderr: stderr, turnFD: turnFD}
	if err := a.main(context.Background()); err != nil {
		return cli.Fail(stderr, err)
	}
	return 0
}

type app struct {
	inv     *cli.Invocation
	opts    *cli.Options
	env     map[string]string
	stdout  io.Writer
	stderr  io.Writer
	keyring *keys.Store // the key store, opened on first need (the launcher never links it)
	turnFD  int         // the cold-turn lock the launcher handed over, -1 for none (turn.go)
	turn    *os.File
}

func (a *app) main(ctx context.Context) error {
	// Like AWSRUN_STS_TIMEOUT: a typo must not quietly mean no cache.
	if err := cache.CheckKeyStore(a.env["AWSRUN_KEY_STORE"]); err != nil {
		return err
	}
	switch a.inv.Mode {
	case cli.ModeList:
		return a.list(ctx)
	case cli.ModeClear:
		return a.clear(ctx)
	case cli.ModeKeys:
		return a.keys(ctx)
	case cli.ModeConsole:
		return a.console(ctx)
	case cli.ModeWhoAmI:
		return a.whoami(ctx)
	case cli.ModeDoctor:
		return a.doctor(ctx)
	case cli.ModeServer:
		return a.serve(ctx) // server.go
	}
	chain, err := a.loadChain(ctx)
	if err != nil {
		return err
	}
	r := a.resolver(chain)
	c, err := r.Retrieve(ctx, chain)
	if err != nil {
		return err
	}
	a.remember(r, chain, c)
	a.endTurn()
	if store, ok := r.Cache.(*cache.Store); ok {
		// Nothing cached lives longer than the index: older files are dead
		// weight that --list would decrypt. Once a day, one stat otherwise.
		_, _ = store.PruneDaily(warm.IndexLifetime + 12*time.Hour)
	}
	if a.inv.Mode == cli.ModeExport && a.opts.Export == cli.ExportEKSToken {
		return a.eksToken(ctx, r, chain, c)
	}
	if a.inv.Mode == cli.ModeRun {
		a.logf("exec %s", a.inv.Path)
	}
	return a.inv.Deliver(a.stdout, c, chain.Region, chain.Profile)
}

// remember writes the warm index entry id, so the launcher serves the next
// identical invocation without this program. An invocation whose AWS files
// changed since id was computed is not indexed.
func (a *app) remember(r *creds.Resolver, chain *creds.Chain, c creds.Credentials) {
	id := a.inv.IndexID
	store, ok := r.Cache.(*cache.Store)
	plan, err := creds.NewPlan(chain, 0)
	if err != nil {
		return
	}
	if len(plan.Unhonoured()) > 0 {
		a.logf("not indexing the credentials for warm launches: each run must say that --duration cannot be honoured")
		return
	}
	target := plan.TargetID()
	if !ok || target == "" || c.Expiration.IsZero() || id == "" {
		return
	}
	if a.inv.CurrentIndexID() != id {
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
	lo := creds.LoadOptions{Region: a.opts.Region, Getenv: a.getenv, Duration: a.inv.Duration, SessionDuration: a.inv.SessionDuration,
		Keys: a.storedKeys, KeyStore: a.keyStoreName}
	return creds.LoadChain(ctx, a.inv.Profile, lo)
}

func (a *app) resolver(chain *creds.Chain) *creds.Resolver {
	r := &creds.Resolver{
		Refresh:     a.opts.Refresh,
		MFACode:     a.inv.MFACode,
		MFACodeFrom: a.inv.MFACodeFrom,
		MinTTL:      a.exportMinTTL(chain),
		STSTimeout:  a.inv.STSTimeout,
		Note:        func(f string, args ...any) { fmt.Fprintf(a.stderr, "awsrun: "+f+"\n", args...) },
		Terminal:    creds.TerminalOf(a.stderr),
	}
	if a.opts.Verbose {
		r.Log = a.logf
	}
	if !a.opts.NoCache {
		if s := a.openCache(); s != nil {
			a.adoptTurn(s)
			r.Cache = s
		}
	} else {
		r.Codes = &codeRecords{open: a.openCodeRecords}
	}
	return r
}

// openCodeRecords opens the cache for a --no-cache run's used codes
// (codeRecords); nil, said only with -v, when it cannot be used.
func (a *app) openCodeRecords() *cache.Store {
	s, _, err := a.openStore()
	if err != nil {
		a.logf("not recording the MFA code sent: %v", err)
		return nil
	}
	return s
}

// openCache returns the store, or nil — with the reason on stderr — when
// the cache cannot be used safely: awsrun then runs without it.
func (a *app) openCache() *cache.Store {
	s, store, err := a.openStore()
	if err != nil {
		fmt.Fprintf(a.stderr, "awsrun: not using the cache: %v\n", err)
		if h := cli.Hint(err); h != "" {
			fmt.Fprintf(a.stderr, "awsrun: hint: %s\n", h)
		}
		return nil
	}
	a.logf("cache %s, key in %s", s.Dir(), store)
	return s
}

// openStore opens the cache and finds its key, naming where: the key names
// the files, so every run needs it, and a problem with it (a slow keyring,
// a loose key file) is said now, once, with its fix, rather than as a code
// asked for on every run.
func (a *app) openStore() (s *cache.Store, keyStore string, err error) {
	if s, err = cache.Open(a.cacheOptions()); err != nil {
		return nil, "", err
	}
	if keyStore, err = s.KeyStore(); err != nil {
		s.Close()
		return nil, "", err
	}
	return s, keyStore, nil
}

// cacheOptions opens the cache with the OS keyring client, which the
// launcher leaves out on Linux: a key found there is mirrored into the
// kernel keyring for it.
func (a *app) cacheOptions() cache.Options {
	return cache.Options{
		KeyStore: a.env["AWSRUN_KEY_STORE"],
		Keyring:  oskeyring.Keyring{},
		Warn:     func(m string) { fmt.Fprintf(a.stderr, "awsrun: %s\n", m) },
	}
}

func (a *app) getenv(k string) string { return a.env[k] }

func (a *app) logf(format string, args ...any) {
	if a.opts.Verbose {
		fmt.Fprintf(a.stderr, "awsrun: "+format+"\n", args...)
	}
}
