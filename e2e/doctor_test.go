//go:build unix

package e2e

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

// The doctor's report, asked with no terminal: what a run would cost and
// what is wrong, without a credential call to STS.
func (f *fixture) doctor(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	before := len(f.credentialCalls())
	stdout, stderr, code = runDetached(t, f, append([]string{"--doctor"}, args...)...)
	if n := len(f.credentialCalls()); n != before {
		t.Errorf("--doctor made %d credential calls", n-before)
	}
	return stdout, stderr, code
}

// checkUnsignedTimeCall checks the doctor's one request: unsigned.
func (f *fixture) checkUnsignedTimeCall(t *testing.T) {
	t.Helper()
	var n int
	for _, c := range f.Srv.Calls() {
		if c.Action == "GetCallerIdentity" {
			n++
			if c.AccessKeyID != "" {
				t.Errorf("the clock check was signed with %s", c.AccessKeyID)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d GetCallerIdentity calls, want the one clock check", n)
	}
}

func wants(t *testing.T, text string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(text) {
			t.Errorf("report lacks %q:\n%s", p, text)
		}
	}
}

func TestDoctorColdWithoutTerminalFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out, errOut, code := f.doctor(t, "-p", "role101")
	if code != 125 {
		t.Fatalf("exit %d, want 125\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	wants(t, out,
		`(?m)^  session user101 `+regexp.QuoteMeta(serial)+`: not cached: a run makes it, with an MFA code$`,
		`(?m)^  role    role101 `+regexp.QuoteMeta(roleARN)+`: not cached: a run makes it$`,
		`(?m)^a run now: 2 STS calls, 1 MFA code$`,
		`(?m)^codes from: none: .*no terminal$`,
		`(?m)^clock: 0s off STS's \(http://127\.0\.0\.1:\d+\)$`)
	wantErr := "awsrun: error: profile role101 (" + roleARN + "): a run now needs 1 MFA code and nothing can give one here"
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], wantErr) || !strings.HasPrefix(lines[1], "awsrun: hint: set AWSRUN_MFA_CODE=CODE") {
		t.Errorf("stderr = %q, want the error and a hint", errOut)
	}
	f.checkUnsignedTimeCall(t)

	// A code source is enough: the report then passes.
	f.env = append(f.env, "AWSRUN_MFA_CODE=123456")
	out, errOut, code = f.doctor(t, "-p", "role101")
	if code != 0 || errOut != "" {
		t.Fatalf("with AWSRUN_MFA_CODE: exit %d, stderr %q", code, errOut)
	}
	wants(t, out, `(?m)^codes from: --mfa-code / AWSRUN_MFA_CODE$`, `(?m)^ok: a run would work$`)
}

func TestDoctorAtTerminalThenWarm(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	s := f.awsrun(t, ctx, "-p", "role101", "--doctor")
	s.expect(`codes from: a prompt on the terminal`)
	s.expect(`ok: a run would work`)
	s.waitExit(0)

	s = f.awsrun(t, ctx, "-p", "role101", "--", "true")
	s.answerMFA(serial, f.Code())
	s.waitExit(0)

	out, errOut, code := f.doctor(t, "-p", "role101", "--min-ttl", "30m")
	if code != 0 {
		t.Fatalf("warm: exit %d\n%s\n%s", code, out, errOut)
	}
	wants(t, out,
		`(?m)^  session user101 .*: cached until \d\d:\d\d \S+ \((12h|11h5\dm) left\): not needed now$`,
		`(?m)^  role    role101 .*: cached until \d\d:\d\d \S+ \((1h|5\dm) left\)$`,
		`(?m)^a run now: 0 STS calls, 0 MFA codes$`,
		`(?m)^--min-ttl 30m: met from the cache \((1h|5\dm) left\)$`,
		`(?m)^cache: .*/\.cache/awsrun, key file `,
		`(?m)^ok: a run would work$`)

	// Asking for more than the cached role has left: a new role from the
	// cached session, no code.
	out, _, code = f.doctor(t, "-p", "role101", "--min-ttl", "2h")
	if code != 125 {
		t.Errorf("--min-ttl 2h: exit %d, want 125 (the role is asked for 1h)\n%s", code, out)
	}
}

func TestDoctorNamesTheChainedHopCut(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.Srv.AddRole("arn:aws:iam::"+account+":role/inner", ststest.RolePolicy{Principals: []string{roleARN}})
	f.addConfig(t, "[profile inner]\nrole_arn = arn:aws:iam::"+account+":role/inner\nsource_profile = role101\nduration_seconds = 7200\n")
	f.env = append(f.env, "AWSRUN_MFA_CODE=123456")
	out, errOut, code := f.doctor(t, "-p", "inner")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	wants(t, out,
		`(?m)^a run now: 3 STS calls, 1 MFA code$`,
		`(?m)^cut: inner arn:aws:iam::`+account+`:role/inner asks 2h, cut to 1h: it is assumed with the role of role101, and AWS allows role chaining 1h$`,
		`(?m)^warning: role inner .* asks for 2h, more than role chaining allows$`,
		`(?m)^  fix: set duration_seconds = 3600 in \[profile inner\]$`)
}

func TestDoctorReportsConfigAndCacheProblems(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.env = append(f.env, "AWSRUN_MFA_CODE=123456")
	f.Write(t, ".aws/config", "[profile role101]\nrole_arn = "+roleARN+"\nsource_profile = user101\n"+
		"mfa_serial = arn:aws:iam::210987654321:mfa/user101\nrgion = us-east-1\n")
	if err := os.MkdirAll(f.Path(".cache/awsrun"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f.Path(".cache/awsrun"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := f.doctor(t, "-p", "role101")
	if code != 0 {
		t.Fatalf("exit %d, want 0 (a run would work, without its cache)\n%s\n%s", code, out, errOut)
	}
	wants(t, out,
		`(?m)^warning: unknown key rgion in profile role101: neither the SDK nor awsrun reads it$`,
		`(?m)^warning: mfa_serial arn:aws:iam::210987654321:mfa/user101 is a device of account 210987654321, but the keys of user101 are of account `+account+` \(as their key id encodes it.*\): STS refuses`,
		`(?m)^cache: .*/\.cache/awsrun: not usable: `,
		`(?m)^warning: the cache cannot be used, so every run asks for new credentials: `,
		`(?m)^  fix: .*chmod`)
}

func TestDoctorMeasuresClockDrift(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.env = append(f.env, "AWSRUN_MFA_CODE=123456")
	f.Srv.SetClock(func() time.Time { return time.Now().Add(2 * time.Minute) })
	out, _, code := f.doctor(t, "-p", "role101")
	if code != 0 {
		t.Fatalf("2m ahead: exit %d, want 0 with a warning\n%s", code, out)
	}
	wants(t, out, `(?m)^clock: 2m0s off STS's`, `(?m)^warning: this machine's clock is 2m0s off STS's`)

	f.Srv.SetClock(func() time.Time { return time.Now().Add(-20 * time.Minute) })
	out, errOut, code := f.doctor(t, "-p", "role101")
	if code != 125 || !strings.Contains(errOut, "awsrun: error: profile role101 ("+roleARN+"): this machine's clock is 20m0s off STS's") ||
		!strings.Contains(errOut, "awsrun: hint: set the system clock") {
		t.Fatalf("20m behind: exit %d, stderr %q, want 125 and the clock named\n%s", code, errOut, out)
	}
	wants(t, out, `(?m)^clock: -20m0s off STS's`)
}

func TestDoctorJSONAndARefusedConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out, errOut, code := f.doctor(t, "-p", "role101", "--json")
	if code != 125 {
		t.Fatalf("exit %d, want 125 (no code source)\n%s\n%s", code, out, errOut)
	}
	var report struct {
		Steps []struct {
			Kind   string `json:"kind"`
			Cached bool   `json:"cached"`
			Needed bool   `json:"needed"`
		} `json:"steps"`
		Calls    int `json:"sts_calls"`
		Codes    int `json:"mfa_codes"`
		Problems []struct {
			Fail bool   `json:"fail"`
			Text string `json:"text"`
		} `json:"problems"`
		OK bool `json:"ok"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if len(report.Steps) != 2 || report.Steps[0].Kind != "session" || report.Steps[1].Kind != "role" ||
		report.Calls != 2 || report.Codes != 1 || report.OK || len(report.Problems) == 0 || !report.Problems[0].Fail {
		t.Errorf("report = %+v", report)
	}

	f.addConfig(t, "duration_seconds = 50000\n")
	out, errOut, code = f.doctor(t, "-p", "role101")
	if code != 125 || !strings.HasPrefix(errOut, "awsrun: error: profile role101 ("+roleARN+"): role duration 13h53m20s is out of range") ||
		!strings.Contains(errOut, "awsrun: hint: ") {
		t.Errorf("duration_seconds = 50000: exit %d, stderr %q\n%s", code, errOut, out)
	}
}

func TestDoctorDoesNotRunCredentialProcess(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.env = append(f.env, "AWSRUN_MFA_CODE=123456")
	f.Write(t, "keys.json", `{"Version": 1, "AccessKeyId": "`+f.User.AccessKeyID+`", "SecretAccessKey": "`+f.User.SecretAccessKey+`"}`)
	f.addConfig(t, "[profile viaproc]\ncredential_process = sh -c 'touch "+f.Path("ran")+"; cat "+f.Path("keys.json")+"'\n"+
		"[profile procrole]\nrole_arn = "+roleARN+"\nsource_profile = viaproc\nmfa_serial = "+serial+"\n")
	out, errOut, code := f.doctor(t, "-p", "procrole")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	wants(t, out, `(?m)^warning: credential_process runs on every cold launch, and the keys it prints name the cached steps after it`)
	if _, err := os.Stat(f.Path("ran")); err == nil {
		t.Error("--doctor ran the credential_process")
	}
}
