package main

import (
	"os"
	"runtime/debug"

	"github.com/awsrun/awsrun/internal/cli"
)

// shortLivedGCLimit is the heap at which a short-lived run collects
// garbage at all.
const shortLivedGCLimit = 64 << 20

// tuneGC turns the collector off, until the process uses shortLivedGCLimit, for
// a run that ends in seconds: nearly everything it allocates (the parsed
// config, the SDK's tables) stays live until it execs or exits, so a
// collection frees next to nothing. With 5,000 profiles the collector and
// the page faults of its work took a third of a cold launch; peak RSS is
// the same without it. --server runs for days and keeps the default, as
// does any run where the user set GOGC or GOMEMLIMIT.
func tuneGC(mode cli.Mode) {
	if mode == cli.ModeServer || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(shortLivedGCLimit)
	debug.SetGCPercent(-1)
}
