package creds

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
)

// puts records what the resolver writes to a real store (from the
// background writes too).
type puts struct {
	Store
	mu      sync.Mutex
	entries []cache.Entry
}

func (p *puts) Put(id string, e *cache.Entry) error {
	p.mu.Lock()
	p.entries = append(p.entries, *e)
	p.mu.Unlock()
	return p.Store.Put(id, e)
}

// rebuildable lists the kinds written, sorted, each with whether it was
// marked rebuildable (written without an fsync).
func (p *puts) rebuildable() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, e := range p.entries {
		s := string(e.Kind)
		if e.Rebuildable {
			s += "(rebuildable)"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestOnlyWhatCostsACodeIsDurable: a power cut may lose a role hop made
// from long-term keys without a code — the next run makes it again from the
// keys, asking nothing — but never an MFA session, nor a hop that took a
// code itself, nor one made with temporary credentials (they may be gone,
// or too old for the role's trust policy, by then).
func TestOnlyWhatCostsACodeIsDurable(t *testing.T) {
	for _, c := range []struct {
		name            string
		config, profile string
		setup           func(t *testing.T, f *fixture)
		o               LoadOptions
		want            []string
	}{
		{"role via the MFA session", role101, "role101", nil, LoadOptions{},
			[]string{"mfa-code", "role", "session"}},
		{"role straight with a code", role101, "role101", func(t *testing.T, f *fixture) {
			f.srv.SetRolePolicy(roleARN, ststest.RolePolicy{Principals: []string{userARN}, RequireMFA: true, MaxSessionDuration: 4 * time.Hour})
		}, LoadOptions{Duration: 2 * time.Hour},
			[]string{"mfa-code", "role"}},
		{"role from the keys, no MFA", "[profile ci]\nrole_arn = " + roleARN + "\nsource_profile = user101\n", "ci", func(t *testing.T, f *fixture) {
			f.srv.SetRolePolicy(roleARN, ststest.RolePolicy{Principals: []string{userARN}})
		}, LoadOptions{},
			[]string{"role(rebuildable)"}},
		{"role from a temporary source, no MFA", "", "tmp", func(t *testing.T, f *fixture) {
			// Gone when they expire, whatever the hop's lifetime.
			f.srv.SetRolePolicy(roleARN, ststest.RolePolicy{Principals: []string{userARN}})
			f.write(t, "[profile tmp]\nrole_arn = "+roleARN+"\nsource_profile = sess\n", f.temporarySource(t))
		}, LoadOptions{},
			[]string{"role"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, c.config)
			if c.setup != nil {
				c.setup(t, f)
			}
			p := &puts{Store: f.openCache(t)}
			if _, err := f.retrieve(t, f.resolver(p), c.profile, c.o); err != nil {
				t.Fatal(err)
			}
			if got := p.rebuildable(); !slices.Equal(got, c.want) {
				t.Errorf("entries written %v, want %v", got, c.want)
			}
		})
	}
}
