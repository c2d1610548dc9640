//go:build unix

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/internal/cli"
)

func TestWarmExecFromTheCacheCoreFilled(t *testing.T) {
	w := newWorld(t)
	key := w.fill(t, "role101")
	r := w.run(t, launcherAlone(), []string{"AWSRUN_MFA_CODE=123456"}, "-p", "role101", "--", "sh", "-c",
		`printf '%s|%s|%s|%s|%s|%s' "$AWS_ACCESS_KEY_ID" "$AWS_REGION" "$AWS_DEFAULT_REGION" "$AWSRUN_REGION" "$AWSRUN_PROFILE" "${AWSRUN_MFA_CODE-unset}"`)
	if want := key + "|eu-west-1|eu-west-1|eu-west-1|role101|unset"; r.code != 0 || r.stdout != want {
		t.Errorf("warm run by the launcher alone: exit %d, stdout %q (want %q), stderr %q", r.code, r.stdout, want, r.stderr)
	}
	w.noSTS(t, "a warm run")
	// The command's own status is the launcher's.
	if r := w.run(t, launcherAlone(), nil, "-p", "role101", "--", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("warm run of exit 7: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestWarmExportFromTheCacheCoreFilled(t *testing.T) {
	w := newWorld(t)
	key := w.fill(t, "role101")
	r := w.run(t, launcherAlone(), nil, "-p", "role101", "--export", "credential-process")
	var cp struct {
		Version                       int
		AccessKeyID                   string `json:"AccessKeyId"`
		SecretAccessKey, SessionToken string
		Expiration                    time.Time
	}
	if err := json.Unmarshal([]byte(r.stdout), &cp); err != nil || r.code != 0 || cp.Version != 1 || cp.AccessKeyID != key ||
		cp.SecretAccessKey == "" || cp.SessionToken == "" || time.Until(cp.Expiration) < 50*time.Minute {
		t.Errorf("warm --export credential-process: exit %d, %v, stdout %q, stderr %q", r.code, err, r.stdout, r.stderr)
	}
	r = w.run(t, launcherAlone(), nil, "-p", "role101", "--export", "env")
	for _, want := range []string{"export AWS_ACCESS_KEY_ID='" + key + "'\n", "export AWS_REGION='eu-west-1'\n", "export AWSRUN_REGION='eu-west-1'\n"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("warm --export env: exit %d, stdout lacks %q: %q, stderr %q", r.code, want, r.stdout, r.stderr)
		}
	}
	w.noSTS(t, "a warm export")
}

// TestEveryCoreOnlyFlagIsHandedOver guards the launcher against serving
// from the cache an invocation with a flag only awsrun-core honours: with
// the cache warm, the launcher alone must still go looking for
// awsrun-core.
func TestEveryCoreOnlyFlagIsHandedOver(t *testing.T) {
	w := newWorld(t)
	w.fill(t, "role101")
	fed := w.Srv.NewFederation()
	t.Cleanup(fed.Close)
	// The console's browser is true(1): it takes the URL and succeeds.
	// The key store's file, never the machine's keyring.
	env := []string{"AWSRUN_FEDERATION_ENDPOINT=" + fed.URL, "BROWSER=true", "AWSRUN_KEYS_STORE=file"}
	values := map[string]string{"console-service": "s3", "console-path": "ec2/home#Instances:", "keys": "list"}
	n := 0
	for _, f := range cli.Flags() {
		if f.Class != cli.CoreOnly {
			continue
		}
		n++
		flag := []string{"--" + f.Name}
		if !f.Bool {
			v, ok := values[f.Name]
			if !ok {
				t.Fatalf("--%s takes a value: teach this test one", f.Name)
			}
			flag = append(flag, v)
		}
		var args []string
		switch {
		case f.Modes&(cli.ModeRun|cli.ModeServer) != 0:
			args = append(flag, "-p", "role101", "--", "true")
		case f.Modes&cli.ModeList != 0:
			args = append([]string{"--list"}, flag...)
		case f.Modes&cli.ModeClear != 0:
			args = append([]string{"--clear"}, flag...)
		case f.Modes&cli.ModeConsole != 0 && (f.Name == "console" || f.Name == "console-url"):
			args = append(flag, "-p", "role101")
		case f.Modes&cli.ModeConsole != 0:
			args = append([]string{"--console-url", "-p", "role101"}, flag...)
		case f.Modes&cli.ModeWhoAmI != 0:
			args = append(flag, "-p", "role101")
		case f.Modes&cli.ModeKeys != 0:
			args = flag
		case f.Modes&cli.ModeDoctor != 0:
			args = append(flag, "-p", "role101")
		default:
			t.Fatalf("--%s: no mode this test knows", f.Name)
		}
		r := w.run(t, launcherAlone(), env, args...)
		if r.code != 125 || !strings.Contains(r.stderr, "awsrun-core, the part of awsrun that talks to STS, is not installed") {
			t.Errorf("awsrun %q with the cache warm: exit %d, stderr %q; want it handed to awsrun-core", args, r.code, r.stderr)
		}
		code := w.FreshCode()
		if f.Name == "doctor" {
			// The doctor checks the clock against STS's, which freshCode
			// moved on: it asks a world of its own, whose clock is true.
			dw := newWorld(t)
			dw.fill(t, "role101")
			r = dw.run(t, installed(), env, args...)
		} else {
			r = w.run(t, installed(), append([]string{"AWSRUN_MFA_CODE=" + code}, env...), args...)
		}
		if r.code != 0 {
			t.Errorf("awsrun %q with awsrun-core: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if n < 11 {
		t.Errorf("only %d core-only flags", n)
	}
}

func TestMissingCoreNamesTheInstallCommand(t *testing.T) {
	w := newWorld(t)
	r := w.run(t, launcherAlone(), nil, "-p", "role101", "-t", w.Code(), "--", "true")
	// Built in a checkout, as here: the checkout's command.
	want := "awsrun: error: awsrun-core, the part of awsrun that talks to STS, is not installed beside awsrun or in PATH\n" +
		"awsrun: hint: install both programs from the awsrun checkout: go install ./cmd/...\n"
	if r.code != 125 || r.stderr != want {
		t.Errorf("exit %d, stderr %q; want 125, %q", r.code, r.stderr, want)
	}
}

func TestHelpAndVersionWithoutCore(t *testing.T) {
	w := newWorld(t)
	r := w.run(t, launcherAlone(), nil, "--help")
	if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "--min-ttl DUR") || !strings.Contains(r.stdout, "AWSRUN_STS_TIMEOUT") ||
		!strings.Contains(strings.Join(strings.Fields(r.stdout), " "), "nothing to the AWS files but the key lines of the credentials file that --keys import moves out and --keys rotate replaces") {
		t.Errorf("--help: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = w.run(t, launcherAlone(), nil, "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "awsrun ") {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = w.run(t, core(), nil, "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "awsrun-core ") {
		t.Errorf("awsrun-core --version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestCompletionWithoutCore: a keypress must not wait for awsrun-core,
// so the launcher serves --completion and --complete-profiles itself, and
// refuses them with a flag of another mode (-v included, though core-only)
// without handing over.
func TestCompletionWithoutCore(t *testing.T) {
	w := newWorld(t)
	r := w.run(t, launcherAlone(), nil, "--completion", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "complete") || !strings.Contains(r.stdout, "--complete-profiles") || r.stderr != "" {
		t.Errorf("--completion bash: exit %d, stdout %.200q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = w.run(t, launcherAlone(), nil, "--complete-profiles", "--", "role")
	if r.code != 0 || r.stdout != "role101\nrole102\n" || r.stderr != "" {
		t.Errorf("--complete-profiles -- role: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{
		{"--completion", "zsh", "-v"},
		{"--completion", "zsh", "--list"},
		{"--complete-profiles", "-p", "role101"},
		{"--completion", "tcsh"},
	} {
		r := w.run(t, launcherAlone(), nil, args...)
		if r.code != 125 || r.stdout != "" || !strings.HasPrefix(r.stderr, "awsrun: error: ") || strings.Contains(r.stderr, "awsrun-core") {
			t.Errorf("awsrun %q: exit %d, stdout %q, stderr %q; want the launcher's usage error", args, r.code, r.stdout, r.stderr)
		}
	}
	w.noSTS(t, "completion")
}

// TestLauncherRefusesBadInputItself: usage errors, nesting and a missing
// command need neither the SDK nor awsrun-core, and are said the same way
// either program runs.
func TestLauncherRefusesBadInputItself(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		args []string
		env  []string
		want int
		msg  string
	}{
		{[]string{"--bogus"}, nil, 125, "awsrun: error: unknown flag: --bogus\nawsrun: hint: awsrun --help shows the usage\n"},
		{[]string{"-p", "role101", "--", "no-such-command-xyz"}, nil, 127, "awsrun: error: no-such-command-xyz: command not found\n"},
		{[]string{"-p", "role101"}, []string{"SHELL=no-such-shell-xyz"}, 127, "awsrun: error: no-such-shell-xyz: command not found\n"},
		{[]string{"-p", "role101", "true"}, []string{"AWSRUN_PROFILE=outer"}, 125, "awsrun: error: already inside awsrun (AWSRUN_PROFILE=outer)"},
		{[]string{"-p", "role101", "-d", "soon", "true"}, nil, 125, "awsrun: error: --duration: invalid duration"},
		{[]string{"-p", "role101", "true"}, []string{"AWSRUN_STS_TIMEOUT=5 minutes"}, 125,
			"awsrun: error: profile role101: AWSRUN_STS_TIMEOUT=\"5 minutes\" is not a duration (want e.g. 30s, 2m or seconds)\nawsrun: hint: set AWSRUN_STS_TIMEOUT"},
	}
	for _, tt := range tests {
		for _, program := range []string{launcherAlone(), installed()} {
			r := w.run(t, program, tt.env, tt.args...)
			if r.code != tt.want || !strings.HasPrefix(r.stderr, tt.msg) {
				t.Errorf("%s %q: exit %d, stderr %q; want %d and %q", program, tt.args, r.code, r.stderr, tt.want, tt.msg)
			}
		}
	}
	w.noSTS(t, "bad input")
}

// TestClearOrListWithACommandIsAUsageError guards CI steps that would
// pass having run nothing: --clear or --list with a command or --export
// exits 125, and --clear then forgets nothing.
func TestClearOrListWithACommandIsAUsageError(t *testing.T) {
	w := newWorld(t)
	w.fill(t, "role101")
	for _, args := range [][]string{
		{"--clear", "--", "terraform", "apply"},
		{"--clear", "-p", "role101", "--export", "env"},
		{"--list", "true"},
		{"--list", "--export", "json"},
		{"--list", "--clear"},
	} {
		r := w.run(t, installed(), nil, args...)
		if r.code != 125 || !strings.HasPrefix(r.stderr, "awsrun: error: ") || r.stdout != "" {
			t.Errorf("awsrun %q: exit %d, stdout %q, stderr %q; want a usage error", args, r.code, r.stdout, r.stderr)
		}
	}
	// Nothing was forgotten: the launcher alone still serves role101.
	if r := w.run(t, launcherAlone(), nil, "-p", "role101", "--", "true"); r.code != 0 {
		t.Errorf("after the refused --clear: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestEmptyProfileNameIsRefused guards -p ” against meaning
// $AWS_PROFILE or default.
func TestEmptyProfileNameIsRefused(t *testing.T) {
	w := newWorld(t)
	w.fill(t, "role101")
	r := w.run(t, installed(), []string{"AWS_PROFILE=role101"}, "-p", "", "--", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "the profile name is empty") {
		t.Errorf("-p '': exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestInjectedRegionNeverOverridesTheProfiles guards later runs against
// the region awsrun itself put in the environment: in a nested awsrun,
// and after eval "$(awsrun --export env)", cold and warm.
func TestInjectedRegionNeverOverridesTheProfiles(t *testing.T) {
	w := newWorld(t)
	awsrun := installed()
	w.Env[0] = "PATH=" + bin + string(os.PathListSeparator) + systemPath(t)
	for _, round := range []string{"cold", "warm"} {
		code := ""
		if round == "cold" {
			code = w.Code()
		}
		w.Srv.ResetCalls()
		nested := w.run(t, awsrun, []string{"AWSRUN_MFA_CODE=" + code}, "-p", "role101", "--", "awsrun", "--nested", "-p", "role102", "--",
			"sh", "-c", `printf '%s %s %s' "$AWS_REGION" "$AWS_DEFAULT_REGION" "$AWSRUN_REGION"`)
		if nested.code != 0 || nested.stdout != "ap-south-1 ap-south-1 ap-south-1" {
			t.Errorf("%s: nested run of role102 inside role101: exit %d, regions %q (want ap-south-1), stderr %q", round, nested.code, nested.stdout, nested.stderr)
		}
		evald := w.run(t, "/bin/sh", nil, "-c", `eval "$(awsrun -p role101 --export env)" && awsrun --nested -p role102 -- sh -c 'printf %s "$AWS_REGION"'`)
		if evald.code != 0 || evald.stdout != "ap-south-1" {
			t.Errorf("%s: role102 after eval of role101's export: exit %d, region %q (want ap-south-1), stderr %q", round, evald.code, evald.stdout, evald.stderr)
		}
		if round == "warm" {
			// The inner runs are indexed as the same invocations run alone.
			w.noSTS(t, "the warm round")
		}
	}
	// A region the user sets after the eval is theirs, and wins.
	r := w.run(t, "/bin/sh", nil, "-c", `eval "$(awsrun -p role101 --export env)" && AWS_REGION=us-west-2 awsrun --nested -p role102 -- sh -c 'printf %s "$AWS_REGION"'`)
	if r.code != 0 || r.stdout != "us-west-2" {
		t.Errorf("AWS_REGION set by the user after the eval: exit %d, region %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestCoreBesideASymlinkedLauncher(t *testing.T) {
	w := newWorld(t)
	w.fill(t, "role101")
	link := filepath.Join(t.TempDir(), "awsrun")
	if err := os.Symlink(installed(), link); err != nil {
		t.Fatal(err)
	}
	if r := w.run(t, link, nil, "--list"); r.code != 0 || !strings.Contains(r.stdout, "role101") {
		t.Errorf("--list through a symlink to the launcher: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
