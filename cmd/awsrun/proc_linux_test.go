package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

// TestMFACodeNotInWaitingCoresArgv guards the code typed with -t: while
// awsrun-core waits for STS (or for another awsrun's lock, up to minutes),
// its argv is readable by every local user in /proc/PID/cmdline, so the
// launcher hands it the code in the environment instead, which only the
// user can read.
func TestMFACodeNotInWaitingCoresArgv(t *testing.T) {
	w := newWorld(t)
	w.Srv.InjectFault(ststest.Fault{Action: "GetSessionToken", Delay: 2 * time.Second, Times: 1})
	code := w.Code()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, installed(), "-p", "role101", "-t", code, "--", "true")
	cmd.Env = w.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proc := "/proc/" + strconv.Itoa(cmd.Process.Pid)
	var argv []byte
	for ctx.Err() == nil {
		// The launcher execs awsrun-core in the same process.
		// Right after the exec the new image's argv may not be readable
		// yet: read until it is.
		if exe, err := os.Readlink(proc + "/exe"); err == nil && filepath.Base(exe) == "awsrun-core" {
			if argv, _ = os.ReadFile(proc + "/cmdline"); len(argv) > 0 {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("awsrun -t CODE: %v, stderr %q", err, stderr.String())
	}
	if argv == nil {
		t.Fatal("never saw awsrun-core running")
	}
	if bytes.Contains(argv, []byte(code)) {
		t.Errorf("awsrun-core's argv holds the MFA code: %q", strings.ReplaceAll(string(argv), "\x00", " "))
	}
	if !bytes.Contains(argv, []byte("--profile=role101")) {
		t.Errorf("awsrun-core's argv is %q", strings.ReplaceAll(string(argv), "\x00", " "))
	}
	// And the code reached STS all the same.
	if n := w.Srv.CallCount("GetSessionToken"); n != 1 {
		t.Errorf("%d GetSessionToken calls, want 1", n)
	}
}
