package cli

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/runner"
)

// testEnviron is an environment whose AWS files are in a temp HOME, with
// sh findable in PATH.
func testEnviron(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile p]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials")}
}

// TestEveryFlagIsClassified guards the launcher's hand-over: a flag
// without a class would be served warm, silently ignored.
func TestEveryFlagIsClassified(t *testing.T) {
	for _, f := range newFlagSet(&Options{}).flags {
		if f.class != WarmSafe && f.class != CoreOnly {
			t.Errorf("flag --%s is not classified warm-safe or core-only", f.name)
		}
		if f.modes == 0 {
			t.Errorf("flag --%s has a meaning in no mode", f.name)
		}
	}
}

// TestCoreOnlyFlagsAreHandedOver lists what the launcher must never
// answer from the cache.
func TestCoreOnlyFlagsAreHandedOver(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{[]string{"-p", "p", "-t", "123456", "-d", "2h", "--session-duration", "12h", "-r", "eu-west-1", "--min-ttl", "10m", "--nested", "true"}, false},
		{[]string{"--export", "env"}, false},
		{[]string{"--no-cache", "true"}, true},
		{[]string{"--refresh", "true"}, true},
		{[]string{"-v", "true"}, true},
		{[]string{"--verbose=false", "true"}, true}, // given: awsrun-core decides
		{[]string{"--list"}, true},
		{[]string{"--list", "--json"}, true},
		{[]string{"--clear"}, true},
		{[]string{"--keys", "list"}, true},
		{[]string{"-p", "u", "--keys", "add"}, true},
		{[]string{"--console"}, true},
		{[]string{"--console-url", "-p", "p"}, true},
		{[]string{"--console-url", "--console-service", "s3"}, true},
		{[]string{"--console-url", "--console-path", "ec2/home"}, true},
		{[]string{"--whoami", "-p", "p"}, true},
		{[]string{"--server", "true"}, true},
	}
	for _, tt := range tests {
		o, err := Parse(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.NeedsCore(); got != tt.want {
			t.Errorf("NeedsCore(%q) = %t, want %t", tt.args, got, tt.want)
		}
	}
}

func TestParseDoesNotRenderTheHelp(t *testing.T) {
	allocs := testing.AllocsPerRun(10, func() { _, _ = Parse([]string{"-p", "x", "true"}) })
	withHelp := testing.AllocsPerRun(10, func() { _ = flagUsages() })
	if allocs >= withHelp {
		t.Errorf("Parse allocates %.0f times, rendering the flag list %.0f: Parse renders it", allocs, withHelp)
	}
	var b strings.Builder
	o, _ := Parse([]string{"--help"})
	o.PrintHelp(&b)
	for _, want := range []string{"--mfa-code CODE", "--min-ttl DUR", "AWSRUN_STS_TIMEOUT", "AWSRUN_MFA_CODE"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}

// TestIncompatibleModesAreUsageErrors guards against a CI step that
// passes having done nothing: --list or --clear with a command or
// --export, and flags a mode would ignore.
func TestIncompatibleModesAreUsageErrors(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--clear", "--", "terraform", "apply"}, `--clear runs no command, but "terraform" was given`},
		{[]string{"--list", "ls"}, `--list runs no command, but "ls" was given`},
		{[]string{"--clear", "--export", "env"}, "--export does not go with --clear"},
		{[]string{"--list", "--export", "json"}, "--export does not go with --list"},
		{[]string{"--list", "--clear"}, "--list and --clear are separate runs"},
		{[]string{"--list", "-p", "x"}, "--profile does not go with --list"},
		{[]string{"--clear", "-t", "123456"}, "--mfa-code does not go with --clear"},
		{[]string{"--clear", "--refresh"}, "--refresh does not go with --clear"},
		{[]string{"--json", "true"}, "--json goes with --list"},
		{[]string{"--export", "env", "--json"}, "--json goes with --list"},
		{[]string{"--list", "--json", "-v"}, ""},
		{[]string{"--clear", "-p", "p", "-r", "eu-west-1", "-v"}, ""},
		{[]string{"--help", "--clear", "true"}, ""}, // help wins, as everywhere
		{[]string{"--version", "--list", "x"}, ""},
		{[]string{"--keys", "add", "--", "true"}, `--keys runs no command, but "true" was given`},
		{[]string{"--keys", "list", "--list"}, "--list does not go with --keys"},
		{[]string{"--list", "--keys", "list"}, "--list does not go with --keys"},
		{[]string{"--keys", "rotate", "-d", "1h"}, "--duration does not go with --keys"},
		{[]string{"--keys", "rotate", "--export", "env"}, "--export does not go with --keys"},
		{[]string{"--keys", "rotate", "--no-cache"}, "--no-cache does not go with --keys"},
		{[]string{"--keys", "rotate", "-p", "u", "-t", "123456", "-r", "eu-west-1", "-v"}, ""},
		{[]string{"--keys", "list", "--json"}, ""},
		// The console and --whoami run nothing and print no credentials.
		{[]string{"--console-url", "--", "true"}, `--console and --console-url run no command, but "true" was given`},
		{[]string{"--console-service", "s3", "--", "true"}, "--console-service and --console-path go with --console or --console-url"},
		{[]string{"--console-path", "iam/home"}, "--console-service and --console-path go with --console or --console-url"},
		{[]string{"--console", "--console-url"}, "--console opens the browser and --console-url prints the URL: pass one"},
		{[]string{"--console", "--console-service", "s3", "--console-path", "iam/home"}, "both pick the page: pass one"},
		{[]string{"--console-url", "--export", "env"}, "--console and --console-url print no credentials: drop --export"},
		{[]string{"--console", "--whoami"}, "--whoami does not go with --console"},
		{[]string{"--console", "--list"}, "--console does not go with --list"},
		{[]string{"--console", "--json"}, "--json goes with --list, --whoami, --doctor or --keys list"},
		{[]string{"--whoami", "ls"}, `--whoami runs no command, but "ls" was given`},
		{[]string{"--whoami", "--export", "env"}, "--whoami prints no credentials: drop --export"},
		{[]string{"--whoami", "--clear"}, "--whoami does not go with --clear"},
		{[]string{"--console-url", "-p", "p", "-t", "123456", "-d", "2h", "--session-duration", "12h", "-r", "eu-west-1", "--min-ttl", "10m",
			"--no-cache", "--refresh", "-v", "--console-service", "s3"}, ""},
		{[]string{"--whoami", "--json", "-p", "p", "-t", "123456", "-d", "2h", "--session-duration", "12h", "-r", "eu-west-1", "--min-ttl", "10m",
			"--no-cache", "--refresh", "-v"}, ""},
		// Nothing is checked for nesting there: --nested would say it is.
		{[]string{"--console", "--nested"}, "--nested does not go with --console"},
		{[]string{"--whoami", "--nested"}, "--nested does not go with --whoami"},
		{[]string{"--server", "--nested", "true"}, ""},
		{[]string{"--export", "env", "--nested"}, ""},
		{[]string{"--server", "-p", "p", "--export", "json"}, "--server runs a command and serves it credentials; --export prints them instead"},
		{[]string{"--list", "--server"}, "--server does not go with --list"},
		{[]string{"--clear", "--server"}, "--server does not go with --clear"},
		{[]string{"--server", "--json", "true"}, "--json goes with --list"},
		{[]string{"--server"}, ""}, // the shell, served like any command
		{[]string{"--server", "-p", "p", "-d", "2h", "--session-duration", "24h", "--min-ttl", "6h", "--no-cache", "--refresh", "-v", "true"}, ""},
		{[]string{"--completion", "bash"}, ""},
		{[]string{"--complete-profiles", "--", "pro"}, ""},
		{[]string{"--completion", "zsh", "--list"}, "--list does not go with --completion"},
		{[]string{"--completion", "zsh", "-p", "x"}, "--profile does not go with --completion"},
		{[]string{"--complete-profiles", "-v"}, "--verbose does not go with --completion"},
		{[]string{"--export", "env", "--completion", "fish"}, "--export does not go with --completion"},
	}
	for _, tt := range tests {
		_, err := Prepare(tt.args, testEnviron(t))
		var ue UsageError
		if (err == nil) != (tt.wantErr == "") || err != nil && (!errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("Prepare(%q) = %v, want usage error %q", tt.args, err, tt.wantErr)
		}
	}
}

// TestEmptyProfileNameIsAnError guards -p ” against silently meaning
// $AWS_PROFILE or default.
func TestEmptyProfileNameIsAnError(t *testing.T) {
	for _, args := range [][]string{{"-p", "", "true"}, {"--profile=", "--export", "env"}, {"--clear", "-p", " "}} {
		_, err := Prepare(args, append(testEnviron(t), "AWS_PROFILE=p"))
		var ue UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "the profile name is empty") {
			t.Errorf("Prepare(%q) = %v, want a usage error", args, err)
		}
	}
}

// TestRegionMustBeARegionName: -r123456, a typo for -t, must neither reach
// STS (the region is in the signature and the host name) nor be echoed.
func TestRegionMustBeARegionName(t *testing.T) {
	for _, r := range []string{"123456", "", "EU-WEST-1", "eu west 1", "eu-west-1.evil.example", "-"} {
		_, err := Prepare([]string{"-p", "x", "--region=" + r, "true"}, testEnviron(t))
		var ue UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "not a region name") {
			t.Errorf("--region %q: %v, want a usage error", r, err)
		}
		if len(r) > 1 && err != nil && strings.Contains(err.Error(), r) {
			t.Errorf("--region %q: the error repeats the value: %v", r, err)
		}
	}
	for _, r := range []string{"eu-west-1", "us-gov-west-1", "cn-north-1", "us-isob-east-1"} {
		if _, err := Prepare([]string{"-p", "x", "-r", r, "true"}, testEnviron(t)); err != nil {
			t.Errorf("--region %s: %v", r, err)
		}
	}
}

// TestInjectedRegionDoesNotOverrideTheProfile guards nested runs and
// shells that ran eval "$(awsrun --export env)": a region awsrun itself
// injected is not the user's choice.
func TestInjectedRegionDoesNotOverrideTheProfile(t *testing.T) {
	base := testEnviron(t)
	plain, err := Prepare([]string{"-p", "p", "--export", "env"}, base)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env        []string
		wantRegion string // what the preparation hands to credential resolution
		sameIndex  bool   // the warm index id is the plain one
	}{
		{[]string{"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "AWSRUN_REGION=us-east-1"}, "", true},
		{[]string{"AWS_REGION=us-west-2", "AWS_DEFAULT_REGION=us-east-1", "AWSRUN_REGION=us-east-1"}, "us-west-2", false}, // the user's, set after
		{[]string{"AWS_REGION=us-east-1"}, "us-east-1", false},                                                            // no marker: the user's
	}
	for _, tt := range tests {
		inv, err := Prepare([]string{"-p", "p", "--export", "env"}, append(slices.Clone(base), tt.env...))
		if err != nil {
			t.Fatal(err)
		}
		if got := inv.Getenv("AWS_REGION") + inv.Getenv("AWS_DEFAULT_REGION"); !strings.HasPrefix(got, tt.wantRegion) || tt.wantRegion == "" && got != "" {
			t.Errorf("%q: the credentials see region %q, want %q", tt.env, got, tt.wantRegion)
		}
		if inv.Getenv(RegionMarker) != "" {
			t.Errorf("%q: the marker survives the preparation", tt.env)
		}
		if (inv.IndexID == plain.IndexID) != tt.sameIndex {
			t.Errorf("%q: index id equal to the plain one: %t, want %t", tt.env, inv.IndexID == plain.IndexID, tt.sameIndex)
		}
	}
	// The child is told the region and the marker; what it inherited of
	// the outer run's is gone.
	inv, err := Prepare([]string{"-p", "p", "sh"}, append(slices.Clone(base), "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "AWSRUN_REGION=us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	child := runner.Env(inv.Environ, ChildVars(warm.Credentials{AccessKeyID: "ASIAX"}, "", "p"))
	for _, kv := range child {
		if strings.HasPrefix(kv, "AWS_REGION=") || strings.HasPrefix(kv, "AWS_DEFAULT_REGION=") || strings.HasPrefix(kv, "AWSRUN_REGION=") {
			t.Errorf("the child of a profile without a region inherits %s", kv)
		}
	}
	child = runner.Env(inv.Environ, ChildVars(warm.Credentials{AccessKeyID: "ASIAX"}, "eu-west-1", "p"))
	for _, want := range []string{"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1", "AWSRUN_REGION=eu-west-1"} {
		if !slices.Contains(child, want) {
			t.Errorf("the child lacks %s: %q", want, child)
		}
	}
}

// TestMFACodeNeverInCoreArgs guards the hand-over: argv is readable by
// every local user, so the code travels in the environment.
func TestMFACodeNeverInCoreArgs(t *testing.T) {
	for _, args := range [][]string{
		{"-p", "p", "-t", "123456", "--", "sh", "-c", "x"},
		{"-t123456", "-v", "sh"},
		{"--mfa-code=123456", "--export", "env"},
		{"-vt", "123456", "sh"},
	} {
		base := testEnviron(t)
		inv, err := Prepare(args, base)
		if err != nil {
			t.Fatal(err)
		}
		core := inv.CoreArgs()
		if strings.Contains(strings.Join(core, " "), "123456") {
			t.Errorf("CoreArgs(%q) = %q: the code is in argv", args, core)
		}
		env := inv.CoreEnviron(append(slices.Clone(base), "AWSRUN_MFA_CODE=999999"))
		if got := environValue(env, MFACodeVar); got != "123456" || slices.Contains(env, "AWSRUN_MFA_CODE=999999") {
			t.Errorf("CoreEnviron(%q) has %s=%q", args, MFACodeVar, got)
		}
		// awsrun-core, given them, prepares the same invocation.
		again, err := Prepare(core, env)
		if err != nil {
			t.Fatalf("Prepare(CoreArgs(%q)): %v", args, err)
		}
		if again.MFACode != "123456" || again.MFACodeFrom != "--mfa-code" || again.IndexID != inv.IndexID || again.Mode != inv.Mode ||
			!slices.Equal(again.Opts.Command, inv.Opts.Command) || again.Opts.Verbose != inv.Opts.Verbose {
			t.Errorf("CoreArgs(%q) = %q prepares another invocation", args, core)
		}
		if slices.ContainsFunc(again.Environ, func(kv string) bool {
			return strings.HasPrefix(kv, MFACodeVar+"=") || strings.HasPrefix(kv, MFACodeFromVar+"=")
		}) {
			t.Errorf("the prepared environment keeps %s or %s", MFACodeVar, MFACodeFromVar)
		}
	}
}

func TestSTSTimeoutIsCheckedBeforeAnything(t *testing.T) {
	inv, err := Prepare([]string{"-p", "p", "--export", "env"}, append(testEnviron(t), "AWSRUN_STS_TIMEOUT=90s"))
	if err != nil || inv.STSTimeout != 90*time.Second {
		t.Fatalf("Prepare = %v, %v", inv, err)
	}
	_, err = Prepare([]string{"-p", "p", "--export", "env"}, append(testEnviron(t), "AWSRUN_STS_TIMEOUT=5 minutes"))
	var se *SettingError
	if !errors.As(err, &se) || err.Error() != `profile p: AWSRUN_STS_TIMEOUT="5 minutes" is not a duration (want e.g. 30s, 2m or seconds)` || !strings.Contains(se.Hint(), "AWSRUN_STS_TIMEOUT") {
		t.Errorf("Prepare error = %v", err)
	}
}

// TestKeysModeNeedsNoCommand guards --keys against the checks of a run:
// it needs no command, is no nesting, and is never indexed for warm
// launches; rotation still gets the code and the STS deadline.
func TestKeysModeNeedsNoCommand(t *testing.T) {
	env := append(testEnviron(t), "AWSRUN_PROFILE=outer", MFACodeVar+"=123456", STSTimeoutVar+"=5s")
	inv, err := Prepare([]string{"--keys", "rotate", "-p", "u"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Mode != ModeKeys || inv.Profile != "u" || inv.IndexID != "" || inv.Path != "" {
		t.Errorf("mode %v, profile %q, index %q, path %q; want ModeKeys for u, no index, no command", inv.Mode, inv.Profile, inv.IndexID, inv.Path)
	}
	if inv.MFACode != "123456" || inv.STSTimeout != 5*time.Second {
		t.Errorf("code %q, STS timeout %v; want the environment's", inv.MFACode, inv.STSTimeout)
	}
}

// TestConsoleAndWhoAmIArePrepared: the modes that resolve credentials
// without running a command get the preparation's checks and values too,
// so a bad setting costs no code.
func TestConsoleAndWhoAmIArePrepared(t *testing.T) {
	for _, mode := range [][]string{{"--console-url"}, {"--console"}, {"--whoami"}} {
		args := append([]string{"-p", "p", "--min-ttl", "20m"}, mode...)
		_, err := Prepare(args, append(testEnviron(t), "AWSRUN_STS_TIMEOUT=soon"))
		var se *SettingError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), `AWSRUN_STS_TIMEOUT="soon" is not a duration`) {
			t.Errorf("Prepare(%q) with a bad AWSRUN_STS_TIMEOUT = %v, want a SettingError", args, err)
		}
		_, err = Prepare(append([]string{"--min-ttl", "soon"}, mode...), testEnviron(t))
		var ue UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--min-ttl") {
			t.Errorf("Prepare(%q) with a bad --min-ttl = %v, want a usage error", mode, err)
		}
		// Inside an awsrun command, as --export: they replace nothing there.
		inv, err := Prepare(args, append(testEnviron(t), "AWSRUN_STS_TIMEOUT=90s", "AWSRUN_PROFILE=outer", MFACodeVar+"=123456"))
		if err != nil {
			t.Fatalf("Prepare(%q) = %v", args, err)
		}
		if inv.STSTimeout != 90*time.Second || inv.MinTTL != 20*time.Minute || inv.Margin != 20*time.Minute || inv.MFACode != "123456" || inv.Profile != "p" {
			t.Errorf("Prepare(%q) = timeout %s, min-ttl %s, margin %s, code %q, profile %q", args, inv.STSTimeout, inv.MinTTL, inv.Margin, inv.MFACode, inv.Profile)
		}
		// --whoami indexes what it resolved, as a command would; the console does not.
		if want := mode[0] == "--whoami"; (inv.IndexID != "") != want {
			t.Errorf("Prepare(%q).IndexID = %q, want one: %t", args, inv.IndexID, want)
		}
	}
}

// TestServerMode: --server runs a command like a plain run — found in PATH
// before any prompt — but is never served from the warm index.
func TestServerMode(t *testing.T) {
	inv, err := Prepare([]string{"--server", "-p", "p", "--min-ttl", "6h", "--", "sh", "-c", "true"}, testEnviron(t))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Mode != ModeServer || inv.MinTTL != 6*time.Hour || !strings.HasSuffix(inv.Path, "/sh") || inv.IndexID != "" || !inv.Opts.NeedsCore() {
		t.Errorf("Prepare(--server) = mode %v, min-ttl %s, path %q, index id %q, needs core %t", inv.Mode, inv.MinTTL, inv.Path, inv.IndexID, inv.Opts.NeedsCore())
	}
	_, err = Prepare([]string{"--server", "-p", "p", "--", "no-such-command-awsrun"}, testEnviron(t))
	var nf *runner.CommandNotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("--server with a missing command: %v, want command not found", err)
	}
}

// TestRunVarsAreChildVarsWithoutKeys guards --server's child: it gets the
// variables a run's child gets, all but the keys.
func TestRunVarsAreChildVarsWithoutKeys(t *testing.T) {
	c := warm.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: time.Now().Add(time.Hour)}
	for _, region := range []string{"", "eu-west-1"} {
		var want []runner.Var
		for _, v := range ChildVars(c, region, "p") {
			switch v.Name {
			case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION":
			default:
				want = append(want, v)
			}
		}
		if got := RunVars(region, "p"); !slices.Equal(got, want) {
			t.Errorf("region %q: RunVars = %v, want %v", region, got, want)
		}
	}
}

// TestSTSTimeoutValues: AWSRUN_STS_TIMEOUT is a Go duration or seconds;
// anything else, zero or negative, is an error naming the variable, never
// a silent default (a CI job that asked for 5m must not give up at 30s).
func TestSTSTimeoutValues(t *testing.T) {
	tests := []struct {
		env     string
		want    time.Duration
		wantErr bool
	}{
		{env: "", want: 0}, // the resolver's default, 30s
		{env: "300ms", want: 300 * time.Millisecond},
		{env: "2m", want: 2 * time.Minute},
		{env: " 90 ", want: 90 * time.Second},
		{env: "0", wantErr: true},
		{env: "0s", wantErr: true},
		{env: "-5s", wantErr: true},
		{env: "soon", wantErr: true},
		{env: "1.5", wantErr: true},
		{env: "30 s", wantErr: true},
	}
	for _, tt := range tests {
		got, err := stsTimeout(tt.env)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("AWSRUN_STS_TIMEOUT=%q: got %s, %v; want %s, error %t", tt.env, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), STSTimeoutVar) {
			t.Errorf("AWSRUN_STS_TIMEOUT=%q: error %q does not name the variable", tt.env, err)
		}
	}
}
