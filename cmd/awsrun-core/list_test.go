package main

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestListShowsProfilesEntriesAndKeyStore(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	if r := w.run(t, "-p", "role101", "--", "true"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r := w.run(t, "--list")
	if r.code != 0 {
		t.Fatalf("--list: exit %d: %s", r.code, r.stderr)
	}
	for _, re := range []string{
		`(?m)^role101\s+` + regexp.QuoteMeta(roleARN) + `\s+user101\s+` + regexp.QuoteMeta(serial) + `$`,
		`(?m)^user101\s+-\s+-\s+-$`,
		`(?m)^cache: .*/\.cache/awsrun \(key in file .*/\.config/awsrun/cache\.key\)$`,
		`(?m)^session\s+user101 ` + regexp.QuoteMeta(serial) + `\s+1[12]h\d*m?$`,
		`(?m)^role\s+role101 ` + regexp.QuoteMeta(roleARN) + `\s+(1h|59m|60m)`,
	} {
		if !regexp.MustCompile(re).MatchString(r.stdout) {
			t.Errorf("--list output lacks %s:\n%s", re, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "index") || strings.Contains(r.stdout, "mfa-code") {
		t.Errorf("--list shows bookkeeping entries:\n%s", r.stdout)
	}
}

func TestClearForgetsOneProfileOrAll(t *testing.T) {
	w := newWorld(t, "")
	setCode, _ := w.mfaProcess(t)
	// Two variants of the profile: --clear --profile forgets both, and
	// keeps the MFA session every profile of user101 shares.
	for _, args := range [][]string{{"-p", "role101", "--", "true"}, {"-p", "role101", "-r", "eu-north-1", "--", "true"}} {
		if r := w.run(t, args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	r := w.run(t, "--clear", "--profile", "role101")
	if r.code != 0 || !strings.Contains(r.stderr, "forgot the cached credentials of profile role101") {
		t.Fatalf("--clear --profile: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, kind := range w.cached(t) {
		if kind != "mfa-code" && kind != "session" {
			t.Errorf("a %s entry survived --clear --profile role101", kind)
		}
	}
	// The launcher must not serve a cleared profile from its index, for
	// either variant: the role is fetched again, with the kept session.
	w.srv.ResetCalls()
	r = w.run(t, "-p", "role101", "-r", "eu-north-1", "--", "true")
	if s, roles := w.counts(); r.code != 0 || s != 0 || roles != 1 {
		t.Errorf("run after --clear -p: exit %d (%s), %d GetSessionToken, %d AssumeRole; want 0, 0, 1", r.code, r.stderr, s, roles)
	}

	if r := w.run(t, "--clear"); r.code != 0 || !strings.Contains(r.stderr, "removed") {
		t.Fatalf("--clear: exit %d, stderr %q", r.code, r.stderr)
	}
	codes := 0
	for _, kind := range w.cached(t) {
		if kind == "mfa-code" {
			codes++
		} else {
			t.Errorf("a %s entry survived --clear", kind)
		}
	}
	if codes != 1 {
		t.Errorf("%d used-code records after --clear, want the one kept", codes)
	}
	// --list then says so, instead of a header over no rows.
	if r := w.run(t, "--list"); r.code != 0 || !strings.Contains(r.stdout, "): nothing cached\n") || strings.Contains(r.stdout, "TIME LEFT") {
		t.Errorf("--list after --clear: exit %d, stdout:\n%s", r.code, r.stdout)
	}
	// The record of the code already sent survives, so the new session
	// takes the next code instead of failing on the old one.
	setCode(w.dev.Code(w.srv.Now().Add(30 * time.Second)))
	w.srv.ResetCalls()
	r = w.run(t, "-p", "role101", "--", "true")
	if s, roles := w.counts(); r.code != 0 || s != 1 || roles != 1 {
		t.Errorf("run after --clear: exit %d (%s), %d GetSessionToken, %d AssumeRole; want 0, 1, 1", r.code, r.stderr, s, roles)
	}
}

func TestExportWorksInsideAnAwsrunCommand(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	// A tool run by awsrun whose own profile uses credential_process =
	// awsrun --export: the nesting guard is for replacing credentials, and
	// --export replaces none.
	r := w.run(t, "-p", "role101", "--", binary(t), "-p", "role101", "--export", "credential-process")
	if r.code != 0 || !strings.Contains(r.stdout, `"Version": 1`) {
		t.Errorf("nested --export: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := w.run(t, "-p", "role101", "--", binary(t), "-p", "role101", "--", "true"); r.code != 125 {
		t.Errorf("nested run without --nested: exit %d, want 125", r.code)
	}
}
