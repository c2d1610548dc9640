package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestProfileNames(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	credentials := filepath.Join(dir, "credentials")
	long := "# " + strings.Repeat("x", 200<<10) + "\n"
	write(t, config, "[default]\nregion = us-east-1\n[profile role101]\nrole_arn = arn:aws:iam::1:role/r\n"+
		"  [ profile  spaced ]  \n[sso-session corp]\n[services local]\n[orphan]\n"+long+"[profile after-long]\n[profile role101]\n[profile]\n[profilex]\n")
	write(t, credentials, "[user101]\naws_access_key_id = AKIA\n[role101]\n[default]\n")
	got := ProfileNames(config, credentials)
	want := []string{"default", "role101", "spaced", "after-long", "user101"}
	if !slices.Equal(got, want) {
		t.Errorf("ProfileNames = %q, want %q", got, want)
	}
	if got := ProfileNames(filepath.Join(dir, "missing"), dir); len(got) != 0 {
		t.Errorf("missing file and a directory: %q, want none", got)
	}
}

func TestCompleteProfilesFiltersByPrefix(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "config"), "[profile role101]\n[profile role102]\n[profile other]\n")
	env := []string{"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "none"), "HOME=" + dir}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--complete-profiles"}, "role101\nrole102\nother\n"},
		{[]string{"--complete-profiles", "--", "role"}, "role101\nrole102\n"},
		{[]string{"--complete-profiles", "--", "nothing"}, ""},
	} {
		o, err := Parse(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code, done := Complete(o, &stdout, &stderr, env)
		if !done || code != 0 || stdout.String() != tt.want || stderr.Len() != 0 {
			t.Errorf("%q: done %v, exit %d, stdout %q (want %q), stderr %q", tt.args, done, code, stdout.String(), tt.want, stderr.String())
		}
	}
}

func TestCompletionRefusesBadUse(t *testing.T) {
	for _, args := range [][]string{{"--completion", "tcsh"}, {"--completion", "bash", "ls"}} {
		o, err := Parse(args)
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code, done := Complete(o, &stdout, &stderr, nil)
		if !done || code != 125 || stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "awsrun: error: ") {
			t.Errorf("%q: done %v, exit %d, stdout %q, stderr %q", args, done, code, stdout.String(), stderr.String())
		}
	}
	o, _ := Parse([]string{"-p", "x", "true"})
	if _, done := Complete(o, nil, nil, nil); done {
		t.Errorf("Complete served a run")
	}
}

// Every shell's script names every visible flag and the values awsrun
// offers; the shells themselves run them in cmd/awsrun-core's tests.
func TestCompletionScriptsNameEveryFlag(t *testing.T) {
	for _, shell := range Shells {
		script, err := CompletionScript(shell)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range completionFlags() {
			if !strings.Contains(script, "--"+f.Long) && !strings.Contains(script, "-l "+f.Long) {
				t.Errorf("%s script lacks --%s", shell, f.Long)
			}
			for _, v := range f.Values {
				if !strings.Contains(script, v) {
					t.Errorf("%s script lacks %s for --%s", shell, v, f.Long)
				}
			}
		}
		if strings.Contains(script, completeProfilesFlag+"[") || !strings.Contains(script, "--"+completeProfilesFlag) {
			t.Errorf("%s script offers the hidden flag, or does not call it", shell)
		}
	}
}

func TestCompletionScriptsQuote(t *testing.T) {
	tests := []struct{ got, want string }{
		{zshBracket(`a [b] c\`), `a \[b\] c\\`},
		{zshQuote(`it's`), `it'\''s`},
		{fishQuote(`it's \x`), `'it\'s \\x'`},
		{powershellQuote(`it's`), `'it''s'`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func write(t testing.TB, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkProfileNames5000 is the cost of a profile-name completion on a
// 5,000-profile config: the keypress waits for it (plus one launcher
// start).
func BenchmarkProfileNames5000(b *testing.B) {
	dir := b.TempDir()
	var config, credentials strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&config, "[profile role%04d]\nrole_arn = arn:aws:iam::123456789012:role/role%04d\nsource_profile = user%02d\nmfa_serial = arn:aws:iam::123456789012:mfa/user%02d\nregion = eu-west-1\n\n", i, i, i%50, i%50)
	}
	for i := range 50 {
		fmt.Fprintf(&credentials, "[user%02d]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n", i)
	}
	write(b, filepath.Join(dir, "config"), config.String())
	write(b, filepath.Join(dir, "credentials"), credentials.String())
	b.ResetTimer()
	for b.Loop() {
		if n := len(ProfileNames(filepath.Join(dir, "config"), filepath.Join(dir, "credentials"))); n != 5050 {
			b.Fatalf("%d names, want 5050", n)
		}
	}
}
