// Command awsrun runs a command with MFA-backed AWS role credentials taken
// from an encrypted cache or from STS. See awsrun --help and README.md.
//
// main is wiring only: flags, the order of the steps, and the mapping from
// errors to messages and exit statuses. The work is in creds, cache and
// runner.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/runner"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Environ()))
}

// Exit statuses of awsrun itself (SPEC §5); the child's own are passed on.
const (
	exitFailure = 125
)

type options struct {
	profile         string
	mfaCode         string
	duration        string
	sessionDuration string
	region          string
	export          string
	noCache         bool
	refresh         bool
	verbose         bool
	list            bool
	clear           bool
	nested          bool
	version         bool
	help            bool
}

func newFlagSet(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet("awsrun", pflag.ContinueOnError)
	fs.SetInterspersed(false) // everything from COMMAND on belongs to the child
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.StringVarP(&o.profile, "profile", "p", "", "profile `NAME` (default $AWS_PROFILE, else default)")
	fs.StringVarP(&o.mfaCode, "mfa-code", "t", "", "the MFA one-time `CODE` (default: mfa_process, else a prompt on the terminal)")
	fs.StringVarP(&o.duration, "duration", "d", "", "role credentials lifetime `DUR`: 45m, 2h or seconds (default duration_seconds, else 1h)")
	fs.StringVar(&o.sessionDuration, "session-duration", "", "MFA session lifetime `DUR` (default 12h)")
	fs.StringVarP(&o.region, "region", "r", "", "`REGION` for STS and the command's AWS_REGION/AWS_DEFAULT_REGION")
	fs.StringVar(&o.export, "export", "", "print credentials as `FORMAT` instead of running a command: env, json or credential-process")
	fs.BoolVar(&o.noCache, "no-cache", false, "neither read nor write the credential cache")
	fs.BoolVar(&o.refresh, "refresh", false, "ignore this profile's cached credentials, fetch and cache new ones")
	fs.BoolVar(&o.list, "list", false, "list profiles and cached credentials")
	fs.BoolVar(&o.clear, "clear", false, "forget cached credentials: all, or with --profile that profile's")
	fs.BoolVar(&o.nested, "nested", false, "allow running inside another awsrun's command (its credentials are replaced)")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "say on stderr what happens: cache hits, STS calls, key store")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVarP(&o.help, "help", "h", false, "print this help and exit")
	return fs
}

// run is awsrun without the process: it returns the exit status, and
// returns at all only when it did not exec a command.
func run(args []string, stdout, stderr io.Writer, environ []string) int {
	var o options
	fs := newFlagSet(&o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintf(stdout, usage, fs.FlagUsages())
			return 0
		}
		return fail(stderr, usageError{err})
	}
	switch {
	case o.help:
		fmt.Fprintf(stdout, usage, fs.FlagUsages())
		return 0
	case o.version:
		fmt.Fprintln(stdout, "awsrun", version())
		return 0
	}
	env := envMap(environ)
	a := &app{opts: o, env: env, stdout: stdout, stderr: stderr, environ: environ, command: fs.Args()}
	if err := a.main(context.Background()); err != nil {
		return fail(stderr, err)
	}
	return 0
}

type app struct {
	opts    options
	env     map[string]string
	environ []string
	command []string
	stdout  io.Writer
	stderr  io.Writer
}

func (a *app) main(ctx context.Context) error {
	o := a.opts
	switch {
	case o.list:
		return a.list(ctx)
	case o.clear:
		return a.clear(ctx)
	case o.export == "" && len(a.command) == 0:
		return usageError{errors.New("no command given")}
	case o.export != "" && len(a.command) > 0:
		return usageError{fmt.Errorf("--export prints credentials and runs no command, but %q was given", a.command[0])}
	}
	if o.export != "" && !validExport(o.export) {
		return usageError{fmt.Errorf("unknown --export format %q (want env, json or credential-process)", o.export)}
	}
	if p := a.env["AWSRUN_PROFILE"]; p != "" && !o.nested {
		return &nestedError{outer: p}
	}

	// Find the command before asking for a code: a typo costs nothing.
	var path string
	if o.export == "" {
		var err error
		if path, err = runner.LookPath(a.command[0], a.environ); err != nil {
			return err
		}
	}

	chain, err := a.loadChain(ctx)
	if err != nil {
		return err
	}
	r := a.resolver()
	c, err := r.Retrieve(ctx, chain)
	if err != nil {
		return err
	}
	if o.export != "" {
		return export(a.stdout, o.export, c, chain.Region)
	}
	vars := []runner.Var{
		{Name: "AWS_ACCESS_KEY_ID", Value: c.AccessKeyID},
		{Name: "AWS_SECRET_ACCESS_KEY", Value: c.SecretAccessKey},
		{Name: "AWS_SESSION_TOKEN", Value: c.SessionToken},
	}
	if !c.Expiration.IsZero() {
		vars = append(vars, runner.Var{Name: "AWS_CREDENTIAL_EXPIRATION", Value: c.Expiration.UTC().Format(time.RFC3339)})
	}
	if chain.Region != "" {
		vars = append(vars, runner.Var{Name: "AWS_REGION", Value: chain.Region}, runner.Var{Name: "AWS_DEFAULT_REGION", Value: chain.Region})
	}
	vars = append(vars, runner.Var{Name: "AWSRUN_PROFILE", Value: chain.Profile})
	a.logf("exec %s", path)
	return runner.Exec(path, a.command, runner.Env(a.environ, vars))
}

func (a *app) profile() string {
	if a.opts.profile != "" {
		return a.opts.profile
	}
	if p := a.env["AWS_PROFILE"]; p != "" {
		return p
	}
	return "default"
}

func (a *app) loadChain(ctx context.Context) (*creds.Chain, error) {
	lo := creds.LoadOptions{Region: a.opts.region, Getenv: a.getenv}
	var err error
	if a.opts.duration != "" {
		if lo.Duration, err = creds.ParseDuration(a.opts.duration); err != nil {
			return nil, usageError{fmt.Errorf("--duration: %w", err)}
		}
	}
	if a.opts.sessionDuration != "" {
		if lo.SessionDuration, err = creds.ParseDuration(a.opts.sessionDuration); err != nil {
			return nil, usageError{fmt.Errorf("--session-duration: %w", err)}
		}
	}
	return creds.LoadChain(ctx, a.profile(), lo)
}

func (a *app) resolver() *creds.Resolver {
	r := &creds.Resolver{
		Refresh: a.opts.refresh,
		MFACode: a.opts.mfaCode,
		Note:    func(f string, args ...any) { fmt.Fprintf(a.stderr, "awsrun: "+f+"\n", args...) },
	}
	if a.opts.verbose {
		r.Log = a.logf
	}
	if !a.opts.noCache {
		if s := a.openCache(); s != nil {
			r.Cache = s
		}
	}
	return r
}

// openCache returns the store, or nil — with the reason on stderr — when
// the cache cannot be used safely: awsrun then runs without it.
func (a *app) openCache() *cache.Store {
	s, err := cache.Open(cache.Options{KeyStore: a.env["AWSRUN_KEY_STORE"]})
	if err != nil {
		fmt.Fprintf(a.stderr, "awsrun: not using the cache: %v\n", err)
		return nil
	}
	if a.opts.verbose {
		store, err := s.KeyStore()
		if err != nil {
			store = "unavailable (" + err.Error() + ")"
		}
		a.logf("cache %s, key in %s", s.Dir(), store)
	}
	return s
}

func (a *app) getenv(k string) string { return a.env[k] }

func (a *app) logf(format string, args ...any) {
	if a.opts.verbose {
		fmt.Fprintf(a.stderr, "awsrun: "+format+"\n", args...)
	}
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		// The first occurrence wins, as in os.Getenv.
		if k, v, ok := strings.Cut(kv, "="); ok {
			if _, dup := m[k]; !dup {
				m[k] = v
			}
		}
	}
	return m
}
