package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/runner"
)

func TestParseLeavesTheChildsFlagsAlone(t *testing.T) {
	tests := []struct {
		args    []string
		profile string
		command []string
	}{
		{[]string{"-p", "r", "--", "terraform", "plan", "-out", "x"}, "r", []string{"terraform", "plan", "-out", "x"}},
		{[]string{"--profile=r", "aws", "-p", "other", "--", "x"}, "r", []string{"aws", "-p", "other", "--", "x"}},
		{[]string{"ls", "-v"}, "", []string{"ls", "-v"}},
	}
	for _, tt := range tests {
		o, err := Parse(tt.args)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.args, err)
		}
		if o.Profile != tt.profile || strings.Join(o.Command, "\x00") != strings.Join(tt.command, "\x00") || o.Verbose {
			t.Errorf("Parse(%q) = profile %q command %q", tt.args, o.Profile, o.Command)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		args    []string
		env     []string
		wantErr string
	}{
		{[]string{"-p", "r"}, nil, ""}, // starts the shell
		{[]string{"-p", "r"}, []string{"AWSRUN_PROFILE=outer"}, "already inside awsrun (AWSRUN_PROFILE=outer)"},
		{[]string{"--export", "json", "ls"}, nil, `--export prints credentials and runs no command, but "ls" was given`},
		{[]string{"--export", "yaml"}, nil, `unknown --export format "yaml"`},
		{[]string{"true"}, []string{"AWSRUN_PROFILE=outer"}, "already inside awsrun (AWSRUN_PROFILE=outer)"},
		{[]string{"--nested", "true"}, []string{"AWSRUN_PROFILE=outer"}, ""},
		{[]string{"--export", "env"}, nil, ""},
	}
	for _, tt := range tests {
		_, err := Prepare(tt.args, append(testEnviron(t), tt.env...))
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Prepare(%q) = %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}

func TestFailVoiceAndStatus(t *testing.T) {
	tests := []struct {
		err        error
		want       int
		wantStderr string
	}{
		{UsageError{errors.New("unknown flag: --x")}, 125, "awsrun: error: unknown flag: --x\nawsrun: hint: awsrun --help shows the usage\n"},
		{&runner.CommandNotFoundError{Name: "tf", Err: runner.ErrNotFound}, 127, "awsrun: error: tf: command not found\nawsrun: hint: check the spelling, and that the command's directory is in PATH\n"},
		{&runner.ExitError{Code: 3}, 3, ""},
		{errors.New("two\nlines"), 125, "awsrun: error: two lines\n"},
		// Any error of any package that knows its fix, however wrapped.
		{fmt.Errorf("loading: %w", fixable{msg: "bad", fix: "do this"}), 125, "awsrun: error: loading: bad\nawsrun: hint: do this\n"},
		// One with no fix to give does not hide the fix of what it wraps.
		{fixable{msg: "outer"}.wrap(fixable{msg: "inner", fix: "do that"}), 125, "awsrun: error: outer: inner\nawsrun: hint: do that\n"},
		{fixable{msg: "nothing to say"}, 125, "awsrun: error: nothing to say\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if got := Fail(&b, tt.err); got != tt.want || b.String() != tt.wantStderr {
			t.Errorf("Fail(%v) = %d, %q; want %d, %q", tt.err, got, b.String(), tt.want, tt.wantStderr)
		}
	}
}

// fixable is an error from another package that knows its fix.
type fixable struct {
	msg, fix string
	err      error
}

func (e fixable) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}
func (e fixable) Hint() string           { return e.fix }
func (e fixable) Unwrap() error          { return e.err }
func (e fixable) wrap(err error) fixable { e.err = err; return e }

func TestExportEnvSurvivesEval(t *testing.T) {
	c := warm.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: `a'b"c$d` + "`e`\\", SessionToken: "tok en", Expiration: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	var b bytes.Buffer
	if err := Export(&b, "env", c, "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sh", "-c", b.String()+`printf '%s|%s|%s|%s|%s' "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION" "$AWS_REGION" "$AWSRUN_REGION"`).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := c.SecretAccessKey + "|tok en|2030-01-02T03:04:05Z|eu-west-1|eu-west-1"; string(out) != want {
		t.Errorf("eval gave %q, want %q", out, want)
	}
}
