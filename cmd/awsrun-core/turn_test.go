//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestParallelLaunchWaitsInTheLauncher starts a launch whose code source
// blocks, then a second launch of the same invocation, and removes
// awsrun-core once the second says it waits: it can only succeed by
// waiting in the launcher, on the first one's turn, and serving what the
// first one cached.
func TestParallelLaunchWaitsInTheLauncher(t *testing.T) {
	w := newWorld(t, "")
	ran := filepath.Join(w.home, "mfa-ran")
	release := filepath.Join(w.home, "mfa-go")
	codeFile := w.write(t, "mfa-code", w.code()+"\n")
	w.write(t, ".aws/config", "[profile role101]\nrole_arn = "+roleARN+"\nsource_profile = user101\nmfa_serial = "+serial+"\nregion = eu-west-1\n"+
		"mfa_process = echo run >> '"+ran+"'; i=0; while [ ! -e '"+release+"' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; cat '"+codeFile+"'\n")
	s := w.store(t)
	if _, err := s.KeyStore(); err != nil { // the launcher finds keys, never makes them
		t.Fatal(err)
	}
	s.Close()
	dir := t.TempDir()
	build(t, dir, "", "github.com/awsrun/awsrun/cmd/awsrun", "github.com/awsrun/awsrun/cmd/awsrun-core")
	launcher := filepath.Join(dir, "awsrun")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := func(name string) (*exec.Cmd, *strings.Builder, string) {
		errFile := filepath.Join(w.home, name+".stderr")
		f, err := os.Create(errFile)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		cmd := exec.CommandContext(ctx, launcher, "-p", "role101", "--export", "json")
		cmd.Env = w.env
		noTerminal(cmd)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &out, errFile
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			if ctx.Err() != nil {
				t.Fatalf("gave up waiting for %s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	first, out1, err1 := start("first")
	waitFor("the first launch's mfa_process", func() bool { _, err := os.Stat(ran); return err == nil })
	second, out2, err2 := start("second")
	waitFor("the second launch to say it waits", func() bool {
		b, _ := os.ReadFile(err2)
		return strings.Contains(string(b), "waiting for another awsrun to get the credentials of profile role101")
	})
	// From here on the second launch cannot hand over.
	if err := os.Remove(filepath.Join(dir, "awsrun-core")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cmd          *exec.Cmd
		out          *strings.Builder
		errFile, who string
	}{{first, out1, err1, "first"}, {second, out2, err2, "second"}} {
		if err := c.cmd.Wait(); err != nil {
			b, _ := os.ReadFile(c.errFile)
			t.Fatalf("the %s launch: %v\n%s", c.who, err, b)
		}
	}
	k1 := exportKey(t, result{0, out1.String(), ""})
	if k2 := exportKey(t, result{0, out2.String(), ""}); k2 != k1 {
		t.Errorf("the second launch got %s, want the first one's %s", k2, k1)
	}
	if b, _ := os.ReadFile(ran); strings.Count(string(b), "run") != 1 {
		t.Errorf("mfa_process ran %d times, want 1", strings.Count(string(b), "run"))
	}
	if s, r := w.counts(); s != 1 || r != 1 {
		t.Errorf("STS saw %d GetSessionToken and %d AssumeRole, want 1 and 1", s, r)
	}
}
