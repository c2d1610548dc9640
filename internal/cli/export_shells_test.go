package cli

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

// hostile holds every character a shell could take for syntax: quotes of
// all kinds, expansions, escapes, a newline, a tab, a trailing backslash.
const hostile = "it's \"q\" $HOME ${X} $(id) `id` \\ \\\\ \\' \\n\nline2\ttab ‘curly’ ’ ‚ ‛ ; # & | end\\"

func hostileCreds() warm.Credentials {
	return warm.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: hostile, SessionToken: "tok'en",
		Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func export(t *testing.T, format string, c warm.Credentials, region string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Export(&b, format, c, region); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestExportQuotingGolden(t *testing.T) {
	tests := []struct {
		format, want string
	}{
		{"fish", `set -gx AWS_ACCESS_KEY_ID 'ASIAEXAMPLE'
set -gx AWS_SECRET_ACCESS_KEY 'it\'s "q" $HOME ${X} $(id) ` + "`id`" + ` \\ \\\\ \\\' \\n
line2	tab ‘curly’ ’ ‚ ‛ ; # & | end\\'
set -gx AWS_SESSION_TOKEN 'tok\'en'
set -gx AWS_CREDENTIAL_EXPIRATION '2030-01-02T03:04:05Z'
set -gx AWS_REGION 'eu-west-1'
set -gx AWS_DEFAULT_REGION 'eu-west-1'
set -gx AWSRUN_REGION 'eu-west-1'
`},
		{"powershell", `$Env:AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE'
$Env:AWS_SECRET_ACCESS_KEY = 'it''s "q" $HOME ${X} $(id) ` + "`id`" + ` \ \\ \'' \n
line2	tab ‘‘curly’’ ’’ ‚‚ ‛‛ ; # & | end\'
$Env:AWS_SESSION_TOKEN = 'tok''en'
$Env:AWS_CREDENTIAL_EXPIRATION = '2030-01-02T03:04:05Z'
$Env:AWS_REGION = 'eu-west-1'
$Env:AWS_DEFAULT_REGION = 'eu-west-1'
$Env:AWSRUN_REGION = 'eu-west-1'
`},
		{"env", `export AWS_ACCESS_KEY_ID='ASIAEXAMPLE'
export AWS_SECRET_ACCESS_KEY='it'\''s "q" $HOME ${X} $(id) ` + "`id`" + ` \ \\ \'\'' \n
line2	tab ‘curly’ ’ ‚ ‛ ; # & | end\'
export AWS_SESSION_TOKEN='tok'\''en'
export AWS_CREDENTIAL_EXPIRATION='2030-01-02T03:04:05Z'
export AWS_REGION='eu-west-1'
export AWS_DEFAULT_REGION='eu-west-1'
export AWSRUN_REGION='eu-west-1'
`},
	}
	for _, tt := range tests {
		if got := export(t, tt.format, hostileCreds(), "eu-west-1"); got != tt.want {
			t.Errorf("--export %s:\n%s\nwant\n%s", tt.format, got, tt.want)
		}
	}
}

func TestExportDotenv(t *testing.T) {
	c := hostileCreds()
	c.SecretAccessKey = strings.ReplaceAll(hostile, "\n", "")
	want := `AWS_ACCESS_KEY_ID=ASIAEXAMPLE
AWS_SECRET_ACCESS_KEY=it's "q" $HOME ${X} $(id) ` + "`id`" + ` \ \\ \' \nline2	tab ‘curly’ ’ ‚ ‛ ; # & | end\
AWS_SESSION_TOKEN=tok'en
AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z
`
	if got := export(t, "dotenv", c, ""); got != want {
		t.Errorf("--export dotenv:\n%s\nwant\n%s", got, want)
	}
	// docker --env-file has no quoting: a line break cannot be carried,
	// and nothing is printed rather than a cut value.
	for _, bad := range []string{"a\nb", "a\rb", "a\x00b"} {
		c.SessionToken = bad
		var b bytes.Buffer
		err := Export(&b, "dotenv", c, "")
		if err == nil || b.Len() != 0 || strings.Contains(err.Error(), bad) {
			t.Errorf("dotenv of %q: err %v, printed %q", bad, err, b.String())
		}
	}
}

// shellRoundTrip runs script with the export on stdin, and returns what it
// prints: each variable's value, NUL-terminated.
func shellRoundTrip(t *testing.T, export string, argv ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(export)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "X=expanded"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, stderr.String())
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

var roundTripVars = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION"}

func checkRoundTrip(t *testing.T, shell string, got []string) {
	t.Helper()
	c := hostileCreds()
	want := []string{c.AccessKeyID, c.SecretAccessKey, c.SessionToken, "2030-01-02T03:04:05Z", "eu-west-1"}
	if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
		t.Errorf("%s set\n%q\nwant\n%q", shell, got, want)
	}
}

func TestExportEnvRoundTripsInSh(t *testing.T) {
	script := `eval "$(cat)"; for v in ` + strings.Join(roundTripVars, " ") + `; do eval "printf '%s\0' \"\$$v\""; done`
	checkRoundTrip(t, "sh", shellRoundTrip(t, export(t, "env", hostileCreds(), "eu-west-1"), "sh", "-c", script))
}

func TestExportFishRoundTripsInFish(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish is not installed")
	}
	script := `source; for v in ` + strings.Join(roundTripVars, " ") + `; printf '%s\0' "$$v"; end`
	checkRoundTrip(t, "fish", shellRoundTrip(t, export(t, "fish", hostileCreds(), "eu-west-1"), fish, "--no-config", "-c", script))
}

func TestExportPowerShellRoundTripsInPwsh(t *testing.T) {
	pwsh, err := exec.LookPath("pwsh")
	if err != nil {
		t.Skip("PowerShell is not installed; TestExportQuotingGolden checks its quoting")
	}
	script := `$input | Out-String | Invoke-Expression; foreach ($v in '` + strings.Join(roundTripVars, "','") + `') { [Console]::Out.Write((Get-Item "Env:$v").Value + [char]0) }`
	checkRoundTrip(t, "pwsh", shellRoundTrip(t, export(t, "powershell", hostileCreds(), "eu-west-1"), pwsh, "-NoProfile", "-NonInteractive", "-Command", script))
}

// TestEveryExportFormatIsListed: a format --export knows is named in the
// usage, in the flag's help and in the refusal of an unknown one.
func TestEveryExportFormatIsListed(t *testing.T) {
	var help bytes.Buffer
	(&Options{}).PrintHelp(&help)
	_, err := Prepare([]string{"--export", "yaml"}, testEnviron(t))
	if err == nil {
		t.Fatal("--export yaml was accepted")
	}
	usage, _, _ := strings.Cut(help.String(), "Flags:")
	var flag string
	for _, line := range strings.Split(help.String(), "\n") {
		if strings.Contains(line, "--export FORMAT") && !strings.HasPrefix(strings.TrimSpace(line), "awsrun") {
			flag = line
		}
	}
	for _, f := range ExportFormats {
		if !ValidExport(f) {
			t.Errorf("ValidExport(%q) = false", f)
		}
		if !strings.Contains(usage, f) {
			t.Errorf("the usage lines do not name %q", f)
		}
		if !strings.Contains(flag, f) {
			t.Errorf("--export's help %q does not name %q", flag, f)
		}
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%q does not name %q", err, f)
		}
	}
}
