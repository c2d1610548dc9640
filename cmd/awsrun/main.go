// Command awsrun runs a command with MFA-backed AWS role credentials. See
// awsrun --help and README.md.
//
// This is the launcher: it links neither the AWS SDK nor anything that
// talks to the network, so it starts in a fraction of a millisecond. When
// the encrypted cache already holds usable credentials for exactly this
// invocation (creds/warm), it execs the command with them. Anything else —
// a miss, an error, --list, -v — it hands to awsrun-core, installed beside
// it, by exec'ing it with the same arguments: one program for the user,
// whatever the path.
package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/runner"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, runner.Environ()))
}

func run(args []string, stdout, stderr io.Writer, environ []string) int {
	if o, err := cli.Parse(args); err == nil {
		if code, done := cli.Complete(o, stdout, stderr, environ); done {
			return code
		}
		if code, served := serve(o, stdout, stderr, environ); served {
			return code
		}
	}
	return cli.Fail(stderr, delegate(args, environ), coreHint)
}

// serve answers a warm invocation from the cache. It reports false,
// having printed nothing, for everything it leaves to awsrun-core.
func serve(o *cli.Options, stdout, stderr io.Writer, environ []string) (code int, served bool) {
	env := cli.EnvMap(environ)
	if o.Help || o.Version || o.List || o.JSON || o.Clear || o.NoCache || o.Refresh || o.Verbose || o.Check(env) != nil {
		return 0, false
	}
	// A setting only awsrun-core can check (and refuse) must not be
	// ignored by a warm launch that never calls STS.
	if v := env["AWSRUN_STS_TIMEOUT"]; v != "" {
		if _, err := warm.ParseDuration(v); err != nil {
			return 0, false
		}
	}
	// --min-ttl raises the margin for this run: credentials that expire
	// sooner are awsrun-core's to replace.
	margin, ok := o.Margin()
	if !ok {
		return 0, false
	}
	var path string
	if o.Export == "" {
		var err error
		if path, err = runner.LookPath(o.Command[0], environ); err != nil {
			return 0, false
		}
	}
	// FindKeyOnly: a launcher never makes a key. On Linux it has no OS
	// keyring client (osKeyring is nil) and finds the key where awsrun-core
	// mirrors it; making one would put a second key beside the first.
	s, err := cache.Open(cache.Options{KeyStore: env["AWSRUN_KEY_STORE"], Keyring: osKeyring, FindKeyOnly: true})
	if err != nil {
		return 0, false
	}
	hit, ok := warm.Lookup(s, warm.IndexID(o.Invocation(env)), margin)
	if !ok {
		return 0, false
	}
	if o.Export != "" {
		if err := cli.Export(stdout, o.Export, hit.Credentials, hit.Region); err != nil {
			return cli.Fail(stderr, err, nil), true
		}
		return 0, true
	}
	err = runner.Exec(path, o.Command, runner.Env(environ, cli.ChildVars(hit.Credentials, hit.Region, hit.Profile)))
	return cli.Fail(stderr, err, nil), true
}

// coreName is the program that does the cold path.
var coreName = "awsrun-core"

// errNoCore is a launcher installed without its other half.
var errNoCore = errors.New("awsrun-core, the part of awsrun that talks to STS, is not installed beside awsrun or in PATH")

func coreHint(err error) string {
	if errors.Is(err, errNoCore) {
		return "install both programs: go install github.com/awsrun/awsrun/cmd/...@latest"
	}
	return ""
}

// delegate execs awsrun-core with the same arguments; it returns only if
// that fails. awsrun-core refuses a launcher of another build.
func delegate(args, environ []string) error {
	core, err := findCore()
	if err != nil {
		return err
	}
	return runner.Exec(core, append([]string{"awsrun"}, args...), cli.HandOverEnv(environ))
}

// findCore looks beside the launcher first, so a pair installed together
// stays together, then in PATH.
func findCore() (string, error) {
	name := coreName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		if self, err = filepath.EvalSymlinks(self); err == nil {
			p := filepath.Join(filepath.Dir(self), name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", errNoCore
}
