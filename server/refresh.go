package server

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

const (
	// minFloor caps how little validity is still worth serving: below it
	// the endpoint answers with an error rather than credentials that may
	// expire during the child's next call.
	minFloor = time.Minute
	// maxBackoff caps the wait between failed refreshes.
	maxBackoff = time.Minute
	// maxSleep is the longest the loop sleeps before it reads the clock.
	maxSleep = time.Minute
)

// errNotFresher is a Source that handed back credentials ending no later
// than those it was to replace.
var errNotFresher = errors.New("the new credentials expire no later than the current ones")

// refreshLoop keeps the served credentials fresh until ctx ends: it sleeps
// until their refresh time, asks Source, and on failure retries with
// backoff while the current credentials are served as long as they are
// worth it.
//
// It wakes at least every maxSleep to look at the wall clock again: Go's
// timers run on the monotonic clock, which stands still while a laptop
// sleeps, and credentials expire by the wall clock.
func (s *Server) refreshLoop(ctx context.Context) {
	failures := 0
	s.mu.Lock()
	cur, got := s.creds, s.got
	s.mu.Unlock()
	due := refreshAt(cur.Expiration, cur.Expiration.Sub(got), s.lead, rand.Float64())
	for {
		if cur.Expiration.IsZero() {
			return // nothing to refresh: keys without an expiry
		}
		if wait := due.Sub(s.clock.Now()); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-s.clock.After(min(wait, maxSleep)):
			}
			continue
		}
		if ctx.Err() != nil {
			return
		}
		s.setRefreshing()
		now := s.clock.Now()
		// More than what is served now: a cached entry another awsrun made
		// since is welcome, the one being replaced is not.
		minLeft := max(cur.Expiration.Sub(now), 0) + time.Second
		next, err := s.cfg.Source(ctx, minLeft)
		if ctx.Err() != nil {
			return
		}
		if err == nil && !next.Expiration.IsZero() && !next.Expiration.After(cur.Expiration) {
			err = errNotFresher
		}
		if err != nil {
			failures++
			s.fail(err, failures, cur, now)
			due = now.Add(backoff(failures, cur.Expiration.Sub(got)))
			continue
		}
		s.succeed(next, failures, cur, now)
		failures = 0
		cur, got = next, now
		due = refreshAt(cur.Expiration, cur.Expiration.Sub(got), s.lead, rand.Float64())
	}
}

// refreshAt is when credentials expiring at exp, which lived lifetime, are
// replaced: lead before expiry — or at half their life when they live less
// than twice lead — plus a fifteenth of that (a minute for the 15-minute
// lead) for the STS call to answer before what is served has less than
// lead left, and earlier still by a random share (r in [0,1)) of an eighth
// of lead, so that awsrun processes started together do not all ask STS in
// the same second.
func refreshAt(exp time.Time, lifetime, lead time.Duration, r float64) time.Time {
	lead = leadFor(lifetime, lead)
	jitter := time.Duration(r * float64(lead/8))
	return exp.Add(-lead - lead/15 - jitter)
}

// leadFor is how long before expiry credentials that lived lifetime are
// refreshed.
func leadFor(lifetime, lead time.Duration) time.Duration {
	return max(min(lead, lifetime/2), 0)
}

// floor is how much validity credentials that lived lifetime must still have
// to be served: a minute, or a tenth of their life when that is less.
func floor(lifetime time.Duration) time.Duration {
	return max(min(minFloor, lifetime/10), 0)
}

// backoff is the wait before retry number failures+1: one second doubled
// with each failure, at most a minute or an eighth of the credentials'
// lifetime, whichever is less.
func backoff(failures int, lifetime time.Duration) time.Duration {
	limit := max(min(maxBackoff, lifetime/8), time.Second)
	d := time.Second << min(max(failures-1, 0), 10)
	return min(d, limit)
}

func (s *Server) setRefreshing() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshing = true
	s.signalLocked()
}

// signalLocked wakes requests waiting for a change.
func (s *Server) signalLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) fail(err error, failures int, cur warm.Credentials, now time.Time) {
	s.mu.Lock()
	s.refreshing = false
	s.err = err
	s.signalLocked()
	s.mu.Unlock()
	s.logf("refreshing the credentials failed (attempt %d): %v", failures, err)
	if failures == 1 && s.cfg.Notify != nil {
		until := "they have expired"
		if left := cur.Expiration.Sub(now); left > 0 {
			until = fmt.Sprintf("the current ones expire in %s", left.Round(time.Second))
		}
		s.cfg.Notify(fmt.Sprintf("cannot refresh the command's credentials, retrying (%s): %v", until, err))
	}
}

func (s *Server) succeed(next warm.Credentials, failures int, cur warm.Credentials, now time.Time) {
	s.mu.Lock()
	s.creds, s.got = next, now
	s.refreshing = false
	s.err = nil
	s.signalLocked()
	s.mu.Unlock()
	s.logf("refreshed the command's credentials: %s valid until %s; the previous %s had %s left",
		next, next.Expiration.UTC().Format(time.RFC3339), cur, cur.Expiration.Sub(now).Round(time.Second))
	if failures > 0 && s.cfg.Notify != nil {
		s.cfg.Notify(fmt.Sprintf("refreshing the command's credentials works again, after %d failed attempts", failures))
	}
}
