package cli

import (
	"io"

	"github.com/spf13/pflag"
)

// Class says which of the two programs can honour a flag.
type Class uint8

const (
	// WarmSafe is a flag the launcher honours itself, without the SDK: an
	// invocation whose flags are all warm-safe may be served from the warm
	// index (or, for --help and --version, answered by the launcher).
	WarmSafe Class = iota + 1
	// CoreOnly is a flag only awsrun-core can honour: the launcher hands
	// every invocation that sets one over to awsrun-core.
	CoreOnly
)

// Mode is what an invocation does. Every flag names the modes it has a
// meaning in; a flag given in another mode is a usage error rather than
// silently ignored.
type Mode uint16

const (
	ModeRun        Mode = 1 << iota // run COMMAND with the credentials
	ModeExport                      // --export: print the credentials
	ModeList                        // --list: show profiles and the cache
	ModeClear                       // --clear: forget cached credentials
	ModeHelp                        // --help
	ModeVersion                     // --version
	ModeKeys                        // --keys: the long-term key store
	ModeConsole                     // --console, --console-url: sign in to the AWS console
	ModeWhoAmI                      // --whoami: say who the credentials are
	ModeDoctor                      // --doctor: what a run would cost now, and what is wrong
	ModeServer                      // --server: stay the parent and serve COMMAND credentials
	ModeCompletion                  // --completion, --complete-profiles
)

// every is every mode a flag can be given in.
const every = ModeRun | ModeExport | ModeList | ModeClear | ModeHelp | ModeVersion | ModeKeys | ModeConsole | ModeWhoAmI | ModeDoctor | ModeServer

// flagDef is what awsrun knows of a flag beyond pflag: its class, and the
// modes it means something in.
type flagDef struct {
	class Class
	modes Mode
}

// flagSet defines awsrun's flags. Flags are defined only through its
// methods, which take the class and modes beside the name, so that no flag
// exists without them (TestEveryFlagIsClassified checks the set).
type flagSet struct {
	*pflag.FlagSet
	defs map[string]flagDef
}

func (f flagSet) str(p *string, name, short string, c Class, m Mode, usage string) {
	f.StringVarP(p, name, short, "", usage)
	f.defs[name] = flagDef{c, m}
}

func (f flagSet) bool(p *bool, name, short string, c Class, m Mode, usage string) {
	f.BoolVarP(p, name, short, false, usage)
	f.defs[name] = flagDef{c, m}
}

// newFlagSet defines awsrun's flags into o. New flags go at the end.
func newFlagSet(o *Options) flagSet {
	fs := pflag.NewFlagSet("awsrun", pflag.ContinueOnError)
	fs.SetInterspersed(false) // the child's flags are never parsed
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	f := flagSet{fs, map[string]flagDef{}}
	// Flags that shape the credentials resolved: for the command, the
	// export, the server, the console sign-in or --whoami; --doctor looks at
	// them too.
	resolve := ModeRun | ModeExport | ModeServer | ModeConsole | ModeWhoAmI
	cred := resolve | ModeDoctor
	f.str(&o.Profile, "profile", "p", WarmSafe, cred|ModeClear|ModeKeys, "profile `NAME`, not empty (default $AWS_PROFILE, else default)")
	f.str(&o.MFACode, "mfa-code", "t", WarmSafe, cred|ModeKeys, "the MFA one-time `CODE` (default $AWSRUN_MFA_CODE, else mfa_process, else a prompt on the terminal); other local users can read argv: prefer AWSRUN_MFA_CODE")
	f.str(&o.Duration, "duration", "d", WarmSafe, cred|ModeClear, "lifetime of the role credentials: `DUR` as 45m, 2h or seconds (default duration_seconds, else 1h)")
	f.str(&o.SessionDuration, "session-duration", "", WarmSafe, cred|ModeClear, "lifetime of the MFA session, `DUR` (default 12h)")
	f.str(&o.Region, "region", "r", WarmSafe, cred|ModeClear|ModeKeys, "`REGION` for STS and for the command's AWS_REGION/AWS_DEFAULT_REGION")
	f.str(&o.Export, "export", "", WarmSafe, ModeExport, "print credentials as `FORMAT` instead of running a command: env, fish, powershell, dotenv, json, credential-process, or eks-token (a kubectl ExecCredential)")
	f.str(&o.MinTTL, "min-ttl", "", WarmSafe, cred, "credentials must stay valid for at least `DUR`: replace cached ones that expire sooner, fail if new ones cannot last that long")
	f.bool(&o.NoCache, "no-cache", "", CoreOnly, cred, "neither read nor write the credential cache")
	f.bool(&o.Refresh, "refresh", "", CoreOnly, resolve, "fetch and cache new credentials for this profile, keeping the MFA session it shares")
	f.bool(&o.List, "list", "", CoreOnly, ModeList, "list profiles and cached credentials")
	f.bool(&o.JSON, "json", "", CoreOnly, ModeList|ModeWhoAmI|ModeKeys|ModeDoctor, "with --list, --whoami, --doctor or --keys list: print JSON, for scripts and shell prompts")
	f.bool(&o.Clear, "clear", "", CoreOnly, ModeClear, "forget cached credentials: all, or with --profile that profile's")
	// Only the modes that refuse to nest: the console and --whoami replace
	// no credentials in a command, and check nothing --nested could allow.
	f.bool(&o.Nested, "nested", "", WarmSafe, ModeRun|ModeExport|ModeServer, "allow running inside another awsrun's command (its credentials are replaced)")
	f.bool(&o.Verbose, "verbose", "v", CoreOnly, every, "say on stderr what happens: cache hits, STS calls, key store")
	f.bool(&o.Version, "version", "", WarmSafe, every, "print the version and exit")
	f.bool(&o.Help, "help", "h", WarmSafe, every, "print this help and exit")
	// The launcher links no key store: --keys is awsrun-core's alone.
	f.str(&o.Keys, "keys", "", CoreOnly, ModeKeys, "long-term keys out of plain text: `VERB` add, import, rotate or remove (with -p NAME), or list")
	// Warm-safe: the launcher serves a cached token itself.
	f.str(&o.EKSCluster, "eks-cluster", "", WarmSafe, ModeExport, "with --export eks-token: the EKS cluster `NAME` the kubectl token is for")
	// Core-only: the console sign-in calls the federation endpoint and
	// --whoami calls STS, which a launcher without the SDK or net/http
	// cannot do; neither is ever a warm-index answer.
	f.bool(&o.Console, "console", "", CoreOnly, ModeConsole, "open the AWS console in the browser ($BROWSER, else the system's), signed in as the profile")
	f.bool(&o.ConsoleURL, "console-url", "", CoreOnly, ModeConsole, "print the console sign-in URL on stdout instead; it signs in whoever has it for 15 minutes")
	f.str(&o.ConsoleService, "console-service", "", CoreOnly, ModeConsole, "with --console or --console-url: open the console of service `NAME` (s3, ec2, ...)")
	f.str(&o.ConsolePath, "console-path", "", CoreOnly, ModeConsole, "with --console or --console-url: open the console page `PATH` (e.g. ec2/home#Instances:)")
	f.bool(&o.WhoAmI, "whoami", "", CoreOnly, ModeWhoAmI, "print who the profile's credentials are (account, ARN, user id) and until when; --json for scripts")
	f.bool(&o.Doctor, "doctor", "", CoreOnly, ModeDoctor, "say what a run of the profile would cost now (cached steps, MFA codes, cut lifetimes) and what is wrong (config, cache, code source, clock), without fetching credentials; exit 125 when a run would fail")
	// Core-only: awsrun-core stays the parent of COMMAND and serves it
	// credentials it renews; a launcher that execs the command cannot.
	f.bool(&o.Server, "server", "", CoreOnly, ModeServer, "stay the parent and serve COMMAND credentials from a local endpoint that renews them before they expire, for commands that outlive them; --min-ttl is then how long the MFA session must last")
	// The launcher serves completion itself (no SDK; a keypress must not
	// wait for awsrun-core), so both flags are warm-safe.
	f.str(&o.Completion, "completion", "", WarmSafe, ModeCompletion, "print a completion script for `SHELL`: bash, zsh, fish or powershell")
	f.bool(&o.CompleteProfs, completeProfilesFlag, "", WarmSafe, ModeCompletion, "print the profile names that start with the word after --, for completion scripts")
	_ = f.MarkHidden(completeProfilesFlag)
	return f
}

// flagUsages is the flag list of --help, rendered only when help is
// printed: pflag's rendering is most of the parse's cost.
func flagUsages() string { return newFlagSet(&Options{}).FlagUsages() }

// FlagInfo is what awsrun knows of one flag.
type FlagInfo struct {
	Name  string
	Class Class
	Modes Mode // the modes it means something in
	Bool  bool // it takes no value
}

// Flags lists awsrun's flags in the order of --help.
func Flags() []FlagInfo {
	fs := newFlagSet(&Options{})
	var out []FlagInfo
	fs.VisitAll(func(f *pflag.Flag) {
		d := fs.defs[f.Name]
		out = append(out, FlagInfo{Name: f.Name, Class: d.class, Modes: d.modes, Bool: f.Value.Type() == "bool"})
	})
	return out
}
