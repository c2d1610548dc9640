package cli

import (
	"fmt"
	"os"
	"strings"
)

// ResolvingVar marks the processes awsrun-core starts while it resolves a
// profile (credential_process, mfa_process, the SDK's providers) with the
// profiles being resolved, outermost first. An awsrun started under it —
// directly, or through any tool that keeps the environment — refuses a
// profile already in it, and any nesting deeper than maxResolving: a
// credential_process that runs awsrun for its own profile would otherwise
// start awsrun after awsrun until the system runs out of processes. The
// command awsrun runs never sees it (runner.Removed).
const ResolvingVar = "AWSRUN_RESOLVING"

// maxResolving bounds awsrun inside awsrun while resolving: a legitimate
// credential_process may run awsrun for another profile, but no real setup
// nests eight deep.
const maxResolving = 8

// RecursionError is an awsrun started, while resolving credentials, by the
// awsrun that resolves them.
type RecursionError struct {
	Profile string
	Loop    []string // the profiles being resolved, outermost first, then Profile
}

func (e *RecursionError) Error() string {
	return fmt.Sprintf("profile %s: awsrun started itself while resolving credentials (%s)",
		e.Profile, strings.Join(e.Loop, " → "))
}

// Hint says where the loop is.
func (e *RecursionError) Hint() string {
	return "a credential_process or mfa_process of " + strings.Join(uniq(e.Loop), ", ") +
		" runs awsrun (perhaps through another tool) for a profile it is resolving: point it at the tool that makes the credentials or codes"
}

// resolving checks profile against the marker of the awsrun that started
// this one, and returns the marker to export while resolving it. Profile
// names hold no control characters (LoadChain refuses them), so a unit
// separator cannot split one.
func resolving(marker, profile string) (string, error) {
	var outer []string
	if marker != "" {
		outer = strings.Split(marker, resolvingSep)
	}
	loop := append(outer, profile)
	for _, p := range outer {
		if p == profile {
			return "", &RecursionError{Profile: profile, Loop: loop}
		}
	}
	if len(outer) >= maxResolving {
		return "", &RecursionError{Profile: profile, Loop: loop}
	}
	return strings.Join(loop, resolvingSep), nil
}

// resolvingSep separates the profiles in ResolvingVar.
const resolvingSep = "\x1f"

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// SelfHandOverError is a launcher exec'd by a launcher as awsrun-core.
type SelfHandOverError struct{ Core string }

func (e *SelfHandOverError) Error() string {
	return e.Core + " is the awsrun launcher, not awsrun-core: awsrun handed the run over to itself"
}

// Hint says to install the real program.
func (e *SelfHandOverError) Hint() string {
	return "replace " + e.Core + " with the awsrun-core program built from ./cmd/awsrun-core (it is not a link to or copy of awsrun)"
}

// HandedOver reports, for the launcher, that environ says a launcher
// exec'd this process as awsrun-core: the launcher's build, which the real
// awsrun-core takes out of the environment at once (AcceptHandOver), is
// still there. An awsrun-core that is really the launcher (a symlink or a
// copy) would otherwise exec itself forever.
func HandedOver(environ []string) error {
	if _, ok := lookupEnviron(environ, launcherBuildVar); ok {
		self, err := os.Executable()
		if err != nil {
			self = "awsrun-core"
		}
		return &SelfHandOverError{Core: self}
	}
	return nil
}
