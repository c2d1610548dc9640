package main

import (
	"sort"
	"strings"
	"testing"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
)

// entriesByProfile lists the world's cached credential and index entries
// as "kind profile", sorted.
func (w *world) entriesByProfile(t *testing.T) []string {
	t.Helper()
	entries, err := w.store(t).List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Entry.Kind != cache.KindMFACode {
			out = append(out, string(e.Entry.Kind)+" "+e.Entry.Profile)
		}
	}
	sort.Strings(out)
	return out
}

// TestClearProfileForgetsOnlyItsOwnCredentials: --clear --profile X
// forgets X's target and X's warm index entries, and keeps what other
// profiles use: the parent role of a chained profile, the MFA session all
// profiles of a source share, and a profile whose name starts with X's —
// and says what it kept.
func TestClearProfileForgetsOnlyItsOwnCredentials(t *testing.T) {
	const deployARN = "arn:aws:iam::210987654321:role/deploy"
	profile := func(name, role, source, extra string) string {
		return "[profile " + name + "]\nrole_arn = " + role + "\nsource_profile = " + source + "\n" + extra
	}
	w := newWorld(t, profile("prod", roleARN, "user101", "mfa_serial = "+serial+"\nregion = us-east-1\n")+
		profile("prod eu", roleARN, "user101", "mfa_serial = "+serial+"\nregion = eu-west-1\n")+
		profile("deploy", deployARN, "prod", "region = us-east-1\n"))
	w.srv.AddRole(deployARN, ststest.RolePolicy{Principals: []string{roleARN}})
	w.mfaProcess(t)
	for _, p := range []string{"prod", "prod eu", "deploy"} {
		if r := w.run(t, "-p", p, "--", "true"); r.code != 0 {
			t.Fatalf("-p %s: exit %d: %s", p, r.code, r.stderr)
		}
	}
	all := "index deploy|index prod|index prod eu|role deploy|role prod|role prod eu|session user101"
	if got := strings.Join(w.entriesByProfile(t), "|"); got != all {
		t.Fatalf("cache after three runs:\n got %s\nwant %s", got, all)
	}

	r := w.run(t, "--clear", "--profile", "deploy")
	if got, want := strings.Join(w.entriesByProfile(t), "|"), "index prod|index prod eu|role prod|role prod eu|session user101"; r.code != 0 || got != want {
		t.Fatalf("--clear -p deploy: exit %d (%s)\n left %s\n want %s", r.code, r.stderr, got, want)
	}
	if want := "awsrun: kept the MFA session of user101 and the role of prod, shared with other profiles; awsrun --clear forgets everything"; !strings.Contains(r.stderr, want) {
		t.Errorf("--clear -p deploy said %q, want %q", r.stderr, want)
	}

	r = w.run(t, "--clear", "--profile", "prod")
	if got, want := strings.Join(w.entriesByProfile(t), "|"), "index prod eu|role prod eu|session user101"; r.code != 0 || got != want {
		t.Fatalf("--clear -p prod: exit %d (%s)\n left %s\n want %s", r.code, r.stderr, got, want)
	}
	if want := "awsrun: kept the MFA session of user101, shared with other profiles; awsrun --clear forgets everything"; !strings.Contains(r.stderr, want) {
		t.Errorf("--clear -p prod said %q, want %q", r.stderr, want)
	}

	// What was kept still serves: "prod eu" with no STS call at all, and
	// prod with one AssumeRole made with the kept session.
	w.srv.ResetCalls()
	if r := w.run(t, "-p", "prod eu", "--", "true"); r.code != 0 {
		t.Fatalf("-p 'prod eu': exit %d: %s", r.code, r.stderr)
	}
	if s, roles := w.counts(); s != 0 || roles != 0 {
		t.Errorf("-p 'prod eu' after --clear -p prod: %d GetSessionToken, %d AssumeRole; want none", s, roles)
	}
	if r := w.run(t, "-p", "prod", "--", "true"); r.code != 0 {
		t.Fatalf("-p prod: exit %d: %s", r.code, r.stderr)
	}
	if s, roles := w.counts(); s != 0 || roles != 1 {
		t.Errorf("-p prod after --clear -p prod: %d GetSessionToken, %d AssumeRole; want 0, 1", s, roles)
	}
}
