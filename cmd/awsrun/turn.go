package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/internal/cli"
)

// turnWait bounds how long a launch waits for another to get the
// credentials it needs: as long as awsrun-core waits for a lock.
const turnWait = 3 * time.Minute

// coldTurn is what a launch that missed the warm index does before it
// hands over. Parallel launches of one invocation (make -j, a fleet of
// kubectl calls) would each start awsrun-core only to wait, polling, on
// the first one's lock. Instead the first takes the lock of the
// invocation's index entry and hands it to awsrun-core, which holds it
// until the entry is written; the others wait on it here, blocked in the
// kernel, and serve the entry once it is released. It returns the lock to
// hand over (nil for none) or served true when it delivered, or failed to.
func coldTurn(s *cache.Store, inv *cli.Invocation, stdout, stderr io.Writer) (turn *os.File, served bool, err error) {
	if !warmable(inv) {
		return nil, false, nil
	}
	if s == nil {
		// Unlike the warm lookup this may create the cache directory:
		// awsrun-core, next, would. It still never makes a key.
		if s, err = cache.Open(cache.Options{KeyStore: inv.Env["AWSRUN_KEY_STORE"], Keyring: osKeyring, FindKeyOnly: true, Getenv: inv.Getenv}); err != nil {
			return nil, false, nil
		}
	}
	f, busy, err := s.TakeTurn(inv.IndexID)
	if f != nil || !busy || err != nil {
		return f, false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), turnWait)
	defer cancel()
	err = s.WaitTurn(ctx, inv.IndexID, func() {
		fmt.Fprintf(stderr, "awsrun: waiting for another awsrun to get the credentials of profile %s\n", inv.Profile)
	})
	if err != nil {
		return nil, false, nil // awsrun-core waits on its own locks, and says why
	}
	if served, err := serveWarm(s, inv, stdout); served {
		return nil, true, err
	}
	// The other launch failed, or made credentials too short for this
	// one: awsrun-core does it, and this launch takes its turn if it can.
	f, _, _ = s.TakeTurn(inv.IndexID)
	return f, false, nil
}

// turnEnviron adds the held turn to the environment awsrun-core is exec'd
// with; without a turn, or when it cannot be passed, environ as it was.
func turnEnviron(turn *os.File, environ []string) []string {
	if turn == nil {
		return environ
	}
	fd, err := cache.PassTurn(turn)
	if err != nil {
		turn.Close()
		return environ
	}
	return append(environ, cli.TurnVar+"="+strconv.Itoa(fd))
}
