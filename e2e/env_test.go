//go:build unix

package e2e

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// removed are the variables the README (Environment) says are stripped
// from the child's environment, written out here rather than taken from
// runner.Removed: the test is the oracle, and must fail if runner's list
// loses a name.
var removed = []string{
	"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN",
	"AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION",
	"AWS_PROFILE",
	"AWS_DEFAULT_PROFILE",
	"AWS_ROLE_ARN",
	"AWS_ROLE_SESSION_NAME",
	"AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWSRUN_MFA_CODE",
	"AWSRUN_RESOLVING",
	"AWSRUN_KEYS_PASSPHRASE",
}

// injected are the variables awsrun sets in the child, with a region known.
var injected = []string{
	"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION",
	"AWS_REGION",
	"AWS_DEFAULT_REGION",
	"AWSRUN_REGION",
	"AWSRUN_PROFILE",
}

func TestParentShellKeepsItsEnvironment(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)

	cmd := f.command(ctx, "/bin/sh", "-i")
	cmd.Env = append(cmd.Env,
		"AWS_ACCESS_KEY_ID=AKIAPARENT0000000000",
		"AWS_SESSION_TOKEN=parent-session-token",
		"AWS_PROFILE=parent-profile",
		"PS1=e2e$ ",
	)
	s := startSession(t, ctx, cmd)
	s.expect(`e2e\$ `)
	s.send(`awsrun -p role101 -- sh -c 'echo child:$AWS_ACCESS_KEY_ID:${AWS_SESSION_TOKEN:+token}:$AWS_PROFILE:$AWSRUN_PROFILE'` + "\r")
	s.answerMFA(serial, f.Code())
	s.expect(`child:ASIA[A-Z0-9]{16}:token::role101\n`)
	s.expect(`e2e\$ `)
	s.send("echo parent:$AWS_ACCESS_KEY_ID:$AWS_SESSION_TOKEN:$AWS_PROFILE:${AWSRUN_PROFILE-unset}:$?\r")
	s.expect(`parent:AKIAPARENT0000000000:parent-session-token:parent-profile:unset:0\n`)
	s.expect(`e2e\$ `)
	s.send("exit\r")
	s.waitExit(0)
}

func TestChildEnvironmentIsParentMinusRemovedPlusInjected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	parent := append(slices.Clip(f.env),
		"LANG=C.UTF-8",
		"EMPTY=",
		"SPACES= a  b ",
		"MULTILINE=one\ntwo",
		"EQUALS=a=b=c",
		"NO_EQUALS_SIGN",
		"AWS_PROFILE_EXTRA=kept: only exact names are removed",
		"aws_profile=kept: names are case-sensitive",
		"AWS_REGION=eu-west-1",
	)
	for i, name := range removed {
		if name == "AWSRUN_MFA_CODE" {
			continue // a code for awsrun, which would then not prompt; cmd/awsrun's tests check it is removed
		}
		// Interleave them with variables that stay, to check the order.
		parent = append(parent, fmt.Sprintf("%s=parent-%d", name, i), fmt.Sprintf("KEPT_%d=%d", i, i))
	}
	checkChildEnvironment(t, f, parent)
}

// TestChildEnvironmentKeepsDuplicateEntries guards the README's "everything
// else passes through unchanged and in order" for a parent whose
// environment holds a name twice: execve allows it, and so must awsrun.
func TestChildEnvironmentKeepsDuplicateEntries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	parent := append(slices.Clip(f.env),
		"DUP=first",
		"AWS_ACCESS_KEY_ID=AKIAPARENT0000000000",
		"DUP=second",
		"AWS_PROFILE=parent-profile",
		"AWS_REGION=eu-west-1",
		"AWS_ACCESS_KEY_ID=AKIAPARENT1111111111",
		"AWS_PROFILE=parent-profile-again",
		"AWS_REGION=us-west-2",
		"DUP=third",
	)
	checkChildEnvironment(t, f, parent)
}

// checkChildEnvironment runs awsrun with exactly the environment parent,
// lets it run env -0, and compares what the child got in full: parent minus
// every occurrence of the removed and injected names, in order,
// duplicates included, plus each injected variable once.
func checkChildEnvironment(t *testing.T, f *fixture, parent []string) {
	t.Helper()
	ctx := testContext(t)
	envFile, outFile := f.Path("parent.env"), f.Path("child.env")
	f.Write(t, "parent.env", strings.Join(parent, "\x00")+"\x00")
	out, err := os.Create(outFile)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := f.command(ctx, helperCommand("exec-env", envFile, awsrunBin, "-p", "role101", "--", "env", "-0")...)
	cmd.Stdout = out // the prompt goes to the terminal, the dump to the file
	s := startSession(t, ctx, cmd)
	s.answerMFA(serial, f.Code())
	s.waitExit(0)
	b, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	child := splitNUL(b)

	drop := map[string]bool{}
	for _, n := range append(slices.Clone(removed), injected...) {
		drop[n] = true
	}
	var want, got []string
	set := map[string][]string{}
	for _, kv := range parent {
		if name, _, ok := strings.Cut(kv, "="); !ok || !drop[name] {
			want = append(want, kv)
		}
	}
	for _, kv := range child {
		name, value, ok := strings.Cut(kv, "=")
		if ok && slices.Contains(injected, name) {
			set[name] = append(set[name], value)
			continue
		}
		got = append(got, kv)
	}
	if !slices.Equal(got, want) {
		missing, extra := multisetDiff(want, got)
		t.Errorf("the child's environment is not the parent's minus the removed and injected names, in order\nmissing: %q\nunexpected: %q\nwant:\n%s\ngot:\n%s",
			missing, extra, formatEnv(want), formatEnv(got))
	}

	for _, name := range injected {
		if len(set[name]) != 1 {
			t.Errorf("the child has %d entries %s=, want 1: %q", len(set[name]), name, set[name])
		}
	}
	value := func(name string) string {
		if v := set[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if v := value("AWS_ACCESS_KEY_ID"); !strings.HasPrefix(v, "ASIA") {
		t.Errorf("AWS_ACCESS_KEY_ID=%q, want the role's temporary key ASIA…", v)
	}
	if value("AWS_SECRET_ACCESS_KEY") == "" || value("AWS_SESSION_TOKEN") == "" {
		t.Errorf("the child has no secret key or session token")
	}
	if exp, err := time.Parse(time.RFC3339, value("AWS_CREDENTIAL_EXPIRATION")); err != nil || exp.Location() != time.UTC || !exp.After(time.Now()) {
		t.Errorf("AWS_CREDENTIAL_EXPIRATION=%q, want a future RFC 3339 time in UTC", value("AWS_CREDENTIAL_EXPIRATION"))
	}
	for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWSRUN_REGION"} {
		if v := value(name); v != "eu-west-1" {
			t.Errorf("%s=%q, want the parent's AWS_REGION eu-west-1", name, v)
		}
	}
	if v := value("AWSRUN_PROFILE"); v != "role101" {
		t.Errorf("AWSRUN_PROFILE=%q, want role101", v)
	}
}

// multisetDiff returns the entries of want missing from got and those of got
// not in want, counting duplicates.
func multisetDiff(want, got []string) (missing, extra []string) {
	n := map[string]int{}
	for _, s := range got {
		n[s]++
	}
	for _, s := range want {
		if n[s] > 0 {
			n[s]--
		} else {
			missing = append(missing, s)
		}
	}
	for _, s := range got {
		if n[s] > 0 {
			n[s]--
			extra = append(extra, s)
		}
	}
	return missing, extra
}

func formatEnv(env []string) string {
	var b strings.Builder
	for i, kv := range env {
		fmt.Fprintf(&b, "\t%2d %q\n", i, kv)
	}
	return b.String()
}

func TestStdoutBelongsToChild(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, script string }{
		{"redirect", "awsrun -p role101 -- printf hi > out"},
		{"pipe", "awsrun -p role101 -- printf hi | cat > out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			f := newFixture(t)
			s := f.shell(t, ctx, tc.script)
			s.answerMFA(serial, f.Code())
			s.waitExit(0)
			b, err := os.ReadFile(f.Path("out"))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != "hi" {
				s.errorf("the child's stdout was %q, want exactly %q: awsrun wrote to it", b, "hi")
			}
		})
	}
}
