package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/runner"
)

// Options are awsrun's flags (SPEC §2).
type Options struct {
	Profile         string
	MFACode         string
	Duration        string
	SessionDuration string
	Region          string
	Export          string
	MinTTL          string
	NoCache         bool
	Refresh         bool
	Verbose         bool
	List            bool
	JSON            bool
	Clear           bool
	Nested          bool
	Version         bool
	Help            bool
	Completion      string // --completion SHELL: print a completion script
	CompleteProfs   bool   // hidden --complete-profiles: the completion scripts' profile names

	Command []string // COMMAND [ARG...], untouched
	Flags   string   // the flag list for --help

	flags *pflag.FlagSet // what --completion completes
}

// Parse reads the command line. Flags stop at the first word that is not
// one (or at --): everything from there belongs to the child, so its own
// flags are never parsed.
func Parse(args []string) (*Options, error) {
	o := &Options{}
	fs := pflag.NewFlagSet("awsrun", pflag.ContinueOnError)
	fs.SetInterspersed(false)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	fs.StringVarP(&o.Profile, "profile", "p", "", "profile `NAME` (default $AWS_PROFILE, else default)")
	fs.StringVarP(&o.MFACode, "mfa-code", "t", "", "the MFA one-time `CODE` (default: mfa_process, else a prompt on the terminal)")
	fs.StringVarP(&o.Duration, "duration", "d", "", "lifetime of the role credentials: `DUR` as 45m, 2h or seconds (default duration_seconds, else 1h)")
	fs.StringVar(&o.SessionDuration, "session-duration", "", "lifetime of the MFA session, `DUR` (default 12h)")
	fs.StringVarP(&o.Region, "region", "r", "", "`REGION` for STS and for the command's AWS_REGION/AWS_DEFAULT_REGION")
	fs.StringVar(&o.Export, "export", "", "print credentials as `FORMAT` instead of running a command: env, json or credential-process")
	fs.StringVar(&o.MinTTL, "min-ttl", "", "credentials must stay valid for at least `DUR`: replace cached ones that expire sooner, fail if new ones cannot last that long")
	fs.BoolVar(&o.NoCache, "no-cache", false, "neither read nor write the credential cache")
	fs.BoolVar(&o.Refresh, "refresh", false, "fetch and cache new credentials for this profile, keeping the MFA session it shares")
	fs.BoolVar(&o.List, "list", false, "list profiles and cached credentials")
	fs.BoolVar(&o.JSON, "json", false, "with --list: print the list as JSON, for scripts and shell prompts")
	fs.BoolVar(&o.Clear, "clear", false, "forget cached credentials: all, or with --profile that profile's")
	fs.BoolVar(&o.Nested, "nested", false, "allow running inside another awsrun's command (its credentials are replaced)")
	fs.BoolVarP(&o.Verbose, "verbose", "v", false, "say on stderr what happens: cache hits, STS calls, key store")
	fs.BoolVar(&o.Version, "version", false, "print the version and exit")
	fs.BoolVarP(&o.Help, "help", "h", false, "print this help and exit")
	addCompletionFlags(fs, o)
	o.Flags = fs.FlagUsages()
	o.flags = fs
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			o.Help = true
			return o, nil
		}
		return nil, UsageError{err}
	}
	o.Command = fs.Args()
	return o, nil
}

// PrintHelp writes the usage text.
func (o *Options) PrintHelp(w io.Writer) { fmt.Fprintf(w, Usage, o.Flags) }

// Check refuses what makes no sense whatever the profile: a missing
// command, a command with --export, an unknown format, and nesting.
func (o *Options) Check(env map[string]string) error {
	switch {
	case o.Export == "" && len(o.Command) == 0:
		return UsageError{errors.New("no command given")}
	case o.Export != "" && len(o.Command) > 0:
		return UsageError{fmt.Errorf("--export prints credentials and runs no command, but %q was given", o.Command[0])}
	case o.Export != "" && !ValidExport(o.Export):
		return UsageError{fmt.Errorf("unknown --export format %q (want env, json or credential-process)", o.Export)}
	}
	// --export replaces nothing: a credential_process run by a tool inside
	// an awsrun command must work.
	if p := env["AWSRUN_PROFILE"]; p != "" && !o.Nested && o.Export == "" {
		return &NestedError{Outer: p}
	}
	return nil
}

// MinTTLDuration is --min-ttl, 0 when it was not given.
func (o *Options) MinTTLDuration() (time.Duration, error) {
	if o.MinTTL == "" {
		return 0, nil
	}
	d, err := warm.ParseDuration(o.MinTTL)
	if err != nil {
		return 0, UsageError{fmt.Errorf("--min-ttl: %w", err)}
	}
	return d, nil
}

// Margin is how long cached credentials must still be valid to serve this
// invocation: the refresh margin, or --min-ttl when that is longer. ok is
// false for a --min-ttl that does not parse.
func (o *Options) Margin() (margin time.Duration, ok bool) {
	d, err := o.MinTTLDuration()
	if err != nil {
		return 0, false
	}
	return max(warm.RefreshMargin, d), true
}

// ProfileName is the profile asked for: --profile, else $AWS_PROFILE, else
// default.
func (o *Options) ProfileName(env map[string]string) string {
	if o.Profile != "" {
		return o.Profile
	}
	if p := env["AWS_PROFILE"]; p != "" {
		return p
	}
	return "default"
}

// Invocation is what the warm index is keyed on.
func (o *Options) Invocation(env map[string]string) warm.Invocation {
	return warm.Invocation{
		Profile:         o.ProfileName(env),
		Region:          o.Region,
		Duration:        o.Duration,
		SessionDuration: o.SessionDuration,
		Getenv:          func(k string) string { return env[k] },
	}
}

// ChildVars are the variables SPEC §4 sets in the child.
func ChildVars(c warm.Credentials, region, profile string) []runner.Var {
	vars := []runner.Var{
		{Name: "AWS_ACCESS_KEY_ID", Value: c.AccessKeyID},
		{Name: "AWS_SECRET_ACCESS_KEY", Value: c.SecretAccessKey},
		{Name: "AWS_SESSION_TOKEN", Value: c.SessionToken},
	}
	if !c.Expiration.IsZero() {
		vars = append(vars, runner.Var{Name: "AWS_CREDENTIAL_EXPIRATION", Value: c.Expiration.UTC().Format(time.RFC3339)})
	}
	if region != "" {
		vars = append(vars, runner.Var{Name: "AWS_REGION", Value: region}, runner.Var{Name: "AWS_DEFAULT_REGION", Value: region})
	}
	return append(vars, runner.Var{Name: "AWSRUN_PROFILE", Value: profile})
}

// EnvMap indexes an environment; the first occurrence wins, as in
// os.Getenv.
func EnvMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if _, dup := m[k]; !dup {
				m[k] = v
			}
		}
	}
	return m
}
