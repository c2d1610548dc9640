//go:build unix

package runner

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// helperLeader is a command that makes a process group of its own, starts
// a process in it that would outlive it, prints that process's pid and
// exits: what a process manager or a job-control shell may leave behind.
func helperLeader() int {
	if err := syscall.Setpgid(0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "setpgid:", err)
		return 1
	}
	left := exec.Command("sleep", "60")
	if err := left.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(left.Process.Pid)
	return 0
}

// gone reports whether pid has ended: no such process, or a zombie that
// nobody has reaped yet (a container's init may not reap).
func gone(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return true
	}
	if runtime.GOOS == "linux" {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		if i := strings.LastIndexByte(string(b), ')'); i >= 0 && len(b) > i+2 && b[i+2] == 'Z' {
			return true
		}
	}
	return false
}

// TestRunHangsUpTheGroupTheChildLeft: a process the command left in a
// process group of its own would keep asking the --server endpoint, gone
// with the command — or whoever binds its port next. Run hangs it up.
func TestRunHangsUpTheGroupTheChildLeft(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	spec := helperSpec{Path: self, Argv: []string{"leader"}, Set: []Var{{Name: helperVar, Value: "leader"}}, Run: true}
	r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "")
	if r.code() != 0 {
		t.Fatalf("exit %d; stderr: %s", r.code(), r.stderr)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(r.stdout))
	if err != nil {
		t.Fatalf("the command printed %q, not the pid it left", r.stdout)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	for deadline := time.Now().Add(10 * time.Second); !gone(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d, left in the command's own process group, still runs after the command ended", pid)
		}
	}
}
