package main

import (
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

// TestExplicitDurationCutByRoleChainingIsSaid: a -d that AWS cannot give
// (a role assumed with temporary credentials lasts 1h at most) is said on
// stderr without -v, in one line; a duration_seconds from the config is
// cut as quietly as before.
func TestExplicitDurationCutByRoleChainingIsSaid(t *testing.T) {
	const deployARN = "arn:aws:iam::210987654321:role/deploy"
	w := newWorld(t, "")
	w.write(t, ".aws/config", "[profile role101]\nrole_arn = "+roleARN+"\nsource_profile = user101\nmfa_serial = "+serial+"\nregion = eu-west-1\n"+
		"[profile deploy]\nrole_arn = "+deployARN+"\nsource_profile = role101\nduration_seconds = 7200\n")
	w.srv.AddRole(deployARN, ststest.RolePolicy{Principals: []string{roleARN}, MaxSessionDuration: 4 * time.Hour})
	w.mfaProcess(t)

	r := w.run(t, "-p", "deploy", "--", "true")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("duration_seconds cut to 1h: exit %d, stderr %q; want 0 and nothing said", r.code, r.stderr)
	}
	// Every run says it, the second (served from the cache, and never
	// from the launcher's warm index) like the first.
	for range 2 {
		r = w.run(t, "-p", "deploy", "-d", "2h", "--", "true")
		want := "awsrun: deploy: role chaining caps " + deployARN + " at 1h: --duration 2h cannot be honoured\n"
		if r.code != 0 || r.stderr != want {
			t.Errorf("-d 2h cut to 1h: exit %d, stderr %q; want 0 and %q", r.code, r.stderr, want)
		}
	}
}
