package creds

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

// Chains built by hand: the plan is a pure function of the chain, so the
// rules of the credential flow are checked here without files or STS.
var (
	userKeys    = Credentials{AccessKeyID: "AKIAUSER101EXAMPLE01", SecretAccessKey: "secret"}
	sessionKeys = Credentials{AccessKeyID: "ASIATEMPORARY0000001", SecretAccessKey: "secret", SessionToken: "token"}
	otherSerial = "arn:aws:iam::" + acct + ":mfa/other"
)

func hop(profile, role string, d time.Duration) Hop {
	return Hop{Profile: profile, RoleARN: "arn:aws:iam::" + acct + ":role/" + role, SessionName: "awsrun-tester", Duration: d}
}

func explicit(h Hop) Hop { h.Explicit = true; return h }

func chain(src Source, mfa string, hops ...Hop) *Chain {
	return &Chain{Profile: hops[len(hops)-1].Profile, Source: src, Hops: hops, MFASerial: mfa,
		HopRegion: "eu-west-1", SessionRegion: "us-east-1", SessionDuration: 12 * time.Hour,
		configFile: "/home/tester/.aws/config", endpoint: "sts=test"}
}

func userChain(mfa string) *Chain {
	return &Chain{Profile: "user101", Source: Source{Profile: "user101", Static: userKeys}, MFASerial: mfa,
		HopRegion: "us-east-1", SessionRegion: "us-east-1", SessionDuration: 12 * time.Hour, configFile: "/home/tester/.aws/config"}
}

var (
	user101 = Source{Profile: "user101", Static: userKeys}
	envKeys = Source{Profile: "env", Static: sessionKeys}
	sso     = Source{Profile: "sso", Provider: "sso", label: "sso 123456789012/ReadOnly", inputs: []string{"sso_token=x"}}
)

// describePlan writes a plan as one line per step: kind, profile, parent,
// lifetime and the flags that matter.
func describePlan(p *Plan) string {
	var b strings.Builder
	for _, s := range p.Steps {
		fmt.Fprintf(&b, "%s %s parent=%d %s", s.Kind, s.Profile, s.Parent, fmtDuration(s.Duration))
		if s.Chained {
			fmt.Fprintf(&b, " chained(asked %s)", fmtDuration(s.Asked))
		}
		if s.Explicit {
			b.WriteString(" explicit")
		}
		if s.WithCode {
			fmt.Fprintf(&b, " code(%s)", s.Serial[strings.LastIndex(s.Serial, "/")+1:])
		}
		if s.ViaSession {
			b.WriteString(" via-session")
		}
		if s.Margin != RefreshMargin {
			fmt.Fprintf(&b, " margin=%s", fmtDuration(s.Margin))
		}
		b.WriteString("; ")
	}
	return strings.TrimSuffix(b.String(), "; ")
}

func TestNewPlanFollowsTheCredentialFlow(t *testing.T) {
	withMFA := func(h Hop, serial string) Hop { h.MFASerial = serial; return h }
	ssoWithRole := sso
	ssoWithRole.RoleARN, ssoWithRole.Duration, ssoWithRole.MFASerial = "arn:aws:iam::"+acct+":role/base", time.Hour, serial
	tests := []struct {
		name    string
		chain   *Chain
		minTTL  time.Duration
		want    string
		wantErr string
	}{
		{
			name:  "MFA session then one role hop",
			chain: chain(user101, serial, withMFA(hop("role101", "role101", time.Hour), serial)),
			want:  "session user101 parent=-1 12h code(user101); role role101 parent=0 1h via-session",
		},
		{
			name:  "role hops after the session are chained and cut to 1h",
			chain: chain(user101, serial, hop("role101", "role101", time.Hour), hop("deploy", "deploy", 2*time.Hour)),
			want:  "session user101 parent=-1 12h code(user101); role role101 parent=0 1h via-session; role deploy parent=1 1h chained(asked 2h)",
		},
		{
			name:  "--duration on a chained hop cannot be honoured",
			chain: chain(user101, serial, hop("role101", "role101", time.Hour), explicit(hop("deploy", "deploy", 2*time.Hour))),
			want:  "session user101 parent=-1 12h code(user101); role role101 parent=0 1h via-session; role deploy parent=1 1h chained(asked 2h) explicit",
		},
		{
			name:  "one hop over 1h with MFA: AssumeRole straight from the keys, with the code",
			chain: chain(user101, serial, withMFA(hop("role101", "role101", 2*time.Hour), serial)),
			want:  "role role101 parent=-1 2h code(user101)",
		},
		{
			name:  "two hops over 1h with MFA still go through the session",
			chain: chain(user101, serial, hop("role101", "role101", 2*time.Hour), hop("deploy", "deploy", 2*time.Hour)),
			want:  "session user101 parent=-1 12h code(user101); role role101 parent=0 1h chained(asked 2h) via-session; role deploy parent=1 1h chained(asked 2h)",
		},
		{
			name:  "long-term keys without MFA: hops straight from the keys, the first not chained",
			chain: chain(user101, "", hop("open", "open", 2*time.Hour), hop("deploy", "deploy", 2*time.Hour)),
			want:  "role open parent=-1 2h; role deploy parent=0 1h chained(asked 2h)",
		},
		{
			name:  "plain user with MFA: the session is the target",
			chain: userChain(serial),
			want:  "session user101 parent=-1 12h code(user101)",
		},
		{
			name:  "plain user without MFA still gets a session",
			chain: userChain(""),
			want:  "session user101 parent=-1 12h",
		},
		{
			name:  "temporary keys: the code goes with the first hop, which is chained",
			chain: chain(envKeys, serial, hop("a", "a", 2*time.Hour), hop("b", "b", time.Hour)),
			want:  "role a parent=-1 1h chained(asked 2h) code(user101); role b parent=0 1h",
		},
		{
			name:  "temporary source: the code goes with the first hop that names a device",
			chain: chain(sso, otherSerial, hop("a", "a", time.Hour), withMFA(hop("b", "b", time.Hour), otherSerial)),
			want:  "source sso parent=-1 0s; role a parent=0 1h; role b parent=1 1h code(other)",
		},
		{
			name:  "a provider that assumed its role with the code carries MFA: no hop sends one",
			chain: chain(ssoWithRole, serial, withMFA(hop("a", "a", time.Hour), serial)),
			want:  "source sso parent=-1 1h code(user101); role a parent=0 1h",
		},
		{
			name:    "temporary keys with MFA and no role",
			chain:   &Chain{Profile: "env", Source: envKeys, MFASerial: serial},
			wantErr: "mfa_serial needs a role to assume",
		},
		{
			name:    "web identity with MFA and no role",
			chain:   &Chain{Profile: "ci", Source: Source{Profile: "ci", Provider: "web_identity", RoleARN: ciRole}, MFASerial: serial},
			wantErr: "mfa_serial does not apply to web identity",
		},
		{
			name:   "--min-ttl raises the target's margin only",
			chain:  chain(user101, serial, hop("role101", "role101", 2*time.Hour), hop("deploy", "deploy", 2*time.Hour)),
			minTTL: 30 * time.Minute,
			want:   "session user101 parent=-1 12h code(user101); role role101 parent=0 1h chained(asked 2h) via-session; role deploy parent=1 1h chained(asked 2h) margin=30m",
		},
		{
			name:    "--min-ttl as long as the role is refused before any code",
			chain:   chain(user101, serial, hop("role101", "role101", time.Hour)),
			minTTL:  time.Hour,
			wantErr: "the role is asked for 1h, not more than --min-ttl 1h",
		},
		{
			name:    "--min-ttl beyond a chained hop's 1h",
			chain:   chain(user101, serial, hop("role101", "role101", time.Hour), hop("deploy", "deploy", 2*time.Hour)),
			minTTL:  90 * time.Minute,
			wantErr: "the role is asked for 1h, not more than --min-ttl 1h30m",
		},
		{
			name:    "--min-ttl beyond the MFA session",
			chain:   userChain(serial),
			minTTL:  13 * time.Hour,
			wantErr: "the MFA session is asked for 12h, not more than --min-ttl 13h",
		},
		{
			name:   "--min-ttl is no reason to refuse a source whose provider decides",
			chain:  &Chain{Profile: "sso", Source: sso},
			minTTL: 13 * time.Hour,
			want:   "source sso parent=-1 0s margin=13h",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := fmt.Sprintf("%#v", *tt.chain)
			p, err := NewPlan(tt.chain, tt.minTTL)
			if after := fmt.Sprintf("%#v", *tt.chain); after != before {
				t.Errorf("NewPlan changed the chain:\n%s\n%s", before, after)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewPlan = %s, %v; want an error with %q", describeIfAny(p), err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := describePlan(p); got != tt.want {
				t.Errorf("plan\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func describeIfAny(p *Plan) string {
	if p == nil {
		return "no plan"
	}
	return describePlan(p)
}

// TestNewPlanSharesTheSessionAcrossProfiles: profiles of one source share
// the MFA session whatever their regions, but never a role entry.
func TestNewPlanSharesTheSessionAcrossProfiles(t *testing.T) {
	a := chain(user101, serial, hop("role101", "role101", time.Hour))
	b := chain(user101, serial, hop("role102", "role102", time.Hour))
	b.HopRegion = "eu-north-1"
	pa, err := NewPlan(a, 0)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := NewPlan(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if pa.Steps[0].ID != pb.Steps[0].ID {
		t.Error("two profiles of one source plan different MFA sessions")
	}
	if pa.TargetID() == pb.TargetID() {
		t.Error("two roles share a cache entry")
	}
	a2 := *a
	a2.HopRegion = "eu-north-1"
	if pa2, _ := NewPlan(&a2, 0); pa2.TargetID() == pa.TargetID() {
		t.Error("one role in two regions shares a cache entry")
	}
	if got, want := pa.IDs(), []string{pa.Steps[1].ID, pa.Steps[0].ID}; !reflect.DeepEqual(got, want) {
		t.Errorf("IDs = %v, want target first %v", got, want)
	}
}

// TestRetrieveLeavesTheChainAlone: a credential_process source is asked on
// every run and planned as the keys it printed — on a copy: the caller's
// chain still names the process, so a second Retrieve asks it again.
func TestRetrieveLeavesTheChainAlone(t *testing.T) {
	f := newFixture(t, "")
	src := credentialProcess(t, f, true)
	f.srv.AddRole(openRole, ststest.RolePolicy{Principals: []string{userARN}})
	cfg, _ := os.ReadFile(filepath.Join(f.home, ".aws", "config"))
	writeFile(t, filepath.Join(f.home, ".aws", "config"), string(cfg)+"[profile r]\nrole_arn = "+openRole+"\nsource_profile = proc\n")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := LoadChain(ctx, "r", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal(c)
	beforeGo := fmt.Sprintf("%#v", *c)
	r := f.resolver(f.openCache(t))
	for range 2 {
		if _, err := r.Retrieve(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	after, _ := json.Marshal(c)
	if string(before) != string(after) || fmt.Sprintf("%#v", *c) != beforeGo {
		t.Errorf("Retrieve changed its chain:\n%s\n%s", before, after)
	}
	if n := src.calls(); n != 2 {
		t.Errorf("process ran %d times in two runs, want 2", n)
	}
}
