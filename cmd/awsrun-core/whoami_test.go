package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

func TestWhoAmI(t *testing.T) {
	w := newWorld(t, "")
	r := w.run(t, "-p", "role101", "-t", w.code(), "--whoami")
	if r.code != 0 {
		t.Fatalf("--whoami: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Profile  role101\n", "Account  " + acct + "\n", "Arn      " + role101ARN + "\n", "UserId   AROA", "Expires  ", "(59m left)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	calls := w.srv.Calls()
	if len(calls) != 3 || calls[2].Action != "GetCallerIdentity" || calls[2].CallerARN != role101ARN {
		t.Errorf("STS calls %+v, want GetSessionToken, AssumeRole, then GetCallerIdentity as the role", calls)
	}

	// Warm: the cached role, no code, one GetCallerIdentity.
	w.srv.ResetCalls()
	r = w.run(t, "-p", "role101", "--whoami", "--json")
	if r.code != 0 {
		t.Fatalf("--whoami --json: exit %d: %s", r.code, r.stderr)
	}
	var got struct {
		Profile, Account, Arn, UserId string
		Expiration                    *time.Time
		SecondsLeft                   *int64
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if got.Profile != "role101" || got.Account != acct || got.Arn != role101ARN || !strings.HasPrefix(got.UserId, "AROA") || !strings.HasSuffix(got.UserId, ":awsrun-tester") {
		t.Errorf("JSON %+v", got)
	}
	if got.Expiration == nil || got.SecondsLeft == nil || *got.SecondsLeft < 50*60 || *got.SecondsLeft > 3600 {
		t.Errorf("Expiration %v, SecondsLeft %v; want about an hour", got.Expiration, got.SecondsLeft)
	}
	if calls := w.srv.Calls(); len(calls) != 1 || calls[0].Action != "GetCallerIdentity" {
		t.Errorf("warm --whoami made calls %+v, want GetCallerIdentity alone", calls)
	}
	// --whoami indexed the credentials: a command is now a warm launch.
	w.srv.ResetCalls()
	if r := w.run(t, "-p", "role101", "--", "true"); r.code != 0 || len(w.srv.Calls()) != 0 {
		t.Errorf("run after --whoami: exit %d, %d STS calls, stderr %q", r.code, len(w.srv.Calls()), r.stderr)
	}
}

func TestWhoAmIPlainUser(t *testing.T) {
	w := newWorld(t, "[profile user101]\nregion = us-east-1\n")
	r := w.run(t, "-p", "user101", "--whoami", "--json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got struct{ Arn string }
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got.Arn != userARN {
		t.Errorf("Arn %q (%v), want %s", got.Arn, err, userARN)
	}
}

func TestWhoAmIBadInput(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		fault *ststest.Fault
		env   string
		want  string
	}{
		{name: "with a command", args: []string{"-p", "role101", "--whoami", "--", "true"}, want: "--whoami runs no command"},
		{name: "with --export", args: []string{"-p", "role101", "--whoami", "--export", "env"}, want: "drop --export"},
		{name: "STS refuses", args: []string{"-p", "role101", "--whoami"}, fault: &ststest.Fault{Action: "GetCallerIdentity", Code: "ExpiredToken"},
			want: "profile role101 (arn:aws:iam::" + acct + ":role/role101): GetCallerIdentity: ExpiredToken"},
		{name: "bad AWSRUN_STS_TIMEOUT, before any code", args: []string{"-p", "role101", "--whoami"}, env: "AWSRUN_STS_TIMEOUT=soon", want: `AWSRUN_STS_TIMEOUT="soon" is not a duration`},
		{name: "unknown profile", args: []string{"-p", "nope", "--whoami"}, want: "profile nope not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "")
			if tt.fault != nil {
				w.srv.InjectFault(*tt.fault)
			}
			if tt.env != "" {
				w.env = append(w.env, tt.env)
			}
			r := w.run(t, append([]string{"-t", w.code()}, tt.args...)...)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if r.code != 125 || len(lines) != 2 || !strings.Contains(lines[0], tt.want) || !strings.HasPrefix(lines[1], "awsrun: hint: ") {
				t.Errorf("exit %d, stderr %q; want 125, %q and a hint", r.code, r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q", r.stdout)
			}
			if tt.env != "" && len(w.srv.Calls()) != 0 {
				t.Errorf("STS was called before the setting was refused: %+v", w.srv.Calls())
			}
		})
	}
}
