package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/internal/testworld"
)

// The test binary doubles as awsrun itself and as a child that asks STS
// who it is, so the tests run the real main — exec included — in a process
// of its own, with no controlling terminal.
func TestMain(m *testing.M) {
	switch os.Getenv("AWSRUN_TEST_ROLE") {
	case "awsrun":
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Environ()))
	case "whoami":
		os.Exit(whoami())
	default:
		if child, ok := serverChildren[os.Getenv("AWSRUN_TEST_ROLE")]; ok {
			os.Exit(child()) // server_test.go
		}
	}
	// The server tests wait on credentials expiring in real time.
	testworld.DefaultParallel(8)
	os.Exit(m.Run())
}

func whoami() int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	arn, err := testworld.CallerARN(ctx, "us-east-1")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(arn)
	return 0
}

const (
	acct    = testworld.Account
	userARN = testworld.UserARN
	serial  = testworld.Serial
	roleARN = testworld.RoleARN
)

// world is the seeds' testworld, with the names these tests use.
type world struct {
	tw   *testworld.World
	srv  *ststest.Server
	user *ststest.User
	dev  *ststest.MFADevice
	home string
	env  []string
}

// newWorld is the seeds' setup against a fake STS, in a temp HOME; config
// "" is role101 in eu-west-1.
func newWorld(t *testing.T, config string) *world {
	t.Helper()
	return newWorldTB(t, config)
}

func newWorldB(b *testing.B) *world { return newWorldTB(b, "") }

func newWorldTB(t testing.TB, config string) *world {
	t.Helper()
	if config == "" {
		config = "[profile role101]\nrole_arn = " + roleARN + "\nsource_profile = user101\nmfa_serial = " + serial + "\nregion = eu-west-1\n"
	}
	tw := testworld.New(t, testworld.Options{Config: config})
	return &world{tw: tw, srv: tw.Srv, user: tw.User, dev: tw.Dev, home: tw.Home, env: tw.Env}
}

// write replaces the file name inside HOME and returns its path.
func (w *world) write(t testing.TB, name, text string) string {
	t.Helper()
	return w.tw.Write(t, name, text)
}

type result struct {
	code           int
	stdout, stderr string
}

// awsrun runs the real main in a new session: no controlling terminal,
// stdin /dev/null, as in CI.
func (w *world) awsrun(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	env := append(append(append([]string{}, w.env...), "AWSRUN_TEST_ROLE=awsrun"), extraEnv...)
	r := launch(t, os.Args[0], env, nil, args...)
	if strings.Contains(r.stderr+r.stdout, w.user.SecretAccessKey) {
		t.Errorf("the source secret key appears in awsrun's output")
	}
	return r
}

// cached lists the kinds of the entries in the world's cache.
func (w *world) cached(t *testing.T) []string {
	t.Helper()
	s, err := cache.Open(cache.Options{Dir: filepath.Join(w.home, ".cache", "awsrun"), KeyDir: filepath.Join(w.home, ".config", "awsrun"), KeyStore: "file"})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, string(e.Entry.Kind))
	}
	return kinds
}

func (w *world) code() string { return w.tw.Code() }

func TestRunsCommandWithRoleCredentials(t *testing.T) {
	w := newWorld(t, "")
	r := w.awsrun(t, []string{"AWSRUN_TEST_ROLE_CHILD=x", "AWS_PROFILE=stale", "AWS_ACCESS_KEY_ID=AKIASTALE"},
		"--profile", "role101", "--mfa-code", w.code(), "--", "sh", "-c",
		`printf '%s\n%s\n%s\n%s\n' "$AWS_ACCESS_KEY_ID" "$AWSRUN_PROFILE" "$AWS_REGION" "${AWS_PROFILE-unset}"; AWSRUN_TEST_ROLE=whoami "$0"`, os.Args[0])
	if r.code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 5 {
		t.Fatalf("stdout = %q", r.stdout)
	}
	if !strings.HasPrefix(lines[0], "ASIA") || lines[1] != "role101" || lines[2] != "eu-west-1" || lines[3] != "unset" {
		t.Errorf("child saw key %q profile %q region %q AWS_PROFILE %q", lines[0], lines[1], lines[2], lines[3])
	}
	if want := "arn:aws:sts::" + acct + ":assumed-role/role101/awsrun-tester"; lines[4] != want {
		t.Errorf("child's identity = %s, want %s", lines[4], want)
	}
	if r.stderr != "" {
		t.Errorf("awsrun wrote to stderr without -v: %q", r.stderr)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		config  string // "" for the seeds' role101
		args    func(w *world) []string
		env     []string
		setup   func(t *testing.T, w *world)
		want    int
		wantErr string // in the "awsrun: error:" line
		hint    string // in the "awsrun: hint:" line; "-" for none expected
	}{
		{
			name: "unknown flag", want: 125,
			args:    func(*world) []string { return []string{"--bogus", "true"} },
			wantErr: "unknown flag: --bogus", hint: "awsrun --help",
		},
		{
			name: "unknown profile", want: 125,
			args:    func(*world) []string { return []string{"-p", "nope", "--", "true"} },
			wantErr: "profile nope: profile nope not found in", hint: "known profiles: role101, user101",
		},
		{
			name: "source_profile cycle", want: 125,
			config:  "[profile a]\nrole_arn = " + roleARN + "\nsource_profile = b\n[profile b]\nrole_arn = " + roleARN + "\nsource_profile = a\n",
			args:    func(*world) []string { return []string{"-p", "a", "--", "true"} },
			wantErr: "profile a: source_profile cycle: a → b → a", hint: "end the chain",
		},
		{
			name: "malformed role_arn", want: 125,
			config:  "[profile r]\nrole_arn = arn:aws:iam::12345:role/x\nsource_profile = user101\n",
			args:    func(*world) []string { return []string{"-p", "r", "--", "true"} },
			wantErr: `profile r: role_arn: "arn:aws:iam::12345:role/x" is not an IAM role ARN`, hint: "role_arn = arn:aws:iam::",
		},
		{
			name: "missing source keys", want: 125,
			config:  "[profile r]\nrole_arn = " + roleARN + "\nsource_profile = nokeys\n[profile nokeys]\nregion = us-east-1\n",
			args:    func(*world) []string { return []string{"-p", "r", "--", "true"} },
			wantErr: "profile r (" + roleARN + "): source profile nokeys has no", hint: "aws_access_key_id",
		},
		{
			name: "duration out of range", want: 125,
			args:    func(*world) []string { return []string{"-p", "role101", "-d", "13h", "--", "true"} },
			wantErr: "profile role101 (" + roleARN + "): role duration 13h is out of range (15m to 12h)", hint: "--duration",
		},
		{
			name: "duration not a duration", want: 125,
			args:    func(*world) []string { return []string{"-p", "role101", "-d", "soon", "--", "true"} },
			wantErr: `--duration: invalid duration "soon"`, hint: "awsrun --help",
		},
		{
			name: "five-digit code", want: 125,
			args:    func(*world) []string { return []string{"-p", "role101", "-t", "12345", "--", "true"} },
			wantErr: "profile role101 (" + serial + "): the MFA code from --mfa-code is not 6 digits", hint: "6-digit",
		},
		{
			name: "five-digit code in the variable", want: 125,
			args:    func(*world) []string { return []string{"-p", "role101", "--", "true"} },
			env:     []string{"AWSRUN_MFA_CODE=98765"},
			wantErr: "profile role101 (" + serial + "): the MFA code from AWSRUN_MFA_CODE is not 6 digits", hint: "6-digit",
		},
		{
			name: "wrong code", want: 125,
			args: func(w *world) []string {
				wrong := "000000"
				if w.code() == wrong {
					wrong = "000001"
				}
				return []string{"-p", "role101", "-t", wrong, "--", "true"}
			},
			wantErr: "profile user101 (" + serial + "): GetSessionToken: AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code.",
			hint:    "each code works once",
		},
		{
			name: "STS unreachable", want: 125,
			args:    func(w *world) []string { return []string{"-p", "role101", "-t", w.code(), "--", "true"} },
			env:     []string{"AWS_ENDPOINT_URL_STS=http://127.0.0.1:1"},
			wantErr: "GetSessionToken: cannot reach STS at http://127.0.0.1:1: connection refused", hint: "AWS_ENDPOINT_URL_STS",
		},
		{
			// A CI job that asked for a longer wait and misspelled it hears
			// so before any prompt or STS call, not a silent default.
			name: "STS timeout not a duration", want: 125,
			args:    func(*world) []string { return []string{"-p", "role101", "--", "true"} },
			env:     []string{"AWSRUN_STS_TIMEOUT=5 minutes"},
			wantErr: `profile role101: AWSRUN_STS_TIMEOUT="5 minutes" is not a duration (want e.g. 30s, 2m or seconds)`, hint: "AWSRUN_STS_TIMEOUT",
		},
		{
			name: "missing command", want: 127,
			args:    func(*world) []string { return []string{"-p", "role101", "--", "no-such-command-xyz"} },
			wantErr: "no-such-command-xyz: command not found", hint: "PATH",
		},
		{
			name: "not executable", want: 126,
			args:    func(w *world) []string { return []string{"-p", "role101", "--", filepath.Join(w.home, "script.sh")} },
			setup:   func(t *testing.T, w *world) { w.write(t, "script.sh", "#!/bin/sh\necho hi\n") },
			wantErr: "script.sh: permission denied", hint: "chmod +x",
		},
		{
			name: "nested", want: 125,
			args:    func(w *world) []string { return []string{"-p", "role101", "-t", w.code(), "--", "true"} },
			env:     []string{"AWSRUN_PROFILE=outer"},
			wantErr: "already inside awsrun (AWSRUN_PROFILE=outer)", hint: "--nested",
		},
		{
			name: "no terminal and no code source", want: 125,
			args:    func(*world) []string { return []string{"-p", "role101", "--", "true"} },
			wantErr: "profile role101 (" + serial + "): no terminal to ask for the MFA code", hint: "set AWSRUN_MFA_CODE=CODE (or pass --mfa-code CODE",
		},
		{
			name: "unknown export format", want: 125,
			args:    func(*world) []string { return []string{"-p", "role101", "--export", "yaml"} },
			wantErr: `unknown --export format "yaml"`, hint: "awsrun --help",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.config)
			if tt.setup != nil {
				tt.setup(t, w)
			}
			r := w.awsrun(t, tt.env, tt.args(w)...)
			if r.code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tt.want, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if !strings.HasPrefix(lines[0], "awsrun: error: ") || !strings.Contains(lines[0], tt.wantErr) {
				t.Errorf("first stderr line = %q, want awsrun: error: …%s…", lines[0], tt.wantErr)
			}
			if len(lines) != 2 || !strings.HasPrefix(lines[1], "awsrun: hint: ") || !strings.Contains(lines[1], tt.hint) {
				t.Errorf("stderr = %q, want one error line and a hint with %q", r.stderr, tt.hint)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			// A failure caches no credentials (the record of a used code aside)
			// and leaves no temp file.
			for _, e := range w.cached(t) {
				if e != "mfa-code" {
					t.Errorf("cached after a failure: %s", e)
				}
			}
			if tmp, _ := filepath.Glob(filepath.Join(w.home, ".cache", "awsrun", ".tmp*")); len(tmp) > 0 {
				t.Errorf("temp files left: %v", tmp)
			}
		})
	}
}

func TestExport(t *testing.T) {
	w := newWorld(t, "")
	code := w.code()
	r := w.awsrun(t, nil, "-p", "role101", "-t", code, "--export", "credential-process")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var cp struct {
		Version                                                int
		AccessKeyId, SecretAccessKey, SessionToken, Expiration string
	}
	if err := json.Unmarshal([]byte(r.stdout), &cp); err != nil {
		t.Fatalf("credential-process output %q: %v", r.stdout, err)
	}
	if cp.Version != 1 || !strings.HasPrefix(cp.AccessKeyId, "ASIA") || cp.SessionToken == "" {
		t.Errorf("credential-process = %+v", cp)
	}
	if _, err := time.Parse(time.RFC3339, cp.Expiration); err != nil {
		t.Errorf("Expiration %q: %v", cp.Expiration, err)
	}

	// The cache serves the other formats: no second code.
	r = w.awsrun(t, nil, "-p", "role101", "--export", "env")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	out, err := exec.Command("sh", "-c", r.stdout+`printf '%s' "$AWS_SESSION_TOKEN"`).Output()
	if err != nil || string(out) != cp.SessionToken {
		t.Errorf("eval of --export env gave token %q (err %v), want the cached one", out, err)
	}
	r = w.awsrun(t, nil, "-p", "role101", "--export", "json")
	var js map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &js); err != nil || js["AccessKeyId"] != cp.AccessKeyId || js["Region"] != "eu-west-1" {
		t.Errorf("--export json = %q (err %v)", r.stdout, err)
	}
}

func TestFailExitStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{cli.UsageError{Err: fmt.Errorf("x")}, 125},
		{&cli.NestedError{Outer: "p"}, 125},
		{fmt.Errorf("wrapped: %w", &runnerNotFound), 127},
		{fmt.Errorf("wrapped: %w", &runnerNotExec), 126},
		{&runnerExit, 3},
		{&interrupted, 130},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if got := cli.Fail(&b, tt.err); got != tt.want {
			t.Errorf("cli.Fail(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
