package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds"
)

// clear forgets cached credentials: every entry, or with --profile that
// profile's own. The records of codes already sent always survive: without
// them the next run could send the same code again, which AWS refuses.
func (a *app) clear(ctx context.Context) error {
	s, err := cache.Open(a.cacheOptions())
	if err != nil {
		return err
	}
	if a.opts.Profile == "" {
		n, err := s.Clear()
		if err != nil {
			return fmt.Errorf("clearing the cache %s: %w", s.Dir(), err)
		}
		what := "cached entries"
		if n == 1 {
			what = "cached entry"
		}
		fmt.Fprintf(a.stderr, "awsrun: removed %d %s\n", n, what)
		return nil
	}
	entries, err := s.List()
	if err != nil {
		return fmt.Errorf("clearing the cache %s: %w", s.Dir(), err)
	}
	chain, err := a.loadChain(ctx)
	if err != nil {
		return err
	}
	plan, err := creds.NewPlan(chain, 0)
	if err != nil {
		// A chain that can make no credentials has no target to forget;
		// what is stored as the profile's own still goes.
		plan = &creds.Plan{}
	}
	forget, kept := profileEntries(chain.Profile, plan, entries)
	for _, id := range forget {
		if err := s.Delete(id); err != nil {
			return fmt.Errorf("clearing profile %s: %w", chain.Profile, err)
		}
	}
	fmt.Fprintf(a.stderr, "awsrun: forgot the cached credentials of profile %s\n", chain.Profile)
	if len(kept) > 0 {
		fmt.Fprintf(a.stderr, "awsrun: kept %s, shared with other profiles; awsrun --clear forgets everything\n", strings.Join(kept, " and "))
	}
	return nil
}

// profileEntries picks the entries --clear --profile forgets: the
// profile's target step, and every entry stored as made for the profile
// — its role or source credentials made with other flags (regions,
// durations), and its warm index entries. It never picks an MFA session
// made for another profile's source, the parent steps of the profile's
// chain (which belong to the profiles they were made for), or a used-code
// record; kept names the steps of the chain it leaves in the cache.
func profileEntries(profile string, plan *creds.Plan, entries []cache.Listed) (forget, kept []string) {
	left := map[string]bool{} // cached and not forgotten
	target := plan.TargetID()
	for _, e := range entries {
		own := e.Entry.Profile == profile && e.Entry.Kind != cache.KindMFACode &&
			(e.Entry.Kind != cache.KindSession || e.ID == target)
		if own || e.ID == target {
			forget = append(forget, e.ID)
		} else {
			left[e.ID] = true
		}
	}
	for _, s := range plan.Steps {
		if left[s.ID] {
			kept = append(kept, fmt.Sprintf("the %s of %s", s.What(), s.Profile))
		}
	}
	return forget, kept
}
