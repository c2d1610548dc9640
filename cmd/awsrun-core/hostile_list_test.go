package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestListQuotesEscapeSequences is a config whose values and section names
// carry terminal escape sequences (a title change, a colour) and a bidi
// override: --list's table must show them quoted, never pass them to the
// terminal; its JSON escapes them as JSON does.
func TestListQuotesEscapeSequences(t *testing.T) {
	const (
		title = "\x1b]0;owned\a"
		red   = "\x1b[31m"
		rlo   = "\u202e"
		c1    = "\u009b"
	)
	w := newWorld(t, "[profile role101]\nrole_arn = arn:aws:iam::123456789012:role/x"+title+"\nsource_profile = user101\n"+
		"[profile "+red+"red]\nrole_arn = arn:aws:iam::123456789012:role/"+rlo+"gpj.exe\nsource_profile = user101"+c1+"\n")
	r := w.run(t, "--list")
	if r.code != 0 {
		t.Fatalf("--list: exit %d: %s", r.code, r.stderr)
	}
	for _, bad := range []string{"\x1b", "\a", rlo, c1} {
		if strings.Contains(r.stdout, bad) {
			t.Errorf("--list passes %q to the terminal:\n%q", bad, r.stdout)
		}
	}
	for _, want := range []string{`"arn:aws:iam::123456789012:role/x\x1b]0;owned\a"`, `"\x1b[31mred"`, `"arn:aws:iam::123456789012:role/\u202egpj.exe"`, `"user101\u009b"`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--list does not show %s:\n%s", want, r.stdout)
		}
	}

	j := w.run(t, "--list", "--json")
	if j.code != 0 {
		t.Fatalf("--list --json: exit %d: %s", j.code, j.stderr)
	}
	if strings.Contains(j.stdout, "\x1b") || strings.Contains(j.stdout, "\a") {
		t.Errorf("--list --json passes raw control characters:\n%q", j.stdout)
	}
	if !json.Valid([]byte(j.stdout)) || !strings.Contains(j.stdout, `role/x\u001b]0;owned\u0007`) {
		t.Errorf("--list --json does not carry the value escaped:\n%s", j.stdout)
	}
}
