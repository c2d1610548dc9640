package cli

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/runner"
)

// Invocation is one run of awsrun, prepared: the command line parsed and
// checked, every value the two programs need computed once. The launcher
// and awsrun-core both start from Prepare, so they refuse the same things
// in the same words.
type Invocation struct {
	Opts *Options
	Mode Mode

	// Environ is the environment the credentials are resolved in and the
	// child inherits: the caller's, minus the region an outer awsrun
	// injected (see RegionMarker) and minus AWSRUN_MFA_CODE. Env indexes it.
	Environ []string
	Env     map[string]string
	// Unset names the variables of the process environment Environ leaves
	// out, for awsrun-core to unset before anything (the SDK's providers,
	// mfa_process, credential_process) reads its environment.
	Unset []string

	Profile         string        // the profile asked for
	MFACode         string        // --mfa-code, else $AWSRUN_MFA_CODE
	MFACodeFrom     string        // where MFACode came from: "--mfa-code" or MFACodeVar
	Duration        time.Duration // --duration, 0 when not given
	SessionDuration time.Duration // --session-duration, 0 when not given
	// MinTTL is --min-ttl, 0 when not given; with --server, how long the
	// step that costs the MFA code must last.
	MinTTL time.Duration
	// Margin is how long cached credentials must still be valid to serve
	// this invocation: the refresh margin, or --min-ttl when longer, or
	// CredentialProcessTTL for --export credential-process.
	Margin time.Duration
	// STSTimeout is $AWSRUN_STS_TIMEOUT, 0 when unset (the default applies).
	STSTimeout time.Duration
	Path       string // the command, found in the child's PATH (runs and --server)
	// Shell says no command was given: the run starts the user's shell
	// (Path), interactive, with the credentials.
	Shell bool
	// IndexID names the invocation's warm index entry (runs, exports and
	// --whoami, whose credentials are a command's); "" when it has none.
	IndexID string
	// Resolving is the value of ResolvingVar for the processes started while
	// resolving the profile (runs and exports).
	Resolving string
}

// MFACodeVar is the variable that carries an MFA code outside argv, where
// any local user can read it. awsrun never passes it on to the command.
const MFACodeVar = "AWSRUN_MFA_CODE"

// MFACodeFromVar is set to "--mfa-code" beside MFACodeVar when the
// launcher hands a --mfa-code over to awsrun-core, so that messages about
// the code name the flag the user gave, not the variable.
const MFACodeFromVar = "AWSRUN_MFA_CODE_FROM"

// STSTimeoutVar bounds each STS call, the SDK's retries included.
const STSTimeoutVar = "AWSRUN_STS_TIMEOUT"

// Prepare parses args and checks them against environ, in the order that
// costs the user least: nothing that can fail later needs a code first.
func Prepare(args, environ []string) (*Invocation, error) {
	o, err := Parse(args)
	if err != nil {
		return nil, err
	}
	inv := &Invocation{Opts: o, Mode: o.mode()}
	if inv.Mode == ModeHelp || inv.Mode == ModeVersion {
		return inv, nil // whatever else is on the line
	}
	if err := o.checkMode(inv.Mode); err != nil {
		return nil, err
	}
	if inv.Mode == ModeCompletion {
		return inv, nil // Complete reads the AWS files' names from environ
	}
	inv.Environ, inv.Unset = scrubEnviron(environ)
	inv.Env = EnvMap(inv.Environ)
	inv.Profile = o.profileName(inv.Env)
	if o.given("profile") && strings.TrimSpace(o.Profile) == "" {
		return nil, UsageError{errors.New("--profile: the profile name is empty (leave the flag out for $AWS_PROFILE, else default)")}
	}
	if o.given("region") && !regionName(o.Region) {
		// Not repeated: -r123456 is a typo for -t, and the value would go
		// into the request's signature and the endpoint's host name.
		return nil, UsageError{errors.New("--region: not a region name, which is lowercase letters, digits and dashes, starting with a letter (eu-west-1, us-gov-west-1)")}
	}
	if inv.Mode == ModeList {
		return inv, nil
	}
	if inv.Mode != ModeClear {
		// --keys, the console, --whoami and --doctor run no command
		// (checkMode refused one) and replace no credentials in one: nothing
		// of Check's applies; inside another awsrun the doctor still reports.
		if inv.Mode == ModeRun || inv.Mode == ModeExport || inv.Mode == ModeServer {
			if err := o.Check(inv.Env); err != nil {
				return nil, err
			}
		}
		if inv.Resolving, err = resolving(environValue(environ, ResolvingVar), inv.Profile); err != nil {
			return nil, err
		}
		// Before any prompt: a bad value would otherwise cost an MFA code.
		if inv.STSTimeout, err = stsTimeout(inv.Env[STSTimeoutVar]); err != nil {
			return nil, &SettingError{Profile: inv.Profile, Err: err,
				Fix: "set " + STSTimeoutVar + " to a duration such as 30s or 2m, or unset it for the default of 30s"}
		}
		if inv.MinTTL, err = duration("--min-ttl", o.MinTTL); err != nil {
			return nil, err
		}
		inv.Margin = max(warm.RefreshMargin, inv.MinTTL)
		if o.Export == ExportCredentialProcess {
			inv.Margin = max(inv.Margin, CredentialProcessTTL)
		}
		inv.MFACode, inv.MFACodeFrom = o.MFACode, "--mfa-code"
		if inv.MFACode == "" {
			inv.MFACode, inv.MFACodeFrom = environValue(environ, MFACodeVar), MFACodeVar
			if environValue(environ, MFACodeFromVar) == "--mfa-code" {
				inv.MFACodeFrom = "--mfa-code"
			}
		}
	}
	if inv.Duration, err = duration("--duration", o.Duration); err != nil {
		return nil, err
	}
	if inv.SessionDuration, err = duration("--session-duration", o.SessionDuration); err != nil {
		return nil, err
	}
	if inv.Mode == ModeRun || inv.Mode == ModeServer {
		// Find the command before asking for a code: a typo costs nothing.
		name := ""
		if len(o.Command) > 0 {
			name = o.Command[0]
		} else {
			inv.Shell, name = true, shellPath(inv.Env)
		}
		if inv.Path, err = runner.LookPath(name, inv.Environ); err != nil {
			return nil, err
		}
	}
	if inv.Mode == ModeRun || inv.Mode == ModeExport || inv.Mode == ModeWhoAmI {
		// The index names the files as they are before they are read: an
		// edit during the prompt must not index the old files' credentials
		// under the new files' name.
		inv.IndexID = inv.CurrentIndexID()
	}
	return inv, nil
}

// CurrentIndexID computes the warm index id again, from the AWS files as
// they are now: awsrun-core indexes credentials only when it still equals
// IndexID.
func (inv *Invocation) CurrentIndexID() string {
	return warm.IndexID(warm.Invocation{
		Profile:         inv.Profile,
		Region:          inv.Opts.Region,
		Duration:        inv.Opts.Duration,
		SessionDuration: inv.Opts.SessionDuration,
		Getenv:          inv.Getenv,
	})
}

// Getenv reads the prepared environment.
func (inv *Invocation) Getenv(k string) string { return inv.Env[k] }

// mode is what the command line asks for. --help and --version win over
// everything; conflicts between the others are checkMode's.
func (o *Options) mode() Mode {
	switch {
	case o.Help:
		return ModeHelp
	case o.Version:
		return ModeVersion
	case o.Completion != "" || o.CompleteProfs:
		return ModeCompletion
	case o.Keys != "":
		return ModeKeys
	case o.List:
		return ModeList
	case o.Clear:
		return ModeClear
	case o.consoleMode():
		return ModeConsole
	case o.WhoAmI:
		return ModeWhoAmI
	case o.Doctor:
		return ModeDoctor
	case o.Server:
		return ModeServer
	case o.Export != "":
		return ModeExport
	}
	return ModeRun
}

// checkMode refuses a flag or a command the mode would silently ignore:
// a CI step must not pass having done nothing.
func (o *Options) checkMode(m Mode) error {
	name := modeName(m)
	if o.List && o.Clear {
		return UsageError{errors.New("--list and --clear are separate runs")}
	}
	if m == ModeConsole {
		if err := o.checkConsole(); err != nil {
			return err
		}
	}
	if (m == ModeList || m == ModeClear || m == ModeKeys || m == ModeWhoAmI || m == ModeDoctor) && len(o.Command) > 0 {
		return UsageError{fmt.Errorf("%s runs no command, but %q was given", name, o.Command[0])}
	}
	for _, f := range o.set {
		if f.modes&m != 0 {
			continue
		}
		if f.name == "json" {
			return UsageError{errors.New("--json goes with --list, --whoami, --doctor or --keys list (for credentials as JSON: --export json)")}
		}
		if f.name == "export" && m == ModeWhoAmI {
			return UsageError{errors.New("--whoami prints no credentials: drop --export")}
		}
		if f.name == "eks-cluster" {
			return UsageError{errors.New("--eks-cluster goes with --export eks-token")}
		}
		if f.name == "export" && m == ModeServer {
			return UsageError{errors.New("--server runs a command and serves it credentials; --export prints them instead")}
		}
		return UsageError{fmt.Errorf("--%s does not go with %s", f.name, name)}
	}
	return nil
}

// modeName is how the usage errors of checkMode name mode m.
func modeName(m Mode) string {
	switch m {
	case ModeList:
		return "--list"
	case ModeClear:
		return "--clear"
	case ModeExport:
		return "--export"
	case ModeRun:
		return "running a command"
	case ModeKeys:
		return "--keys"
	case ModeConsole:
		return "--console"
	case ModeWhoAmI:
		return "--whoami"
	case ModeDoctor:
		return "--doctor"
	case ModeServer:
		return "--server"
	case ModeCompletion:
		return "--completion"
	}
	return ""
}

// Check refuses what makes no sense whatever the profile: a command with
// --export, an unknown format, --eks-cluster without --export eks-token (or
// the reverse), and nesting (a shell started without a command is nested
// like any command).
func (o *Options) Check(env map[string]string) error {
	if err := o.checkEKS(env); err != nil {
		return err
	}
	switch {
	case o.Export != "" && len(o.Command) > 0:
		return UsageError{fmt.Errorf("--export prints credentials and runs no command, but %q was given", o.Command[0])}
	case o.Export != "" && !ValidExport(o.Export):
		return UsageError{fmt.Errorf("unknown --export format %q (want %s)", o.Export, exportFormatList())}
	}
	// --export replaces nothing: a credential_process run by a tool inside
	// an awsrun command must work.
	if p := env["AWSRUN_PROFILE"]; p != "" && !o.Nested && o.Export == "" {
		return &NestedError{Outer: p}
	}
	return nil
}

// profileName is the profile asked for: --profile, else $AWS_PROFILE,
// else default.
func (o *Options) profileName(env map[string]string) string {
	if o.Profile != "" {
		return o.Profile
	}
	if p := env["AWS_PROFILE"]; p != "" {
		return p
	}
	return "default"
}

// duration parses a duration flag; "" is 0.
func duration(flag, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := warm.ParseDuration(v)
	if err != nil {
		return 0, UsageError{fmt.Errorf("%s: %w", flag, err)}
	}
	return d, nil
}

// stsTimeout parses $AWSRUN_STS_TIMEOUT; "" is 0, the default.
func stsTimeout(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	d, err := warm.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a duration (want e.g. 30s, 2m or seconds)", STSTimeoutVar, v)
	}
	return d, nil
}

// SettingError is an environment setting awsrun cannot use.
type SettingError struct {
	Profile string
	Err     error
	Fix     string
}

func (e *SettingError) Error() string { return "profile " + e.Profile + ": " + e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// Hint is the fix.
func (e *SettingError) Hint() string { return e.Fix }

// RegionMarker is set in the child, beside AWS_REGION and
// AWS_DEFAULT_REGION, to the region awsrun injected. A nested awsrun, or
// one run after eval "$(awsrun --export env)", treats a region variable
// equal to it as awsrun's own, not as the user's choice, so that the
// profile's region is not overridden by an outer profile's.
const RegionMarker = "AWSRUN_REGION"

// scrubEnviron drops from environ what awsrun itself put there and must
// not be read back as the user's: AWS_REGION and AWS_DEFAULT_REGION equal
// to the region marker, the marker, the MFA code variable and the markers
// of recursion (ResolvingVar) and the cold turn (TurnVar). It returns
// the names it dropped.
func scrubEnviron(environ []string) (kept, dropped []string) {
	marker, hasMarker := lookupEnviron(environ, RegionMarker)
	kept = make([]string, 0, len(environ))
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case sameName(name, MFACodeVar), sameName(name, MFACodeFromVar), sameName(name, ResolvingVar), sameName(name, TurnVar),
			hasMarker && sameName(name, RegionMarker),
			hasMarker && (sameName(name, "AWS_REGION") || sameName(name, "AWS_DEFAULT_REGION")) && value == marker:
			dropped = append(dropped, name)
			continue
		}
		kept = append(kept, kv)
	}
	return kept, dropped
}

// sameName compares variable names as the platform does.
func sameName(a, b string) bool {
	if runtime.GOOS == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// lookupEnviron is the first value of name in environ.
func lookupEnviron(environ []string, name string) (string, bool) {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && sameName(k, name) {
			return v, true
		}
	}
	return "", false
}

func environValue(environ []string, name string) string {
	v, _ := lookupEnviron(environ, name)
	return v
}

// regionName reports whether s has the shape of an AWS region name:
// lowercase letters, digits and dashes, starting with a letter.
func regionName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
