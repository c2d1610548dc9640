//go:build unix

package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Exec never returns on success, so it is tested in a helper process: the
// test binary run again with helperVar set, which calls Exec as awsrun would
// and leaves the test process to look at the result.
const helperVar = "RUNNER_TEST_HELPER"

// helperSpec tells the helper what to do; it travels as JSON in argv[1].
type helperSpec struct {
	Parent []string // the environment given to Env; nil: the helper's own
	Set    []Var
	Path   string // given to Exec as is; "": LookPath(Argv[0])
	Argv   []string
	Notify bool   // catch SIGINT, SIGTERM and SIGPIPE first, then stop, as the MFA prompt does
	Open   string // open this file and a pipe first, and report them on stderr
	Run    bool   // stay the parent with Run instead of calling Exec
}

func TestMain(m *testing.M) {
	switch os.Getenv(helperVar) {
	case "":
		os.Exit(m.Run())
	case "exec":
		os.Exit(helperExec())
	case "environ":
		// Print the environment as Environ reads it.
		if err := json.NewEncoder(os.Stdout).Encode(Environ()); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	case "args":
		// The program Exec ran: print argv exactly as received.
		if err := json.NewEncoder(os.Stdout).Encode(os.Args); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	case "leader":
		os.Exit(helperLeader()) // group_unix_test.go
	default:
		fmt.Fprintf(os.Stderr, "unknown %s\n", helperVar)
		os.Exit(2)
	}
}

func helperExec() int {
	var spec helperSpec
	if len(os.Args) < 2 || json.Unmarshal([]byte(os.Args[1]), &spec) != nil {
		fmt.Fprintln(os.Stderr, "helper: bad spec")
		return 2
	}
	if spec.Notify {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE)
		signal.Stop(c)
	}
	if spec.Open != "" {
		f, err := os.Open(spec.Open)
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 2
		}
		r, w, err := os.Pipe()
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 2
		}
		for _, f := range []*os.File{f, r, w} {
			target, _ := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
			fmt.Fprintf(os.Stderr, "opened %s\n", target)
		}
	}
	parent := spec.Parent
	if parent == nil {
		parent = os.Environ()
	}
	env := Env(parent, spec.Set)
	path, err := spec.Path, error(nil)
	if path == "" {
		path, err = LookPath(spec.Argv[0], env)
	}
	switch {
	case err == nil && spec.Run:
		err = Run(path, spec.Argv, env)
		var exited *ExitError
		if errors.As(err, &exited) {
			return exited.Code
		}
	case err == nil:
		err = Exec(path, spec.Argv, env)
	}
	fmt.Fprintln(os.Stderr, err)
	return ExitCode(err)
}

type helperResult struct {
	stdout, stderr string
	state          *os.ProcessState
}

// code is the helper's exit status, or -1 when a signal killed it.
func (r helperResult) code() int { return r.state.ExitCode() }

// runHelper runs the helper with spec and exactly env (plus helperVar), within
// the test's deadline. Extra files become descriptors 3 and up. A non-empty
// wrap runs the helper through sh -c wrap, with the helper's path as $0.
func runHelper(t *testing.T, spec helperSpec, env []string, wrap string, extra ...*os.File) helperResult {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := t.Deadline(); ok && d.Add(-time.Second).Before(deadline) {
		deadline = d.Add(-time.Second)
	}
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()

	cmd := exec.CommandContext(ctx, self, string(js))
	if wrap != "" {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", wrap, self, string(js))
	}
	cmd.Env = append(slices.Clone(env), helperVar+"=exec")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.ExtraFiles = extra
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("helper did not finish in time; stderr:\n%s", stderr.String())
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("helper: %v", err)
	}
	return helperResult{stdout.String(), stderr.String(), cmd.ProcessState}
}

func testPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	return path
}

// needEnvNUL skips the test when env(1) cannot print NUL-separated output.
func needEnvNUL(t *testing.T) {
	t.Helper()
	out, err := exec.Command("env", "-0").Output()
	if err != nil || !bytes.Contains(out, []byte{0}) {
		t.Skip("env -0 not available")
	}
}

func TestExecEnvironmentExact(t *testing.T) {
	needEnvNUL(t)
	parent := []string{
		"PATH=" + testPath(t),
		"AWS_PROFILE=old",
		"HOME=/home/someone",
		"AWS_SECRET_ACCESS_KEY=old-secret",
		"SPACES=a b  c",
		"NOEQUALS",
		"AWS_REGION=eu-west-1",
		"AWS_PROFILE_X=kept",
		"EMPTY=",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.2/creds",
	}
	set := []Var{
		{"AWS_ACCESS_KEY_ID", "ASIAEXAMPLEEXAMPLE"},
		{"AWS_SECRET_ACCESS_KEY", "new-secret"},
		{"AWS_SESSION_TOKEN", "token/with=signs+"},
		{"AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z"},
		{"AWS_REGION", "us-east-1"},
		{"AWS_DEFAULT_REGION", "us-east-1"},
		{"AWSRUN_PROFILE", "role101"},
	}
	r := runHelper(t, helperSpec{Set: set, Argv: []string{"env", "-0"}}, parent, "")
	if r.code() != 0 {
		t.Fatalf("exit %d; stderr: %s", r.code(), r.stderr)
	}
	got := strings.Split(strings.TrimSuffix(r.stdout, "\x00"), "\x00")
	want := []string{
		"PATH=" + testPath(t),
		"HOME=/home/someone",
		"SPACES=a b  c",
		"NOEQUALS",
		"AWS_PROFILE_X=kept",
		"EMPTY=",
		helperVar + "=exec",
		"AWS_ACCESS_KEY_ID=ASIAEXAMPLEEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=new-secret",
		"AWS_SESSION_TOKEN=token/with=signs+",
		"AWS_CREDENTIAL_EXPIRATION=2030-01-02T03:04:05Z",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWSRUN_PROFILE=role101",
	}
	if !slices.Equal(got, want) {
		t.Errorf("child environment\n got %q\nwant %q", got, want)
	}
}

func TestExecEnvironmentKeepsDuplicates(t *testing.T) {
	needEnvNUL(t)
	parent := []string{
		"A=1", "AWS_PROFILE=x", "PATH=" + testPath(t), "A=2", "NOEQ", "AWS_PROFILE=y", "A=1",
	}
	spec := helperSpec{Parent: parent, Set: []Var{{"AWSRUN_PROFILE", "p"}}, Argv: []string{"env", "-0"}}
	r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "")
	if r.code() != 0 {
		t.Fatalf("exit %d; stderr: %s", r.code(), r.stderr)
	}
	got := strings.Split(strings.TrimSuffix(r.stdout, "\x00"), "\x00")
	want := []string{"A=1", "PATH=" + testPath(t), "A=2", "NOEQ", "A=1", "AWSRUN_PROFILE=p"}
	if !slices.Equal(got, want) {
		t.Errorf("child environment\n got %q\nwant %q", got, want)
	}
}

func TestExecArgvUntouched(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := []string{
		"typed-name", "plan", "a b", "--", "-p", "prod", "", "*", "$HOME", "'q'", `"dq"`,
		"--profile=x", "tab\there", "new\nline", "ünïcode", "-",
	}
	// The race runtime sleeps a second before a successful exit unless told not to.
	spec := helperSpec{Set: []Var{{helperVar, "args"}, {"GORACE", "atexit_sleep_ms=0"}}, Path: self, Argv: argv}
	r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "")
	if r.code() != 0 {
		t.Fatalf("exit %d; stderr: %s", r.code(), r.stderr)
	}
	var got []string
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("child output %q: %v", r.stdout, err)
	}
	if !slices.Equal(got, argv) {
		t.Errorf("child argv\n got %q\nwant %q", got, argv)
	}
}

func TestExecExitStatus(t *testing.T) {
	for _, code := range []int{0, 1, 42, 125, 126, 127, 255} {
		spec := helperSpec{Argv: []string{"sh", "-c", "exit " + strconv.Itoa(code)}}
		r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "")
		if r.code() != code {
			t.Errorf("sh -c 'exit %d': helper exit %d; stderr: %s", code, r.code(), r.stderr)
		}
	}
}

// TestExecChildSignalReachesParent guards exec over a wrapper: a child killed
// by a signal must look to our parent as if awsrun had been, which only an
// exec gives (a wrapper would exit with a code).
func TestExecChildSignalReachesParent(t *testing.T) {
	for _, notify := range []bool{false, true} {
		spec := helperSpec{Argv: []string{"sh", "-c", "kill -TERM $$; sleep 10"}, Notify: notify}
		r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "")
		ws, ok := r.state.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
			t.Errorf("notify=%v: helper %v, want killed by SIGTERM; stderr: %s", notify, r.state, r.stderr)
		}
	}
}

func TestExecFailures(t *testing.T) {
	dir := t.TempDir()
	junk := writeFile(t, filepath.Join(dir, "junk"), "\x00\x01\x02\x03 not a program\n", 0o755)
	noexec := writeFile(t, filepath.Join(dir, "noexec.sh"), "#!/bin/sh\nexit 0\n", 0o644)
	badInterp := writeFile(t, filepath.Join(dir, "bad-interp"), "#!/nonexistent/interpreter\n", 0o755)
	binaryAfterText := writeFile(t, filepath.Join(dir, "binary-after-text"), "text\x00\x01", 0o755)

	tests := []struct {
		name     string
		spec     helperSpec
		wantCode int
		wantMsg  string
	}{
		{"not in PATH", helperSpec{Argv: []string{"awsrun-no-such-command", "x"}}, 127, "awsrun-no-such-command: command not found"},
		{"missing path", helperSpec{Argv: []string{dir + "/missing"}}, 127, dir + "/missing: no such file or directory"},
		{"exec of missing path", helperSpec{Path: dir + "/missing", Argv: []string{"missing"}}, 127, dir + "/missing: no such file or directory"},
		{"exec format error", helperSpec{Argv: []string{junk}}, 126, junk + ": exec format error"},
		{"NUL on the first line", helperSpec{Argv: []string{binaryAfterText}}, 126, binaryAfterText + ": exec format error"},
		{"not executable", helperSpec{Argv: []string{noexec}}, 126, noexec + ": permission denied"},
		{"exec of not executable", helperSpec{Path: noexec, Argv: []string{"noexec.sh"}}, 126, noexec + ": permission denied"},
		{"directory", helperSpec{Argv: []string{dir}}, 126, dir + ": is a directory"},
		{"exec of directory", helperSpec{Path: dir, Argv: []string{"dir"}}, 126, dir + ": "},
		{"missing interpreter", helperSpec{Argv: []string{badInterp}}, 127, badInterp + ": cannot execute: required file not found"},
		{"NUL in argument", helperSpec{Argv: []string{"sh", "-c", "exit 0", "a\x00b"}}, 125, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runHelper(t, tt.spec, []string{"PATH=" + dir + ":" + testPath(t)}, "")
			if r.code() != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", r.code(), tt.wantCode, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.wantMsg) {
				t.Errorf("stderr %q, want it to contain %q", r.stderr, tt.wantMsg)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

// TestEnvironReadsLargeEnvironmentWhole guards the read of
// /proc/self/environ past its first buffer: every entry, 400 KB of values
// included, in order.
func TestEnvironReadsLargeEnvironmentWhole(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc/self/environ:", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 100<<10) // one string may hold 128 KiB at most
	want := []string{helperVar + "=environ", "B1=" + big, "B2=" + big, "A=2", "B3=" + big, "B4=" + big, "EMPTY="}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = want
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	var got []string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("helper output: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Environ read %d entries, want %d in order: %.200q", len(got), len(want), got)
	}
}

// TestExecScriptWithoutShebangRunsWithSh guards that a script naming no
// interpreter runs as execvp(3) and env(1) run it, with /bin/sh, its
// arguments and exit status intact (it was refused with 126).
func TestExecScriptWithoutShebangRunsWithSh(t *testing.T) {
	dir := t.TempDir()
	script := writeFile(t, filepath.Join(dir, "no-shebang"), "echo \"args:$#:$1:$2\"\nexit 7\n", 0o755)
	for _, spec := range []helperSpec{
		{Argv: []string{"no-shebang", "a b", "c"}},
		{Path: script, Argv: []string{"no-shebang", "a b", "c"}},
	} {
		r := runHelper(t, spec, []string{"PATH=" + dir + ":" + testPath(t)}, "")
		if r.code() != 7 || r.stdout != "args:2:a b:c\n" {
			t.Errorf("%+v: exit %d, stdout %q, stderr %q; want exit 7 and args:2:a b:c", spec, r.code(), r.stdout, r.stderr)
		}
	}
}

// sigMasks returns the SigBlk and SigIgn masks of a /proc/PID/status.
func sigMasks(t *testing.T, status string) (blocked, ignored uint64) {
	t.Helper()
	for _, line := range strings.Split(status, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "SigBlk" && name != "SigIgn") {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(value), 16, 64)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if name == "SigBlk" {
			blocked = n
		} else {
			ignored = n
		}
	}
	return blocked, ignored
}

func sigBit(s syscall.Signal) uint64 { return 1 << (uint(s) - 1) }

func ownSignalMasks(t *testing.T) (blocked, ignored uint64) {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status:", err)
	}
	return sigMasks(t, string(status))
}

// TestExecSignalDispositions guards that the child starts with the signal
// dispositions of a normal exec, even when awsrun caught signals (as it does
// around the MFA prompt): nothing blocked, and ignored only what awsrun
// itself inherited ignored.
func TestExecSignalDispositions(t *testing.T) {
	ownBlocked, ownIgnored := ownSignalMasks(t)
	spec := helperSpec{Argv: []string{"cat", "/proc/self/status"}, Notify: true}
	r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "")
	if r.code() != 0 {
		t.Fatalf("exit %d; stderr: %s", r.code(), r.stderr)
	}
	blocked, ignored := sigMasks(t, r.stdout)
	if ownBlocked == 0 && blocked != 0 {
		t.Errorf("child has signals blocked: SigBlk %016x", blocked)
	}
	if ignored != ownIgnored {
		t.Errorf("child ignores %016x, want %016x (what the test process ignores)", ignored, ownIgnored)
	}
	for _, s := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE, syscall.SIGHUP, syscall.SIGQUIT} {
		if ownIgnored&sigBit(s) == 0 && ignored&sigBit(s) != 0 {
			t.Errorf("child ignores %v", s)
		}
	}
}

// TestExecKeepsInheritedIgnoredInterrupt guards nohup and background-job
// semantics: an interrupt awsrun was started ignoring stays ignored for the
// child, even after awsrun caught it for a while.
func TestExecKeepsInheritedIgnoredInterrupt(t *testing.T) {
	ownSignalMasks(t)
	spec := helperSpec{Argv: []string{"cat", "/proc/self/status"}, Notify: true}
	r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, `trap "" INT HUP; exec "$0" "$@"`)
	if r.code() != 0 {
		t.Fatalf("exit %d; stderr: %s", r.code(), r.stderr)
	}
	_, ignored := sigMasks(t, r.stdout)
	for _, s := range []syscall.Signal{syscall.SIGINT, syscall.SIGHUP} {
		if ignored&sigBit(s) == 0 {
			t.Errorf("child does not ignore %v, which awsrun inherited ignored (SigIgn %016x)", s, ignored)
		}
	}
	if ignored&sigBit(syscall.SIGTERM) != 0 {
		t.Errorf("child ignores SIGTERM (SigIgn %016x)", ignored)
	}
}

// TestExecDescriptors guards that files awsrun opened do not reach the child,
// while descriptors awsrun inherited (a make jobserver's) do.
func TestExecDescriptors(t *testing.T) { checkDescriptors(t, false) }

// checkDescriptors runs the helper, which opens files and then execs (or,
// with run, starts as Run does) ls of the child's descriptors.
func checkDescriptors(t *testing.T, run bool) {
	t.Helper()
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	marker := writeFile(t, filepath.Join(t.TempDir(), "opened-by-awsrun"), "secret", 0o600)
	inheritedR, inheritedW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inheritedR.Close()
	defer inheritedW.Close()
	inherited, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", inheritedR.Fd()))
	if err != nil {
		t.Fatal(err)
	}

	spec := helperSpec{Argv: []string{"ls", "-l", "/proc/self/fd/"}, Open: marker, Run: run}
	r := runHelper(t, spec, []string{"PATH=" + testPath(t)}, "", inheritedR)
	if r.code() != 0 {
		t.Fatalf("exit %d; stderr: %s", r.code(), r.stderr)
	}
	var opened []string
	for _, line := range strings.Split(r.stderr, "\n") {
		if target, ok := strings.CutPrefix(line, "opened "); ok {
			opened = append(opened, target)
		}
	}
	if len(opened) != 3 || opened[0] != marker {
		t.Fatalf("helper opened %q; stderr: %s", opened, r.stderr)
	}
	for _, target := range opened {
		if strings.Contains(r.stdout, " -> "+target+"\n") {
			t.Errorf("child inherited %s:\n%s", target, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, " 3 -> "+inherited+"\n") {
		t.Errorf("child lost inherited descriptor 3 (%s):\n%s", inherited, r.stdout)
	}
}
