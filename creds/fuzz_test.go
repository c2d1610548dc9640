package creds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
)

// FuzzLoadChain feeds LoadChain arbitrary config and credentials files and
// profile names. Whatever the input, LoadChain returns within its deadline,
// and either a consistent chain or a *ConfigError of one line that names
// the profile and repeats no secret of the files. It reads only the two
// files it is given: the environment it sees is empty.
//
// The corpus in testdata/fuzz/FuzzLoadChain holds real shapes: chains,
// cycles, self-reference, [default], [profile x] in the credentials file,
// sso-session and services sections, garbage, NUL bytes and huge lines,
// and the reproducers (found-*) of what fuzzing found: a lone quote that
// made the SDK's INI parser panic, the SDK's multi-line partial-keys error,
// a parse error that named no profile, a profile name with a line break,
// and inline comments the chain check read differently from the SDK.
func FuzzLoadChain(f *testing.F) {
	f.Add(role101, seedCredentials, "role101")
	f.Add("[profile a]\nsource_profile = b\nrole_arn = arn:aws:iam::123456789012:role/a\n[profile b]\nsource_profile = a\nrole_arn = arn:aws:iam::123456789012:role/b\n", "", "a")
	f.Fuzz(func(t *testing.T, configText, credentialsText, profile string) {
		if profile == "" {
			return // the command line turns no profile into "default"
		}
		dir := t.TempDir()
		configFile, credsFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
		if err := os.WriteFile(configFile, []byte(configText), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(credsFile, []byte(credentialsText), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		type result struct {
			c     *Chain
			err   error
			panic string // the panic and its stack, "" when none
		}
		done := make(chan result, 1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					done <- result{panic: fmt.Sprintf("%v\n%s", p, debug.Stack())}
				}
			}()
			c, err := LoadChain(ctx, profile, LoadOptions{ConfigFile: configFile, CredentialsFile: credsFile,
				Getenv: func(string) string { return "" }})
			done <- result{c: c, err: err}
		}()
		var res result
		select {
		case res = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("LoadChain(%q) still running after 10s", profile)
		}
		if res.panic != "" {
			t.Fatalf("LoadChain(%q) panicked: %s", profile, res.panic)
		}

		if res.err != nil {
			checkLoadError(t, res.err, profile, configText, credentialsText, configFile, credsFile)
			return
		}
		checkChain(t, res.c, profile)
	})
}

func checkLoadError(t *testing.T, err error, profile, configText, credentialsText, configFile, credsFile string) {
	t.Helper()
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("LoadChain(%q) error %T %q, want a *ConfigError", profile, err, err)
	}
	msg := err.Error()
	var problems []string
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if strings.ContainsAny(msg, "\n\r") {
		report("error spans lines: %q", msg)
	}
	if ce.Profile == "" || !strings.HasPrefix(msg, "profile "+quoteOdd(ce.Profile)) {
		report("error names no profile: %q", msg)
	}
	public := profile + "\n" + configFile + "\n" + credsFile + "\n"
	var secrets []string
	for _, text := range []string{configText, credentialsText} {
		p, s := splitSecrets(text)
		public += p
		secrets = append(secrets, s...)
	}
	for _, s := range secrets {
		if strings.Contains(msg, s) && !strings.Contains(public, s) {
			report("error repeats the secret %q: %q", s, msg)
		}
		if strings.Contains(ce.Hint(), s) && !strings.Contains(public, s) {
			report("hint repeats the secret %q: %q", s, ce.Hint())
		}
	}
	if strings.Contains(msg, " not found") || strings.Contains(msg, "source_profile cycle") {
		// The chain is checked on a second reading of the files; the SDK's
		// own reading must not disagree.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if sdkResolves(ctx, profile, configFile, credsFile) {
			report("refuses a profile the SDK resolves: %q", msg)
		}
	}
	for _, p := range problems {
		t.Errorf("LoadChain(%q): %s", profile, p)
	}
}

// sdkResolves reports whether the SDK's own loader resolves profile from
// the files without an error (or a panic).
func sdkResolves(ctx context.Context, profile, configFile, credsFile string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{configFile}, []string{credsFile}
	})
	return err == nil
}

// splitSecrets returns text without the values of its secret keys, and
// those values with every word of 8 bytes or more in them: a parser that
// stops a value at a space or a comment mark must not leak the rest.
func splitSecrets(text string) (public string, secrets []string) {
	var b strings.Builder
	for line := range strings.Lines(text) {
		key, value, ok := strings.Cut(line, "=")
		if k, v, colon := strings.Cut(line, ":"); colon && (!ok || len(k) < len(key)) {
			key, value, ok = k, v, true // go-ini also reads key: value
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "aws_secret_access_key", "aws_session_token":
		default:
			ok = false
		}
		if !ok {
			b.WriteString(line)
			continue
		}
		b.WriteString(key + "=\n")
		for _, w := range append([]string{strings.TrimSpace(value)}, strings.FieldsFunc(value, func(r rune) bool {
			return strings.ContainsRune(" \t\r\n\"'`#;", r)
		})...) {
			if len(w) >= 8 {
				secrets = append(secrets, w)
			}
		}
	}
	return b.String(), secrets
}

func checkChain(t *testing.T, c *Chain, profile string) {
	t.Helper()
	if c.Profile != profile {
		t.Errorf("chain of %q is for %q", profile, c.Profile)
	}
	if c.Source.Profile == "" {
		t.Errorf("chain of %q has no source profile", profile)
	}
	if c.Source.Provider == "" && (c.Source.Static.AccessKeyID == "" || c.Source.Static.SecretAccessKey == "") {
		t.Errorf("chain of %q: source %s has neither keys nor a provider", profile, c.Source.Profile)
	}
	for _, h := range c.Hops {
		if _, err := parseRoleARN(h.RoleARN); err != nil {
			t.Errorf("chain of %q: hop %s: %v", profile, h.Profile, err)
		}
		if h.Duration < minDuration || h.Duration > maxRoleDuration {
			t.Errorf("chain of %q: hop %s lasts %s, outside 15m–12h", profile, h.Profile, h.Duration)
		}
		if !validSessionName(h.SessionName) {
			t.Errorf("chain of %q: hop %s: session name %q", profile, h.Profile, h.SessionName)
		}
	}
	if c.SessionDuration < minDuration || c.SessionDuration > maxSessionDuration {
		t.Errorf("chain of %q: session lasts %s, outside 15m–36h", profile, c.SessionDuration)
	}
	if c.MFASerial != "" {
		if _, err := ParseARN(c.MFASerial); err != nil {
			t.Errorf("chain of %q: mfa_serial: %v", profile, err)
		}
	}
	if c.HopRegion == "" || c.SessionRegion == "" {
		t.Errorf("chain of %q: STS regions %q, %q", profile, c.HopRegion, c.SessionRegion)
	}
}
