package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHostileSTSErrorTextIsEscaped is an STS endpoint (a proxy, a test
// endpoint set by a hostile environment) whose error message carries C1
// controls and bidi overrides: they must reach the terminal escaped, in
// the one error line.
func TestHostileSTSErrorTextIsEscaped(t *testing.T) {
	const message = "denied \u009b2J\u009b0;0H all clear\u202e txt.exe \u2066x\u2069 \u200f"
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>` +
			message + `</Message></Error><RequestId>1</RequestId></ErrorResponse>`))
	}))
	defer hostile.Close()
	w := newWorld(t, "")
	w.env = append(w.env, "AWS_ENDPOINT_URL_STS="+hostile.URL)
	r := w.run(t, "-p", "role101", "-t", w.code(), "--", "true")
	if r.code != 125 || !strings.HasPrefix(r.stderr, "awsrun: error: ") || strings.Count(r.stderr, "\n") != 2 {
		t.Fatalf("exit %d, stderr %q; want 125 and an error with a hint", r.code, r.stderr)
	}
	for _, raw := range []string{"\u009b", "\u202e", "\u2066", "\u2069", "\u200f"} {
		if strings.Contains(r.stderr, raw) {
			t.Errorf("stderr carries %q raw: %q", raw, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, `denied \x9b2J\x9b0;0H all clear\u202e txt.exe \u2066x\u2069 \u200f`) {
		t.Errorf("stderr %q does not show the message escaped", r.stderr)
	}
}
