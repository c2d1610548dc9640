package creds

import (
	"slices"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
)

// puts records what the resolver writes to a real store.
type puts struct {
	Store
	entries []cache.Entry
}

func (p *puts) Put(id string, e *cache.Entry) error {
	p.entries = append(p.entries, *e)
	return p.Store.Put(id, e)
}

// rebuildable lists the kinds written, each with whether it was marked
// rebuildable (written without an fsync).
func (p *puts) rebuildable() []string {
	var out []string
	for _, e := range p.entries {
		s := string(e.Kind)
		if e.Rebuildable {
			s += "(rebuildable)"
		}
		out = append(out, s)
	}
	return out
}

// TestOnlyWhatCostsACodeIsDurable: a power cut may lose a role hop made
// from a cached MFA session without a code — the next run makes it again
// from the session, asking nothing — but never the session, nor a hop that
// took a code itself, nor one that outlives the session it came from.
func TestOnlyWhatCostsACodeIsDurable(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(f *fixture)
		o     LoadOptions
		want  []string
	}{
		{"role via the MFA session", nil, LoadOptions{},
			[]string{"mfa-code", "session", "role(rebuildable)"}},
		{"role straight with a code", func(f *fixture) {
			f.srv.SetRolePolicy(roleARN, ststest.RolePolicy{Principals: []string{userARN}, RequireMFA: true, MaxSessionDuration: 4 * time.Hour})
		}, LoadOptions{Duration: 2 * time.Hour},
			[]string{"mfa-code", "role"}},
		{"role outliving its session", nil, LoadOptions{SessionDuration: 15 * time.Minute},
			[]string{"mfa-code", "session", "role"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, role101)
			if c.setup != nil {
				c.setup(f)
			}
			p := &puts{Store: f.openCache(t)}
			if _, err := f.retrieve(t, f.resolver(p), "role101", c.o); err != nil {
				t.Fatal(err)
			}
			if got := p.rebuildable(); !slices.Equal(got, c.want) {
				t.Errorf("entries written %v, want %v", got, c.want)
			}
		})
	}
}
