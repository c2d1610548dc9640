package cli

import (
	"os"
	"strconv"
	"strings"
)

// TurnVar names, in the environment the launcher hands to awsrun-core, the
// descriptor of the cold-turn lock it took for the invocation's warm index
// entry (cache.Store.TakeTurn): launches of the same invocation wait on it
// in the launcher, and awsrun-core holds it until the entry is written.
// Neither the command nor what awsrun-core runs sees it.
const TurnVar = "AWSRUN_COLD_TURN"

// TakeTurnFD returns the descriptor TurnVar names, and drops the variable
// from the process's environment; -1 without it, or for a standard stream.
// The descriptor is made close-on-exec at once: whatever awsrun-core does
// next (a cache it cannot open, --no-cache), neither mfa_process nor the
// command may inherit the lock and keep the waiting launches waiting. The
// caller checks that the descriptor is the lock it means
// (cache.Store.AdoptTurn) before it takes charge of it.
func TakeTurnFD(environ []string) int {
	var v string
	found := false
	for _, kv := range environ {
		if s, ok := strings.CutPrefix(kv, TurnVar+"="); ok {
			v, found = s, true
		}
	}
	if !found {
		return -1
	}
	os.Unsetenv(TurnVar)
	fd, err := strconv.Atoi(v)
	if err != nil || fd <= 2 || fd > 1<<20 {
		return -1
	}
	closeOnExec(fd)
	return fd
}
