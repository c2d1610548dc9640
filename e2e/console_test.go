//go:build unix

package e2e

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestConsoleURLPromptsOnTerminalPrintsURLOnStdout is --console-url as a
// person runs it: the code is asked on the terminal, the URL alone goes to
// stdout, and a second run takes the cached role without a prompt.
func TestConsoleURLPromptsOnTerminalPrintsURLOnStdout(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	fed := f.Srv.NewFederation()
	t.Cleanup(fed.Close)
	f.env = append(f.env, "AWSRUN_FEDERATION_ENDPOINT="+fed.URL)

	run := func(prompted bool) string {
		t.Helper()
		var stdout bytes.Buffer
		cmd := f.command(ctx, awsrunBin, "-p", "role101", "--console-url")
		cmd.Stdout = &stdout // stdin and stderr stay the terminal
		s := startSession(t, ctx, cmd)
		if prompted {
			s.answerMFA(serial, f.Code())
		}
		s.waitExit(0)
		loginURL := strings.TrimSpace(stdout.String())
		u, err := url.Parse(loginURL)
		if err != nil || u.Query().Get("SigninToken") == "" || strings.Count(stdout.String(), "\n") != 1 {
			s.fatalf("stdout %q is not one login URL", stdout.String())
		}
		if screen := s.text(); strings.Contains(screen, u.Query().Get("SigninToken")) || strings.Contains(screen, "federation?") {
			s.errorf("the terminal shows the URL or its token")
		}
		if !prompted && strings.Contains(s.text(), promptFor(serial)) {
			s.errorf("a warm --console-url asked for a code")
		}
		return loginURL
	}

	first := run(true)
	calls := len(f.credentialCalls())
	second := run(false)
	if n := len(f.credentialCalls()); n != calls {
		t.Errorf("the second --console-url made %d credential calls", n-calls)
	}
	for _, loginURL := range []string{first, second} {
		login, err := fed.Follow(ctx, loginURL)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile("^" + assumedRole + "$").MatchString(login.ARN) {
			t.Errorf("the URL signs in as %s, want role101", login.ARN)
		}
	}
}
