package cli

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

// str defines a flag that takes a value, and bool one that takes none.
// Flags are defined only through these two, which take the class and
// modes beside the name, so that no flag exists without them
// (TestEveryFlagIsClassified checks the set).
//
// They are not inlined: inlined, each call kept a flagDef of its own in
// newFlagSet's frame, over 2 KiB, and the launcher's main goroutine grew
// its stack (a copy) to parse the command line.
//
//go:noinline
func (fs *flagSet) str(p *string, name, short string, c Class, m Mode, usage string) {
	fs.flags = append(fs.flags, flagDef{name: name, short: short, usage: usage, str: p, class: c, modes: m})
}

//go:noinline
func (fs *flagSet) bool(p *bool, name, short string, c Class, m Mode, usage string) {
	fs.flags = append(fs.flags, flagDef{name: name, short: short, usage: usage, bool: p, class: c, modes: m})
}

// hide keeps a flag out of --help and the completion scripts.
func (fs *flagSet) hide(name string) { fs.long(name).hidden = true }

// newFlagSet defines awsrun's flags into o. New flags go at the end.
func newFlagSet(o *Options) *flagSet {
	f := &flagSet{flags: make([]flagDef, 0, 32)}
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
	f.hide(completeProfilesFlag)
	return f
}

// flagUsages is the flag list of --help, rendered only when help is
// printed.
func flagUsages() string { return newFlagSet(&Options{}).usages() }

// FlagInfo is what awsrun knows of one flag.
type FlagInfo struct {
	Name  string
	Class Class
	Modes Mode // the modes it means something in
	Bool  bool // it takes no value
}

// Flags lists awsrun's flags in the order of --help.
func Flags() []FlagInfo {
	var out []FlagInfo
	fs := newFlagSet(&Options{})
	for i := range fs.flags {
		f := &fs.flags[i]
		out = append(out, FlagInfo{Name: f.name, Class: f.class, Modes: f.modes, Bool: f.isBool()})
	}
	return out
}
