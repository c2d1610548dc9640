package main

import (
	"regexp"
	"strings"
	"testing"
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
	w.mfaProcess(t)
	if r := w.run(t, "-p", "role101", "--", "true"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r := w.run(t, "--clear", "--profile", "role101")
	if r.code != 0 || !strings.Contains(r.stderr, "forgot the cached credentials of profile role101") {
		t.Fatalf("--clear --profile: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, kind := range w.cached(t) {
		if kind == "session" || kind == "role" {
			t.Errorf("a %s entry survived --clear --profile role101", kind)
		}
	}
	// The launcher must not serve a cleared profile from its index.
	w.srv.ResetCalls()
	r = w.run(t, "-p", "role101", "--", "true")
	if s, roles := w.counts(); r.code == 0 && s+roles == 0 {
		t.Errorf("a run after --clear made no STS call")
	}

	if r := w.run(t, "--clear"); r.code != 0 || !strings.Contains(r.stderr, "removed") {
		t.Fatalf("--clear: exit %d, stderr %q", r.code, r.stderr)
	}
	if kinds := w.cached(t); len(kinds) != 0 {
		t.Errorf("entries left after --clear: %v", kinds)
	}
}
