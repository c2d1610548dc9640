package creds

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
)

// CodeMinTTL is what awsrun --server --min-ttl asks: the MFA session, not
// the role, must last the run, so role hops are renewed without a code.

func TestCodeMinTTLRenewsAShortMFASessionUpFront(t *testing.T) {
	f := newFixture(t, role101)
	store := f.openCache(t)
	f.srv.SetCredentialLifetime(2 * time.Hour) // a session with 2h left is cached
	first, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.SetCredentialLifetime(0)
	r := f.resolver(store)
	cs, ok := r.CodeStep(mustChain(t, "role101", LoadOptions{}))
	if !ok || cs.Kind != "session" || cs.Target || cs.Serial != serial || time.Until(cs.Expires) > 2*time.Hour || time.Until(cs.Expires) < time.Hour {
		t.Fatalf("CodeStep = %+v, %v; want the session, cached with 2h left", cs, ok)
	}

	// 1h is covered by the cached session: no call at all.
	f.srv.ResetCalls()
	r.CodeMinTTL = time.Hour
	if _, err := f.retrieve(t, r, "role101", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := f.actions(); len(got) != 0 {
		t.Errorf("--min-ttl 1h with a 2h session: STS calls %v, want none", got)
	}

	// 6h is not: one code now for a new session, although the cached role
	// would do; the role, which need not last 6h, is not refused. The code
	// is the next one: the cache records the first as used.
	f.srv.SetClock(func() time.Time { return time.Now().Add(codeStep) })
	r = f.resolver(store)
	r.CodeMinTTL = 6 * time.Hour
	c, err := f.retrieve(t, r, "role101", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "GetSessionToken+MFA"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
	if c.AccessKeyID != first.AccessKeyID {
		t.Errorf("the cached role credentials were replaced")
	}
	if cs, _ := r.CodeStep(mustChain(t, "role101", LoadOptions{})); time.Until(cs.Expires) < 11*time.Hour {
		t.Errorf("the new session has %s left, want about 12h", time.Until(cs.Expires))
	}
}

func TestCodeMinTTLThatNoSessionCanMeetFailsBeforeTheCode(t *testing.T) {
	tests := []struct {
		name    string
		opts    LoadOptions
		min     time.Duration
		wantErr string
		hint    string
	}{
		{"default session", LoadOptions{}, 13 * time.Hour,
			"the MFA session the MFA code buys lasts 12h, and --min-ttl asks for 13h: the command would need another code while it runs",
			"pass --session-duration longer than 13h (it goes up to 36h), or a shorter --min-ttl"},
		{"longest session", LoadOptions{SessionDuration: 36 * time.Hour}, 40 * time.Hour,
			"the MFA session the MFA code buys lasts 36h, and --min-ttl asks for 40h",
			"an MFA session lasts 36h at most: pass a shorter --min-ttl"},
		{"role with the code", LoadOptions{Duration: 2 * time.Hour}, 3 * time.Hour,
			"the role the MFA code buys lasts 2h, and --min-ttl asks for 3h",
			"pass a --duration longer than 3h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, role101)
			r := f.resolver(f.openCache(t))
			r.CodeMinTTL = tt.min
			_, err := f.retrieve(t, r, "role101", tt.opts)
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(ce.Fix, tt.hint) {
				t.Fatalf("error = %v (hint %q)\nwant %q with hint %q", err, ce.hintOrEmpty(), tt.wantErr, tt.hint)
			}
			if len(f.actions()) != 0 || f.prompts.Load() != 0 {
				t.Errorf("STS calls %v, %d prompts before the refusal", f.actions(), f.prompts.Load())
			}
		})
	}
}

func TestCodeStepOfAChainWithoutMFA(t *testing.T) {
	newFixture(t, "[profile plain]\nrole_arn = "+roleARN+"\nsource_profile = user101\n")
	if cs, ok := (&Resolver{}).CodeStep(mustChain(t, "plain", LoadOptions{})); ok {
		t.Errorf("CodeStep = %+v, want none", cs)
	}
}

// TestCodeStepOfACredentialProcessSource: the steps of a credential_process
// source are named by the keys the process printed, so CodeStep must look
// at the chain as Retrieve ran it to find the session it cached.
func TestCodeStepOfACredentialProcessSource(t *testing.T) {
	f := newFixture(t, "")
	credentialProcess(t, f, true)
	cfg, err := os.ReadFile(filepath.Join(f.home, ".aws", "config"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(f.home, ".aws", "config"), string(cfg)+"[profile r]\nrole_arn = "+roleARN+"\nsource_profile = proc\nmfa_serial = "+serial+"\n")
	c := mustChain(t, "r", LoadOptions{})
	r := f.resolver(f.openCache(t))
	if _, err := r.Retrieve(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "GetSessionToken+MFA AssumeRole"; got != want {
		t.Fatalf("STS calls = %s, want %s", got, want)
	}
	cs, ok := r.CodeStep(c)
	if !ok || cs.Kind != cache.KindSession || cs.Serial != serial || time.Until(cs.Expires) < 11*time.Hour {
		t.Errorf("CodeStep = %+v, %v; want the session just cached, about 12h left", cs, ok)
	}
}

// failingPuts is a real store whose writes all fail (a full disk).
type failingPuts struct{ Store }

func (failingPuts) Put(string, *cache.Entry) error { return errors.New("no space left on device") }

// TestCodeStepIsMadeOncePerRun: with --min-ttl under --server the code
// step is got first, then again as the next hop's caller. The second must
// be the credentials just made — not a second code — whether --refresh
// skips the cache or the cache could not keep them.
func TestCodeStepIsMadeOncePerRun(t *testing.T) {
	const deployARN = "arn:aws:iam::210987654321:role/deploy"
	for _, c := range []struct {
		name    string
		refresh bool
		failing bool
	}{{"refresh", true, false}, {"a write that fails", false, true}} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, "")
			// The code goes on the first hop (the source is temporary),
			// which is not the target.
			f.write(t, "[profile tmp]\nrole_arn = "+roleARN+"\nsource_profile = sess\nmfa_serial = "+serial+"\n"+
				"[profile deploy]\nrole_arn = "+deployARN+"\nsource_profile = tmp\n", f.temporarySource(t))
			f.srv.AddRole(deployARN, ststest.RolePolicy{Principals: []string{roleARN}})
			f.srv.ResetCalls()
			var store Store = f.openCache(t)
			if c.failing {
				store = failingPuts{store}
			}
			r := f.resolver(store)
			r.Refresh, r.CodeMinTTL = c.refresh, 30*time.Minute
			if _, err := f.retrieve(t, r, "deploy", LoadOptions{}); err != nil {
				t.Fatal(err)
			}
			if got, want := strings.Join(f.actions(), " "), "AssumeRole+MFA AssumeRole"; got != want {
				t.Errorf("STS calls = %s, want %s", got, want)
			}
			if n := f.prompts.Load(); n != 1 {
				t.Errorf("prompted %d times, want 1", n)
			}
		})
	}
}
