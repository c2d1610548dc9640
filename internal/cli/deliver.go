package cli

import (
	"io"
	"os"
	"strings"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/runner"
)

// Deliver hands the credentials over as the invocation asks: printed in
// the --export format on stdout, or in the environment of the command,
// which replaces this process (Deliver then returns only on failure).
func (inv *Invocation) Deliver(stdout io.Writer, c warm.Credentials, region, profile string) error {
	if inv.Mode == ModeExport {
		return Export(stdout, inv.Opts.Export, c, region)
	}
	if inv.Shell {
		// stderr, not stdout: the shell owns stdout, as any command does.
		shellNotice(os.Stderr, inv.Path, profile, c, time.Now())
	}
	return runner.Exec(inv.Path, inv.argv(), runner.Env(inv.Environ, ChildVars(c, region, profile)))
}

// CoreArgs is the command line the launcher hands to awsrun-core: the
// flags given, spelled out, without the MFA code, which travels in
// AWSRUN_MFA_CODE (CoreEnviron) instead — argv is readable by every local
// user for as long as awsrun-core waits.
func (inv *Invocation) CoreArgs() []string {
	var args []string
	for _, f := range inv.Opts.set {
		if f.name == "mfa-code" {
			continue
		}
		args = append(args, flagArg(f))
	}
	if len(inv.Opts.Command) > 0 {
		args = append(append(args, "--"), inv.Opts.Command...)
	}
	return args
}

func flagArg(f *flagDef) string {
	if f.isBool() && *f.bool {
		return "--" + f.name
	}
	return "--" + f.name + "=" + f.value()
}

// CoreEnviron is the environment the launcher hands to awsrun-core: the
// caller's, with the MFA code of --mfa-code, when given, in
// AWSRUN_MFA_CODE (and AWSRUN_MFA_CODE_FROM saying it was the flag).
func (inv *Invocation) CoreEnviron(environ []string) []string {
	if inv.Opts.MFACode == "" {
		return environ
	}
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		if name, _, _ := strings.Cut(kv, "="); !sameName(name, MFACodeVar) && !sameName(name, MFACodeFromVar) {
			out = append(out, kv)
		}
	}
	return append(out, MFACodeVar+"="+inv.Opts.MFACode, MFACodeFromVar+"=--mfa-code")
}

// Answer answers the modes that need no credentials — --help, --version
// and completion — as both programs answer them; program names the one
// asking, for --version. ok is false for every other mode.
func (inv *Invocation) Answer(program string, stdout, stderr io.Writer, environ []string) (code int, ok bool) {
	switch inv.Mode {
	case ModeHelp:
		inv.Opts.PrintHelp(stdout)
		return 0, true
	case ModeVersion:
		PrintVersion(stdout, program)
		return 0, true
	case ModeCompletion:
		code, _ := Complete(inv.Opts, stdout, stderr, environ)
		return code, true
	}
	return 0, false
}
