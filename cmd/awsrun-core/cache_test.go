package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/internal/testworld"
)

// These tests run the built awsrun binary, many at once where it matters,
// against the fake STS, and read the cache as awsrun's own package does.

// binary is the launcher built beside awsrun-core, as go install puts
// them, once per source (testworld.Programs).
func binary(t testing.TB) string {
	t.Helper()
	return testworld.Program(t, "awsrun")
}

// mfaProcess makes the world's profiles take codes from a script that
// counts its runs, and returns a setter for the code it prints.
func (w *world) mfaProcess(t *testing.T) (setCode func(string), runs func() int) {
	t.Helper()
	codeFile := w.write(t, "mfa/code", "")
	countFile := w.write(t, "mfa/count", "")
	cfg := filepath.Join(w.home, ".aws/config")
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("mfa_process = echo run >> '%s'; cat '%s'\n", countFile, codeFile)
	text = bytes.ReplaceAll(text, []byte("mfa_serial = "+serial+"\n"), []byte("mfa_serial = "+serial+"\n"+line))
	w.write(t, ".aws/config", string(text))
	setCode = func(code string) { w.write(t, "mfa/code", code+"\n") }
	runs = func() int {
		b, _ := os.ReadFile(countFile)
		return bytes.Count(b, []byte("run"))
	}
	setCode(w.code())
	return setCode, runs
}

// run starts the built launcher with no terminal and waits for it.
func (w *world) run(t *testing.T, args ...string) result {
	t.Helper()
	return w.runBinary(t, binary(t), args...)
}

func (w *world) runBinary(t *testing.T, bin string, args ...string) result {
	t.Helper()
	return launch(t, bin, w.env, nil, args...)
}

// launch runs bin with env, no terminal and stdin from in (nil: none),
// and waits up to a minute for it.
func launch(t *testing.T, bin string, env []string, in io.Reader, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	noTerminal(cmd)
	cmd.Stdin = in
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v did not finish: %s", bin, args, stderr.String())
	}
	return resultOf(t, err, &stdout, &stderr)
}

// resultOf is what a command that ran to its end, with err from Run or
// Wait, did: its exit status and output.
func resultOf(t *testing.T, err error, stdout, stderr *bytes.Buffer) result {
	t.Helper()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, stdout.String(), stderr.String()}
}

func (w *world) store(t *testing.T) *cache.Store {
	t.Helper()
	s, err := cache.Open(cache.Options{Dir: filepath.Join(w.home, ".cache", "awsrun"), KeyDir: filepath.Join(w.home, ".config", "awsrun"), KeyStore: "file"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// entry finds the cached entry of a kind ("session", "role") and returns
// its file name.
func (w *world) entry(t *testing.T, kind, labelPart string) string {
	t.Helper()
	return filepath.Join(w.home, ".cache", "awsrun", w.listed(t, kind, labelPart).File)
}

// listed is the cached entry of kind whose label contains labelPart.
func (w *world) listed(t *testing.T, kind, labelPart string) cache.Listed {
	t.Helper()
	entries, err := w.store(t).List()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if string(e.Entry.Kind) == kind && strings.Contains(e.Entry.Label, labelPart) {
			return e
		}
	}
	t.Fatalf("no %s entry for %q in the cache", kind, labelPart)
	return cache.Listed{}
}

func (w *world) counts() (sessions, roles int) {
	for _, c := range w.srv.Calls() {
		switch c.Action {
		case "GetSessionToken":
			sessions++
		case "AssumeRole":
			roles++
		}
	}
	return
}

func exportKey(t *testing.T, r result) string {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var v struct{ AccessKeyId, SessionToken string }
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || !strings.HasPrefix(v.AccessKeyId, "ASIA") {
		t.Fatalf("--export json gave %q (%v)", r.stdout, err)
	}
	return v.AccessKeyId
}

func TestParallelColdStartsMakeOnePromptAndOneCallPerStep(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	_, runs := w.mfaProcess(t)
	binary(t)
	const n = 24
	keys := make([]string, n)
	errs := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			r := w.run(t, "-p", "role101", "--", "sh", "-c", `printf %s "$AWS_ACCESS_KEY_ID"`)
			keys[i] = r.stdout
			if r.code != 0 {
				errs[i] = fmt.Sprintf("exit %d: %s", r.code, r.stderr)
			}
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != "" {
			t.Errorf("process %d: %s", i, errs[i])
		}
		if keys[i] != keys[0] || !strings.HasPrefix(keys[i], "ASIA") {
			t.Errorf("process %d got key %q, process 0 got %q", i, keys[i], keys[0])
		}
	}
	if got := runs(); got != 1 {
		t.Errorf("mfa_process ran %d times, want 1", got)
	}
	if s, r := w.counts(); s != 1 || r != 1 {
		t.Errorf("STS saw %d GetSessionToken and %d AssumeRole, want 1 and 1", s, r)
	}
}

func TestTwoRolesSharingASourceShareOneCode(t *testing.T) {
	const role102 = "arn:aws:iam::" + acct + ":role/role102"
	w := newWorld(t, "[profile role101]\nrole_arn = "+roleARN+"\nsource_profile = user101\nmfa_serial = "+serial+"\n"+
		"[profile role102]\nrole_arn = "+role102+"\nsource_profile = user101\nmfa_serial = "+serial+"\nregion = eu-central-1\n")
	w.srv.AddRole(role102, ststest.RolePolicy{Principals: []string{userARN}, RequireMFA: true})
	_, runs := w.mfaProcess(t)
	k1 := exportKey(t, w.run(t, "-p", "role101", "--export", "json"))
	k2 := exportKey(t, w.run(t, "-p", "role102", "--export", "json"))
	if k1 == k2 {
		t.Errorf("both roles got the same key")
	}
	if got := runs(); got != 1 {
		t.Errorf("mfa_process ran %d times for two roles of one source, want 1", got)
	}
	if s, r := w.counts(); s != 1 || r != 2 {
		t.Errorf("STS saw %d GetSessionToken and %d AssumeRole, want 1 and 2", s, r)
	}
}

func TestWarmRunMakesNoSTSCallAndNearExpiryIsRefreshed(t *testing.T) {
	w := newWorld(t, "")
	setCode, runs := w.mfaProcess(t)
	// Credentials issued now expire four minutes from now by this machine's
	// clock: inside the five-minute margin after the first run.
	w.srv.SetCredentialLifetime(4 * time.Minute)
	k1 := exportKey(t, w.run(t, "-p", "role101", "--export", "json"))
	w.srv.SetCredentialLifetime(0)
	setCode(w.dev.Code(w.srv.Now().Add(30 * time.Second)))
	w.srv.ResetCalls()
	k2 := exportKey(t, w.run(t, "-p", "role101", "--export", "json"))
	if k1 == k2 {
		t.Errorf("credentials with 4 minutes left were served again")
	}
	if s, r := w.counts(); s != 1 || r != 1 {
		t.Errorf("refresh made %d GetSessionToken and %d AssumeRole, want 1 and 1 (both entries were near expiry)", s, r)
	}

	w.srv.ResetCalls()
	k3 := exportKey(t, w.run(t, "-p", "role101", "--export", "json"))
	if k3 != k2 {
		t.Errorf("warm run got key %s, want the cached %s", k3, k2)
	}
	if n := len(w.srv.Calls()); n != 0 {
		t.Errorf("warm run made %d STS calls, want none", n)
	}
	if got := runs(); got != 2 {
		t.Errorf("mfa_process ran %d times, want 2 (first run and the expired session)", got)
	}
}

func TestDamagedEntriesAreMissesAndReplaced(t *testing.T) {
	tests := []struct {
		name       string
		damage     func(t *testing.T, w *world)
		newSession bool // the damage reaches the MFA session: a new code is needed
	}{
		{"flipped byte", func(t *testing.T, w *world) {
			p := w.entry(t, "role", "role101")
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 0x40
			os.WriteFile(p, b, 0o600)
		}, false},
		{"truncated", func(t *testing.T, w *world) {
			p := w.entry(t, "role", "role101")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/3], 0o600)
		}, false},
		{"empty", func(t *testing.T, w *world) {
			os.WriteFile(w.entry(t, "role", "role101"), nil, 0o600)
		}, false},
		{"two entries swapped", func(t *testing.T, w *world) {
			r, s := w.entry(t, "role", "role101"), w.entry(t, "session", serial)
			rb, _ := os.ReadFile(r)
			sb, _ := os.ReadFile(s)
			os.WriteFile(r, sb, 0o600)
			os.WriteFile(s, rb, 0o600)
		}, true},
		{"key changed", func(t *testing.T, w *world) {
			if err := os.Remove(filepath.Join(w.home, ".config", "awsrun", "cache.key")); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "")
			setCode, runs := w.mfaProcess(t)
			first := exportKey(t, w.run(t, "-p", "role101", "--export", "json"))
			tt.damage(t, w)
			// The next code, as a person would type it half a minute later.
			setCode(w.dev.Code(w.srv.Now().Add(30 * time.Second)))
			w.srv.ResetCalls()
			second := exportKey(t, w.run(t, "-p", "role101", "--export", "json"))
			if second == first {
				t.Errorf("damaged entry served")
			}
			wantSessions, wantRuns := 0, 1
			if tt.newSession {
				wantSessions, wantRuns = 1, 2
			}
			if s, r := w.counts(); s != wantSessions || r != 1 {
				t.Errorf("STS saw %d GetSessionToken and %d AssumeRole, want %d and 1", s, r, wantSessions)
			}
			if got := runs(); got != wantRuns {
				t.Errorf("mfa_process ran %d times, want %d", got, wantRuns)
			}
			// Replaced: the third run is served from the cache.
			w.srv.ResetCalls()
			if third := exportKey(t, w.run(t, "-p", "role101", "--export", "json")); third != second || len(w.srv.Calls()) != 0 {
				t.Errorf("after the repair: key %s (want %s), %d STS calls (want 0)", third, second, len(w.srv.Calls()))
			}
		})
	}
}

func TestKilledWritersNeverLeaveACorruptEntry(t *testing.T) {
	t.Parallel()
	// A role without MFA, so writers can refresh again and again with no code.
	w := newWorld(t, "[profile open]\nrole_arn = arn:aws:iam::"+acct+":role/open\nsource_profile = user101\n")
	w.srv.AddRole("arn:aws:iam::"+acct+":role/open", ststest.RolePolicy{Principals: []string{userARN}})
	exportKey(t, w.run(t, "-p", "open", "--export", "json"))
	bin := binary(t)
	for i := range 40 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		writer := exec.CommandContext(ctx, bin, "-p", "open", "--refresh", "--export", "json")
		writer.Env = w.env
		if err := writer.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rand.IntN(30_000)) * time.Microsecond)
		writer.Process.Signal(syscall.SIGKILL)
		writer.Wait()
		cancel()
		r := w.run(t, "-p", "open", "--export", "json")
		if r.code != 0 {
			t.Fatalf("reader after kill %d: exit %d: %s", i, r.code, r.stderr)
		}
		var v struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("reader after kill %d: %q: %v", i, r.stdout, err)
		}
		// The fake accepts the credentials: nothing corrupt was served.
		got := callerOf(t, w, v.AccessKeyId, v.SecretAccessKey, v.SessionToken)
		if !strings.Contains(got, ":assumed-role/open/") {
			t.Fatalf("reader after kill %d got credentials for %q", i, got)
		}
	}
	tmp, _ := filepath.Glob(filepath.Join(w.home, ".cache", "awsrun", ".tmp*"))
	for _, p := range tmp {
		if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
			t.Logf("temp file left by a killed writer (harmless, never read): %s", filepath.Base(p))
		}
	}
}

func TestNoPlaintextOnDisk(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	r := w.run(t, "-p", "role101", "--export", "json")
	exportKey(t, r)
	var v struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	json.Unmarshal([]byte(r.stdout), &v)
	secrets := map[string]string{
		"role secret key":    v.SecretAccessKey,
		"role session token": v.SessionToken,
		"role ARN":           roleARN,
		"profile name":       "role101",
		"MFA serial":         serial,
	}
	err := filepath.WalkDir(w.home, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(p, filepath.Join(w.home, ".aws")) {
			return nil // the user's own files
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for what, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s found in plaintext in %s", what, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func callerOf(t *testing.T, w *world, key, secret, token string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append([]string{}, w.env...), "AWSRUN_TEST_ROLE=whoami",
		"AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_SESSION_TOKEN="+token)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("whoami: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestNoCacheRecordsTheCodeSent: --no-cache keeps no credentials, but the
// code it sent is recorded, so that the next run — with or without the
// cache — refuses it before STS does, instead of sending it again.
func TestNoCacheRecordsTheCodeSent(t *testing.T) {
	w := newWorld(t, "")
	code := w.code()
	if r := w.run(t, "-p", "role101", "--no-cache", "-t", code, "--", "true"); r.code != 0 {
		t.Fatalf("first run: exit %d\n%s", r.code, r.stderr)
	}
	if kinds := w.cached(t); !slices.Equal(kinds, []string{string(cache.KindMFACode)}) {
		t.Errorf("--no-cache wrote %v, want only the used code's record", kinds)
	}
	for _, args := range [][]string{
		{"-p", "role101", "--no-cache", "-t", code, "--", "true"},
		{"-p", "role101", "-t", code, "--", "true"},
	} {
		w.srv.ResetCalls()
		r := w.run(t, args...)
		if r.code != 125 || !strings.Contains(r.stderr, "already used") {
			t.Errorf("%v: exit %d, stderr %q; want the code refused as already used", args, r.code, r.stderr)
		}
		if n := w.srv.CallCount("GetSessionToken"); n != 0 {
			t.Errorf("%v: %d GetSessionToken calls, want none: the code was sent again", args, n)
		}
	}
}
