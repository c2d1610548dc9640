//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/internal/cli"
)

// child is the argv that runs the test binary as the server child role.
func child(role string) []string {
	return []string{"sh", "-c", "AWSRUN_TEST_ROLE=" + role + ` exec "$0"`, os.Args[0]}
}

// running is awsrun started in the background, its child's stdout read
// line by line.
type running struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	stderr bytes.Buffer
	lines  chan string
	seen   []string
}

// start runs the real main in a new session (no terminal), bounded by
// limit or the test's deadline.
func (w *world) start(t *testing.T, limit time.Duration, extraEnv []string, args ...string) *running {
	t.Helper()
	deadline := time.Now().Add(limit)
	if d, ok := t.Deadline(); ok && d.Add(-5*time.Second).Before(deadline) {
		deadline = d.Add(-5 * time.Second)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	r := &running{cancel: cancel, lines: make(chan string, 256)}
	r.cmd = exec.CommandContext(ctx, os.Args[0], args...)
	r.cmd.Env = append(append(append([]string{}, w.env...), "AWSRUN_TEST_ROLE=awsrun"), extraEnv...)
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	r.cmd.Cancel = func() error { return syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL) }
	r.cmd.WaitDelay = 5 * time.Second
	r.cmd.Stderr = &r.stderr
	out, err := r.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	return r
}

// expect waits for a line of the child's starting with prefix.
func (r *running) expect(t *testing.T, prefix string) string {
	t.Helper()
	for l := range r.lines {
		r.seen = append(r.seen, l)
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("the child never printed %q; it printed %q", prefix, r.seen)
	return ""
}

// wait returns awsrun's exit status and everything the child printed.
func (r *running) wait(t *testing.T) (int, []string) {
	t.Helper()
	for l := range r.lines {
		r.seen = append(r.seen, l)
	}
	err := r.cmd.Wait()
	if ctxErr := r.cmd.ProcessState; ctxErr == nil {
		t.Fatalf("awsrun did not finish: %v", err)
	}
	if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("awsrun killed by %v (deadline?); stderr:\n%s", ws.Signal(), r.stderr.String())
	}
	return r.cmd.ProcessState.ExitCode(), r.seen
}

// roleCalls are the AssumeRole calls of the fake's log.
func roleCalls(srv *ststest.Server) []ststest.Call {
	var out []ststest.Call
	for _, c := range srv.Calls() {
		if c.Action == "AssumeRole" {
			out = append(out, c)
		}
	}
	return out
}

// codesSent counts the calls that carried an MFA code.
func codesSent(srv *ststest.Server) int {
	n := 0
	for _, c := range srv.Calls() {
		if c.TokenCode != "" {
			n++
		}
	}
	return n
}

// TestServerChildSDKAcrossRoleLifetimes is the job the mode exists for: a
// Go program on the AWS SDK calls STS for longer than three lifetimes of
// its role and never fails, with one MFA code, because awsrun renews the
// role before it expires.
func TestServerChildSDKAcrossRoleLifetimes(t *testing.T) {
	t.Parallel()
	const lifetime = 12 * time.Second
	w := newWorld(t, "")
	w.srv.SetRoleCredentialLifetime(lifetime)
	r := w.start(t, 90*time.Second, []string{"SDKLOOP_FOR=40s"},
		append([]string{"--server", "-p", "role101", "-t", w.code(), "-v", "--"}, child("sdkloop")...)...)
	code, out := r.wait(t)
	if code != 0 || len(out) != 1 || !strings.HasPrefix(out[0], "calls=") {
		t.Fatalf("exit %d, child said %q; stderr:\n%s", code, out, r.stderr.String())
	}
	var calls, keys int
	var arn string
	if _, err := fmt.Sscanf(out[0], "calls=%d keys=%d arn=%s", &calls, &keys, &arn); err != nil {
		t.Fatalf("child said %q: %v", out[0], err)
	}
	if want := "arn:aws:sts::" + acct + ":assumed-role/role101/awsrun-tester"; arn != want {
		t.Errorf("child was %s, want %s", arn, want)
	}
	if keys < 4 {
		t.Errorf("child used %d access keys in 40s of 12s credentials, want at least 4", keys)
	}
	if n := codesSent(w.srv); n != 1 {
		t.Errorf("%d MFA codes sent, want 1", n)
	}
	if n := w.srv.CallCount("GetSessionToken"); n != 1 {
		t.Errorf("%d GetSessionToken calls, want 1", n)
	}
	roles := roleCalls(w.srv)
	for i, c := range roles {
		if c.ErrorCode != "" {
			t.Errorf("AssumeRole %d failed: %s", i+1, c.ErrorCode)
		}
		if i == 0 {
			continue
		}
		prevExpiry := roles[i-1].Time.Add(lifetime).Truncate(time.Second)
		left := prevExpiry.Sub(c.Time)
		t.Logf("refresh %d: %s before the previous credentials expired", i, left.Round(10*time.Millisecond))
		if left <= 0 {
			t.Errorf("refresh %d came %s after the previous credentials expired", i, -left)
		}
	}
	if span := roles[len(roles)-1].Time.Sub(roles[0].Time); span < 2*lifetime {
		t.Errorf("role renewed over %s only", span)
	}
	for _, c := range w.srv.Calls() {
		if c.Action == "GetCallerIdentity" && c.ErrorCode != "" {
			t.Errorf("the child's GetCallerIdentity failed: %s", c.ErrorCode)
		}
	}
	t.Logf("%d GetCallerIdentity calls by the child with %d keys; STS: %d GetSessionToken, %d AssumeRole, %d codes",
		calls, keys, w.srv.CallCount("GetSessionToken"), len(roles), codesSent(w.srv))
	for _, secret := range []string{w.user.SecretAccessKey} {
		if strings.Contains(r.stderr.String(), secret) {
			t.Error("a secret in awsrun's stderr")
		}
	}
}

// TestServerChildEnvironmentAndEndpoint: the command — here a grandchild,
// as Terraform's provider plugins are — has the endpoint and no static
// credentials, inherits no socket, and the endpoint refuses who has no
// token; once the command exits, the endpoint is gone.
func TestServerChildEnvironmentAndEndpoint(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	// AWS_ACCESS_KEY and AWS_SECRET_KEY are the Java SDK v1's names of the
	// first two: it would prefer them to the endpoint.
	res := w.awsrun(t, []string{"AWS_ACCESS_KEY_ID=AKIASTALE", "AWS_SECRET_ACCESS_KEY=stale", "AWS_PROFILE=stale",
		"AWS_ACCESS_KEY=AKIASTALE", "AWS_SECRET_KEY=stale",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.2/stale", "AWS_CONTAINER_AUTHORIZATION_TOKEN=stale"},
		"--server", "-p", "role101", "-t", w.code(), "--", "sh", "-c", `AWSRUN_TEST_ROLE=probe "$0"; exit $?`, os.Args[0])
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	got := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		for _, field := range strings.Fields(l) {
			if k, v, ok := strings.Cut(field, "="); ok {
				got[k] = v
			}
		}
	}
	want := map[string]string{"static": "", "profile": "role101", "region": "eu-west-1", "marker": "eu-west-1", "tokenlen": "43",
		"sockets": "", "noauth": "401", "wrong": "403", "right": "200"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	u, err := url.Parse(got["uri"])
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "" {
		t.Fatalf("uri = %q", got["uri"])
	}
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		conn.Close()
		t.Errorf("the endpoint %s still accepts connections after the child exited", u.Host)
	}
	if res.stderr != "" {
		t.Errorf("stderr without -v: %q", res.stderr)
	}
}

func TestServerExitStatus(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	first := true
	for _, tt := range []struct {
		name string
		argv []string
		want int
	}{
		{"exit 3", []string{"sh", "-c", "exit 3"}, 3},
		{"exit 0", []string{"true"}, 0},
		{"killed by SIGTERM", []string{"sh", "-c", "kill -TERM $$; sleep 5"}, 143},
		{"killed by SIGKILL", []string{"sh", "-c", "kill -KILL $$; sleep 5"}, 137},
		{"not found", []string{"no-such-command-xyz"}, 127},
	} {
		args := []string{"--server", "-p", "role101"}
		if first {
			args = append(args, "-t", w.code()) // then the cache serves
			first = false
		}
		res := w.awsrun(t, nil, append(append(args, "--"), tt.argv...)...)
		if res.code != tt.want {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", tt.name, res.code, tt.want, res.stderr)
		}
		if tt.want < 125 && res.stderr != "" {
			t.Errorf("%s: awsrun spoke for its child: %q", tt.name, res.stderr)
		}
	}
}

// TestServerForwardsSIGTERM: a CI runner's cancel reaches the command.
func TestServerForwardsSIGTERM(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	r := w.start(t, 30*time.Second, nil, "--server", "-p", "role101", "-t", w.code(), "--", "sh", "-c", "echo ready; exec sleep 30")
	r.expect(t, "ready")
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code, _ := r.wait(t); code != 143 {
		t.Errorf("exit %d, want 143; stderr:\n%s", code, r.stderr.String())
	}
}

// TestServerMFAProcessRenewsTheSession: the MFA session ends during the
// run; mfa_process renews it before it does, and the child never notices.
func TestServerMFAProcessRenewsTheSession(t *testing.T) {
	t.Parallel()
	// The session is used while it has 5 minutes left, so for 45 seconds:
	// long enough that the renewal's code is not the first one's.
	const session, role = 5*time.Minute + 45*time.Second, 10 * time.Second
	w := newWorld(t, "")
	w.write(t, ".aws/config", "[profile role101]\nrole_arn = "+roleARN+"\nsource_profile = user101\nmfa_serial = "+serial+
		"\nregion = eu-west-1\nmfa_process = AWSRUN_TEST_ROLE=totp TOTP_SECRET="+w.dev.Secret+" "+os.Args[0]+"\n")
	w.srv.SetCredentialLifetime(session)
	w.srv.SetRoleCredentialLifetime(role)
	r := w.start(t, 120*time.Second, []string{"SDKLOOP_FOR=50s"}, append([]string{"--server", "-p", "role101", "-v", "--"}, child("sdkloop")...)...)
	code, out := r.wait(t)
	if code != 0 || len(out) != 1 || !strings.HasPrefix(out[0], "calls=") {
		t.Fatalf("exit %d, child said %q; stderr:\n%s", code, out, r.stderr.String())
	}
	var sessions []ststest.Call
	for _, c := range w.srv.Calls() {
		if c.Action == "GetSessionToken" {
			sessions = append(sessions, c)
		}
		if c.ErrorCode != "" {
			t.Errorf("%s failed: %s", c.Action, c.ErrorCode)
		}
	}
	if len(sessions) != 2 || codesSent(w.srv) != 2 {
		t.Fatalf("%d sessions, %d codes, want 2 and 2 (the first and one renewal); stderr:\n%s", len(sessions), codesSent(w.srv), r.stderr.String())
	}
	left := sessions[0].Time.Add(session - 5*time.Minute).Truncate(time.Second).Sub(sessions[1].Time)
	t.Logf("the MFA session was renewed by mfa_process %s before awsrun would have stopped using it", left.Round(10*time.Millisecond))
	if left <= 0 {
		t.Errorf("the session was renewed %s after it ended", -left)
	}
	if strings.Contains(r.stderr.String(), "cannot refresh") {
		t.Errorf("a refresh failed:\n%s", r.stderr.String())
	}
}

// TestServerSessionEndsWithoutMFAProcess: with nobody to type a code, the
// user is told ahead of time what renewing takes; when the session ends,
// the failure is said once and the endpoint says why; once the user renews
// it from another terminal, the command's credentials are renewed again.
func TestServerSessionEndsWithoutMFAProcess(t *testing.T) {
	t.Parallel()
	// Used while it has 5 minutes left: for 20 seconds.
	const session, role = 5*time.Minute + 20*time.Second, 6 * time.Second
	w := newWorld(t, "")
	w.srv.SetCredentialLifetime(session)
	w.srv.SetRoleCredentialLifetime(role)
	first := w.code()
	r := w.start(t, 120*time.Second, []string{"POLL_FOR=90s"}, append([]string{"--server", "-p", "role101", "-t", first, "--"}, child("poll")...)...)
	r.expect(t, "200")
	failed := r.expect(t, "503")
	for _, want := range []string{"CredentialsUnavailable", "a new MFA code is needed", "awsrun -p role101 --server --min-ttl 6h -- true"} {
		if !strings.Contains(failed, want) {
			t.Errorf("the endpoint said %q, want %q in it", failed, want)
		}
	}

	// The user, in another terminal, with a code not used yet.
	code := w.code()
	for code == first {
		time.Sleep(time.Second)
		code = w.code()
	}
	if res := w.awsrun(t, nil, "-p", "role101", "-t", code, "--server", "--min-ttl", "6h", "--", "true"); res.code != 0 {
		t.Fatalf("renewing: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	r.expect(t, "200")
	if code, out := r.wait(t); code != 0 {
		t.Errorf("exit %d, child said %q", code, out)
	}
	stderr := r.stderr.String()
	for _, want := range []string{
		"awsrun: the MFA session of profile role101 (" + serial + ") ends in ",
		"awsrun: hint: to renew it now, run in another terminal: awsrun -p role101 --server --min-ttl 6h -- true\n",
		"awsrun: refreshing the command's credentials works again",
	} {
		if strings.Count(stderr, want) != 1 {
			t.Errorf("stderr has %q %d times, want once:\n%s", want, strings.Count(stderr, want), stderr)
		}
	}
	if n := strings.Count(stderr, "awsrun: cannot refresh the command's credentials"); n != 1 {
		t.Errorf("the failure was said %d times, want once:\n%s", n, stderr)
	}
}

func TestServerMinTTLBeyondAnySessionRefusedUpFront(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	res := w.awsrun(t, nil, "--server", "-p", "role101", "--min-ttl", "40h", "--session-duration", "36h", "--", "true")
	if res.code != 125 || !strings.Contains(res.stderr, "awsrun: error: profile role101 ("+roleARN+"): the MFA session the MFA code buys lasts 36h, and --min-ttl asks for 40h: the command would need another code while it runs") ||
		!strings.Contains(res.stderr, "awsrun: hint: an MFA session lasts 36h at most") {
		t.Errorf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	if n := len(w.srv.Calls()); n != 0 {
		t.Errorf("%d STS calls before the refusal", n)
	}
	// Within what --session-duration allows: the hint says so.
	res = w.awsrun(t, nil, "--server", "-p", "role101", "--min-ttl", "20h", "--", "true")
	if res.code != 125 || !strings.Contains(res.stderr, "): the MFA session the MFA code buys lasts 12h, and --min-ttl asks for 20h") ||
		!strings.Contains(res.stderr, "awsrun: hint: pass --session-duration longer than 20h (it goes up to 36h)") {
		t.Errorf("--min-ttl 20h: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	res = w.awsrun(t, nil, "--server", "-p", "role101", "--export", "json")
	if res.code != 125 || !strings.Contains(res.stderr, "--server runs a command") {
		t.Errorf("--server --export: exit %d; stderr:\n%s", res.code, res.stderr)
	}
}

// TestServerWarnsOfADefaultProfileWithCredentials: SDKs read the default
// profile's own keys before the endpoint, so the command would not run as
// the role; awsrun says so.
func TestServerWarnsOfADefaultProfileWithCredentials(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	w.write(t, ".aws/credentials", fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n[default]\naws_access_key_id = AKIADEFAULTEXAMPLE00\naws_secret_access_key = x\n",
		w.user.AccessKeyID, w.user.SecretAccessKey))
	res := w.awsrun(t, nil, "--server", "-p", "role101", "-t", w.code(), "--", "true")
	if res.code != 0 || strings.Count(res.stderr, "\n") != 1 || !strings.HasPrefix(res.stderr, "awsrun: warning: the default profile has credentials of its own") {
		t.Errorf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
}

func TestServerRenewCommand(t *testing.T) {
	tests := []struct {
		opts    cli.Options
		session time.Duration
		kind    cache.Kind
		want    string
	}{
		{cli.Options{}, 12 * time.Hour, cache.KindSession, "awsrun -p role101 --server --min-ttl 6h -- true"},
		{cli.Options{SessionDuration: "36h"}, 36 * time.Hour, cache.KindSession, "awsrun -p role101 --session-duration 36h --server --min-ttl 18h -- true"},
		{cli.Options{SessionDuration: "90m"}, 90 * time.Minute, cache.KindSession, "awsrun -p role101 --session-duration 90m --server --min-ttl 45m -- true"},
		{cli.Options{Duration: "2h", SessionDuration: "24h"}, 24 * time.Hour, cache.KindRole, "awsrun -p role101 -d 2h --refresh -- true"},
	}
	for _, tt := range tests {
		w := &watch{a: &app{opts: &tt.opts}, chain: &creds.Chain{SessionDuration: tt.session}, profile: "role101",
			step: creds.CodeStep{Kind: tt.kind}, ok: true}
		if got := w.renewCommand(); got != tt.want {
			t.Errorf("renewCommand() = %q, want %q", got, tt.want)
		}
	}
}

// TestServerNoCacheKeepsTheSessionInMemory: --no-cache writes no
// credentials (only the record of the code it sent), yet the role is
// renewed from the MFA session of the first code.
func TestServerNoCacheKeepsTheSessionInMemory(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	w.srv.SetRoleCredentialLifetime(6 * time.Second)
	r := w.start(t, 60*time.Second, []string{"SDKLOOP_FOR=14s"},
		append([]string{"--server", "--no-cache", "-p", "role101", "-t", w.code(), "--"}, child("sdkloop")...)...)
	if code, out := r.wait(t); code != 0 {
		t.Fatalf("exit %d, child said %q; stderr:\n%s", code, out, r.stderr.String())
	}
	if n, roles := codesSent(w.srv), len(roleCalls(w.srv)); n != 1 || roles < 3 {
		t.Errorf("%d codes, %d AssumeRole calls; want 1 code for at least 3 roles", n, roles)
	}
	if kinds := w.cached(t); !slices.Equal(kinds, []string{string(cache.KindMFACode)}) {
		t.Errorf("--no-cache wrote %v, want only the used code's record", kinds)
	}
}

// TestServerRenewsHalfSpentCachedCredentialsAtStart: cached role
// credentials with less than twice the lead left are replaced before the
// command starts, so the endpoint's refreshes are timed from a whole
// lifetime.
func TestServerRenewsHalfSpentCachedCredentialsAtStart(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	w.srv.SetRoleCredentialLifetime(20 * time.Minute)
	if res := w.awsrun(t, nil, "-p", "role101", "-t", w.code(), "--", "true"); res.code != 0 {
		t.Fatalf("first run: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	w.srv.SetRoleCredentialLifetime(0)
	res := w.awsrun(t, nil, "--server", "-p", "role101", "--", "true")
	if res.code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	roles := roleCalls(w.srv)
	if len(roles) != 2 || codesSent(w.srv) != 1 {
		t.Errorf("%d AssumeRole calls, %d codes; want the cached role renewed once at start, from the cached session", len(roles), codesSent(w.srv))
	}

	// Cached ones with more left are served as they are.
	res = w.awsrun(t, nil, "--server", "-p", "role101", "--", "true")
	if res.code != 0 || len(roleCalls(w.srv)) != 2 {
		t.Errorf("exit %d, %d AssumeRole calls; want the cache to serve a whole role", res.code, len(roleCalls(w.srv)))
	}
}

// TestServerNoPromptError: the refresh that needs a code says what to run
// in its text (the endpoint's answer carries only that) and, as a hint,
// where mfa_process would go.
func TestServerNoPromptError(t *testing.T) {
	w := &watch{a: &app{opts: &cli.Options{}}, chain: &creds.Chain{SessionDuration: 12 * time.Hour}, profile: "role101",
		step: creds.CodeStep{Kind: cache.KindSession}, ok: true}
	_, err := w.noPrompt(context.Background(), serial)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "awsrun -p role101 --server --min-ttl 6h -- true") {
		t.Errorf("error = %q", err)
	}
	if h := cli.Hint(err); !strings.Contains(h, "mfa_process in [profile role101]") {
		t.Errorf("hint = %q, want it to name the profile's mfa_process", h)
	}
}
