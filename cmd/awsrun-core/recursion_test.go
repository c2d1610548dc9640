//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runGroup runs the built launcher in a session of its own and, should it
// not finish in time, kills the whole session: a loop that spawns awsrun
// after awsrun must not outlive the test.
func (w *world) runGroup(t *testing.T, bin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = w.env
	noTerminal(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("awsrun %v did not finish in 20s (a loop?); stderr:\n%.2000s", args, stderr.String())
	}
	// Whatever the loop started is gone with the session.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return resultOf(t, err, &stdout, &stderr)
}

// TestCredentialProcessRunningAwsrunForItselfEndsAtOnce guards against a
// process storm: a credential_process that runs awsrun for the profile
// being resolved — directly, through a second profile, or through a shell —
// ends at once with 125 and the loop named.
func TestCredentialProcessRunningAwsrunForItselfEndsAtOnce(t *testing.T) {
	bin := binary(t)
	tests := []struct {
		name, config string
		args         []string
		loop         string
	}{
		{"itself", "[default]\ncredential_process = " + bin + " --export credential-process\n",
			[]string{"--", "true"}, "default → default"},
		{"two profiles", "[profile a]\ncredential_process = " + bin + " --export credential-process -p b\n" +
			"[profile b]\ncredential_process = " + bin + " --export=credential-process --profile=a\n",
			[]string{"-p", "a", "--", "true"}, "a → b → a"},
		{"another tool", "[profile a]\ncredential_process = sh -c 'AWS_PROFILE=a exec " + bin + " --export credential-process'\n",
			[]string{"-p", "a", "--export", "json"}, "a → a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.config)
			r := w.runGroup(t, bin, tt.args...)
			if r.code != 125 {
				t.Errorf("exit %d, want 125; stderr:\n%.2000s", r.code, r.stderr)
			}
			if want := "awsrun started itself while resolving credentials (" + tt.loop + ")"; !strings.Contains(r.stderr, want) {
				t.Errorf("stderr does not name the loop %q:\n%.2000s", want, r.stderr)
			}
			if !strings.Contains(r.stderr, "awsrun: hint: a credential_process or mfa_process of") {
				t.Errorf("no hint:\n%.2000s", r.stderr)
			}
		})
	}
}

// TestResolvingMarkerNeverReachesTheCommand guards the command's
// environment: the marker is for what awsrun starts while resolving.
func TestResolvingMarkerNeverReachesTheCommand(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	r := w.run(t, "-v", "-p", "role101", "--", "sh", "-c", `printf %s "${AWSRUN_RESOLVING-unset} ${AWSRUN_LAUNCHER_BUILD-unset}"`)
	if r.code != 0 || r.stdout != "unset unset" {
		t.Errorf("exit %d, the command saw %q; stderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestLauncherInstalledAsCoreFailsAtOnce guards against a launcher that
// execs itself forever: an awsrun-core that is a copy of awsrun.
func TestLauncherInstalledAsCoreFailsAtOnce(t *testing.T) {
	w := newWorld(t, "")
	self := launcherAlone(t)
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	core := filepath.Join(filepath.Dir(self), "awsrun-core")
	if err := os.WriteFile(core, b, 0o755); err != nil {
		t.Fatal(err)
	}
	r := w.runGroup(t, self, "-v", "-p", "role101", "--", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "awsrun: error: "+core+" is the awsrun launcher, not awsrun-core") ||
		!strings.Contains(r.stderr, "awsrun: hint: replace "+core) {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
