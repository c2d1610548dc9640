// Command awsrun runs a command with MFA-backed AWS role credentials. See
// awsrun --help and README.md.
//
// This is the launcher: it links neither the AWS SDK nor anything that
// talks to the network, so it starts in a fraction of a millisecond. It
// prepares the invocation as awsrun-core would (internal/cli), answers
// --help, --version, --completion and every usage error itself, and when the encrypted
// cache already holds usable credentials for exactly this invocation
// (creds/warm) it execs the command with them. Anything else — a miss, a
// flag only awsrun-core honours (--list, -v, …) — it hands to awsrun-core,
// installed beside it, by exec'ing it with the same flags (the MFA code
// moved from argv to the environment, its own build beside it, which
// awsrun-core checks): one program for the user, whatever the path.
package main

import (
	"io"
	"os"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/runner"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, runner.Environ()))
}

func run(args []string, stdout, stderr io.Writer, environ []string) int {
	if err := cli.HandedOver(environ); err != nil {
		return cli.Fail(stderr, err)
	}
	inv, err := cli.Prepare(args, environ)
	if err != nil {
		return cli.Fail(stderr, err)
	}
	if code, ok := inv.Answer("awsrun", stdout, stderr, environ); ok {
		return code
	}
	store := openWarm(inv)
	if served, err := serveWarm(store, inv, stdout); served {
		if err != nil {
			return cli.Fail(stderr, err)
		}
		return 0
	}
	turn, served, err := coldTurn(store, inv, stdout, stderr)
	if served {
		if err != nil {
			return cli.Fail(stderr, err)
		}
		return 0
	}
	return cli.Fail(stderr, handOver(inv, turnEnviron(turn, environ)))
}

// serveWarm delivers what the warm index in s (nil for none) holds for
// the invocation. It reports false, having printed nothing, when
// awsrun-core must do it.
func serveWarm(s *cache.Store, inv *cli.Invocation, stdout io.Writer) (served bool, err error) {
	if s == nil {
		return false, nil
	}
	hit, ok := warm.Lookup(s, inv.IndexID, inv.Margin)
	if !ok {
		return false, nil
	}
	if inv.Opts.Export == cli.ExportEKSToken {
		return serveEKSToken(s, hit, inv, stdout)
	}
	return true, inv.Deliver(stdout, hit.Credentials, hit.Region, hit.Profile)
}

// openWarm opens the cache for a warm launch; nil for an invocation the
// launcher leaves to awsrun-core, or no cache.
func openWarm(inv *cli.Invocation) *cache.Store {
	if !warmable(inv) {
		return nil
	}
	// FindKeyOnly: a launcher never makes a key. On Linux it has no OS
	// keyring client (osKeyring is nil) and finds the key where awsrun-core
	// mirrors it; making one would put a second key beside the first.
	// NoCreate: nor a directory; a miss leaves the machine as it was
	// (but for coldTurn's lock, which awsrun-core would make anyway).
	// Getenv: the environment Prepare indexed (the process's, with what
	// awsrun itself injected left out, none of it XDG's or HOME), rather
	// than os.Getenv, which copies the whole environment again.
	s, err := cache.Open(cache.Options{KeyStore: inv.Env["AWSRUN_KEY_STORE"], Keyring: osKeyring, FindKeyOnly: true, NoCreate: true, Getenv: inv.Getenv})
	if err != nil {
		return nil
	}
	// The key is read here, not under Lookup's first Get: that is the
	// deepest point of a warm launch's stack, and reading the key there
	// grew the main goroutine's stack (a copy of every frame) on every
	// launch. A failure is Get's miss, as before.
	_, _ = s.KeyStore()
	return s
}

// warmable reports whether the launcher may serve the invocation itself.
func warmable(inv *cli.Invocation) bool {
	return (inv.Mode == cli.ModeRun || inv.Mode == cli.ModeExport) && !inv.Opts.NeedsCore() && inv.IndexID != ""
}
