package creds

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

// MinTTL is the margin of the target step for one run: cached credentials
// that would expire sooner are replaced, and credentials that cannot last
// that long are refused before the command starts.

func TestMinTTLReplacesCredentialsThatWouldExpireSooner(t *testing.T) {
	f := newFixture(t, role101)
	store := f.openCache(t)
	f.srv.SetCredentialLifetime(30 * time.Minute)
	first, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.SetCredentialLifetime(0)

	// 30 minutes left is enough for a 20-minute job: served from the cache.
	f.srv.ResetCalls()
	r := f.resolver(store)
	r.MinTTL = 20 * time.Minute
	c, err := f.retrieve(t, r, "role101", LoadOptions{})
	if err != nil || c.AccessKeyID != first.AccessKeyID || len(f.actions()) != 0 {
		t.Fatalf("--min-ttl 20m with 30m left: err %v, same key %t, STS calls %v; want the cached credentials", err, c.AccessKeyID == first.AccessKeyID, f.actions())
	}

	// Not for a 45-minute one: the role is assumed again from the cached MFA
	// session, which only has to be good for that call — no new code.
	r = f.resolver(store)
	r.MinTTL = 45 * time.Minute
	c, err = f.retrieve(t, r, "role101", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "AssumeRole"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
	if c.AccessKeyID == first.AccessKeyID || c.TimeLeft(time.Now()) < 45*time.Minute {
		t.Errorf("got the old credentials, or new ones with %s left", c.TimeLeft(time.Now()))
	}
	if n := f.prompts.Load(); n != 1 {
		t.Errorf("prompted %d times, want 1 (the first run)", n)
	}
}

func TestMinTTLLongerThanCredentialsCanLastFails(t *testing.T) {
	tests := []struct {
		name     string
		config   string
		profile  string
		lifetime time.Duration // the fake's cap on what it issues; 0: as asked
		minTTL   time.Duration
		wantErr  string
		hint     string
		calls    string // the STS calls made before the refusal
	}{
		{
			name: "role asked for less", config: role101, profile: "role101", minTTL: 2 * time.Hour,
			wantErr: "profile role101 (" + roleARN + "): the role is asked for 1h, not more than --min-ttl 2h",
			hint:    "pass a --duration longer than 2h (up to the role's maximum session duration), or a shorter --min-ttl",
		},
		{
			// Credentials asked for 1h arrive with a little less than 1h left:
			// refused before any code is spent, not after.
			name: "role asked for exactly --min-ttl", config: role101, profile: "role101", minTTL: time.Hour,
			wantErr: "profile role101 (" + roleARN + "): the role is asked for 1h, not more than --min-ttl 1h",
			hint:    "pass a --duration longer than 1h (up to the role's maximum session duration), or a shorter --min-ttl",
		},
		{
			name: "role chaining", profile: "deploy", minTTL: 90 * time.Minute,
			config:  role101 + "[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/deploy\nsource_profile = role101\nduration_seconds = 7200\n",
			wantErr: "profile deploy (arn:aws:iam::210987654321:role/deploy): the role is asked for 1h, not more than --min-ttl 1h30m",
			hint:    "role chaining allows 1h at most: pass a shorter --min-ttl",
		},
		{
			name: "AWS gives less than asked", config: role101, profile: "role101", lifetime: 30 * time.Minute, minTTL: 45 * time.Minute,
			wantErr: "profile role101 (" + roleARN + "): new credentials last only 30m, less than --min-ttl 45m",
			hint:    "the role's maximum session duration is shorter: pass a shorter --min-ttl, or raise the role's MaxSessionDuration",
			calls:   "GetSessionToken+MFA AssumeRole",
		},
		{
			name: "plain user session", config: "[profile user101]\nmfa_serial = " + serial + "\n", profile: "user101", minTTL: 13 * time.Hour,
			wantErr: "profile user101 (" + serial + "): the MFA session is asked for 12h, not more than --min-ttl 13h",
			hint:    "pass a --session-duration longer than 13h, or a shorter --min-ttl",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.config)
			f.srv.AddRole("arn:aws:iam::210987654321:role/deploy", ststest.RolePolicy{Principals: []string{roleARN}, MaxSessionDuration: 4 * time.Hour})
			f.srv.SetCredentialLifetime(tt.lifetime)
			r := f.resolver(f.openCache(t))
			r.MinTTL = tt.minTTL
			_, err := f.retrieve(t, r, tt.profile, LoadOptions{})
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(ce.Hint(), tt.hint) {
				t.Fatalf("error = %v (hint %q)\nwant %q with hint %q", err, ce.hintOrEmpty(), tt.wantErr, tt.hint)
			}
			if got := strings.Join(f.actions(), " "); got != tt.calls {
				t.Errorf("STS calls = %q, want %q", got, tt.calls)
			}
			if tt.calls == "" && f.prompts.Load() != 0 {
				t.Errorf("asked for a code although the run could not succeed")
			}
		})
	}
}

func (e *ConfigError) hintOrEmpty() string {
	if e == nil {
		return ""
	}
	return e.Hint()
}
