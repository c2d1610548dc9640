package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
)

type processCredentials struct {
	Version     int
	AccessKeyID string `json:"AccessKeyId"`
	Expiration  string
}

func parseProcessCredentials(t *testing.T, r result) processCredentials {
	t.Helper()
	var pc processCredentials
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &pc) != nil || pc.Version != 1 || pc.AccessKeyID == "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	return pc
}

// TestCredentialProcessServesFifteenMinutes guards botocore's refresh
// window: credentials printed for credential_process have at least 15
// minutes left, from the launcher and from awsrun-core, or botocore runs
// awsrun again on every call.
func TestCredentialProcessServesFifteenMinutes(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	first := parseProcessCredentials(t, w.run(t, "-p", "role101", "--export", "credential-process"))

	// The cached role credentials now have 10 minutes left.
	roleID := w.entryID(t, "role", "role101")
	s := w.store(t)
	e, ok := s.Get(roleID, 0)
	if !ok {
		t.Fatal("no role entry")
	}
	e.Expires = time.Now().Add(10 * time.Minute)
	if err := s.Put(roleID, &cache.Entry{Kind: e.Kind, Label: e.Label, Profile: e.Profile, Expires: e.Expires, Data: e.Data}); err != nil {
		t.Fatal(err)
	}
	alone := launcherAlone(t)
	w.srv.ResetCalls()

	// Enough for a command, and for --export json: served warm.
	if r := w.runBinary(t, alone, "-p", "role101", "--export", "json"); r.code != 0 || !strings.Contains(r.stdout, first.AccessKeyID) {
		t.Fatalf("--export json with 10 minutes left: exit %d, stderr %q", r.code, r.stderr)
	}
	// Not for credential_process: the launcher leaves it to awsrun-core…
	if r := w.runBinary(t, alone, "-p", "role101", "--export", "credential-process"); r.code != 125 || !strings.Contains(r.stderr, "awsrun-core") {
		t.Fatalf("the launcher served credentials with 10 minutes left to credential_process: exit %d, stdout %q", r.code, r.stdout)
	}
	// …which replaces them.
	next := parseProcessCredentials(t, w.run(t, "-p", "role101", "--export", "credential-process"))
	exp, err := time.Parse(time.RFC3339, next.Expiration)
	if next.AccessKeyID == first.AccessKeyID || err != nil || time.Until(exp) < 50*time.Minute {
		t.Fatalf("awsrun-core served %s until %s, want new credentials for about 1h", next.AccessKeyID, next.Expiration)
	}
	if n := w.srv.CallCount("AssumeRole"); n != 1 {
		t.Errorf("%d AssumeRole calls, want 1", n)
	}
	if n := w.srv.CallCount("GetSessionToken"); n != 0 {
		t.Errorf("the MFA session was fetched again (%d GetSessionToken calls)", n)
	}
	// And the new ones are served warm.
	if again := parseProcessCredentials(t, w.runBinary(t, alone, "-p", "role101", "--export", "credential-process")); again.AccessKeyID != next.AccessKeyID {
		t.Error("the launcher did not serve the new credentials")
	}
}

// TestCredentialProcessOfAFifteenMinuteRole: a role asked for 15 minutes
// cannot give 15 minutes left; it is served, not refused.
func TestCredentialProcessOfAFifteenMinuteRole(t *testing.T) {
	w := newWorld(t, "[profile role101]\nrole_arn = "+roleARN+"\nsource_profile = user101\nmfa_serial = "+serial+
		"\nregion = eu-west-1\nduration_seconds = 900\n")
	w.mfaProcess(t)
	pc := parseProcessCredentials(t, w.run(t, "-p", "role101", "--export", "credential-process"))
	if exp, err := time.Parse(time.RFC3339, pc.Expiration); err != nil || time.Until(exp) > 15*time.Minute {
		t.Errorf("expiration %s, want 15 minutes on", pc.Expiration)
	}
}
