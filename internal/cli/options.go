package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/runner"
)

// Options are awsrun's flags, as typed (README: Usage).
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
	Keys            string // --keys VERB
	EKSCluster      string // --eks-cluster, for --export eks-token
	Console         bool
	ConsoleURL      bool
	ConsoleService  string
	ConsolePath     string
	WhoAmI          bool
	Doctor          bool
	Server          bool
	Completion      string // --completion SHELL: print a completion script
	CompleteProfs   bool   // hidden --complete-profiles: the completion scripts' profile names

	Command []string // COMMAND [ARG...], untouched

	set []*flagDef // the flags given, each once, in the order first given
}

// Parse reads the command line. Flags stop at the first word that is not
// one (or at --): everything from there belongs to the child, so its own
// flags are never parsed.
func Parse(args []string) (*Options, error) {
	o := &Options{}
	set, command, err := newFlagSet(o).parse(args)
	if err != nil {
		return nil, UsageError{err}
	}
	o.set, o.Command = set, command
	return o, nil
}

// PrintHelp writes the usage text.
func (o *Options) PrintHelp(w io.Writer) { fmt.Fprintf(w, Usage, flagUsages()) }

// given reports whether the flag name was on the command line.
func (o *Options) given(name string) bool {
	for _, f := range o.set {
		if f.name == name {
			return true
		}
	}
	return false
}

// NeedsCore reports whether a flag only awsrun-core can honour was given:
// the launcher then hands the invocation over without looking at the
// cache.
func (o *Options) NeedsCore() bool {
	for _, f := range o.set {
		if f.class != WarmSafe {
			return true
		}
	}
	return false
}

// ChildVars are the variables awsrun sets in the child (README:
// Environment): the credentials, then RunVars.
func ChildVars(c warm.Credentials, region, profile string) []runner.Var {
	vars := []runner.Var{
		{Name: "AWS_ACCESS_KEY_ID", Value: c.AccessKeyID},
		{Name: "AWS_SECRET_ACCESS_KEY", Value: c.SecretAccessKey},
		{Name: "AWS_SESSION_TOKEN", Value: c.SessionToken},
	}
	if !c.Expiration.IsZero() {
		vars = append(vars, runner.Var{Name: "AWS_CREDENTIAL_EXPIRATION", Value: c.Expiration.UTC().Format(time.RFC3339)})
	}
	return append(vars, RunVars(region, profile)...)
}

// RunVars are the child's variables other than the credentials: the
// region with its marker, when a region is known, and the profile. A run
// sets them beside the keys; --server beside its endpoint.
func RunVars(region, profile string) []runner.Var {
	var vars []runner.Var
	if region != "" {
		vars = append(vars, runner.Var{Name: "AWS_REGION", Value: region}, runner.Var{Name: "AWS_DEFAULT_REGION", Value: region},
			runner.Var{Name: RegionMarker, Value: region})
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
