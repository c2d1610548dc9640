package cli

import (
	"errors"
	"strings"
	"testing"
)

func TestHandOverCarriesTheLaunchersBuild(t *testing.T) {
	env := HandOverEnv([]string{"PATH=/bin", launcherBuildVar + "=forged", "HOME=/h"})
	n := 0
	for _, kv := range env {
		if strings.HasPrefix(kv, launcherBuildVar+"=") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("HandOverEnv left %d %s variables: %q", n, launcherBuildVar, env)
	}
	rest, err := AcceptHandOver(env)
	if err != nil {
		t.Fatalf("AcceptHandOver of our own build: %v", err)
	}
	if got := strings.Join(rest, " "); got != "PATH=/bin HOME=/h" {
		t.Errorf("environment after the hand-over = %q, want the caller's without %s", got, launcherBuildVar)
	}
}

func TestAcceptHandOverRefusesAnotherBuild(t *testing.T) {
	own := CurrentBuild()
	tests := []struct {
		name    string
		environ []string
		wantErr bool
	}{
		{"run by its own name", []string{"PATH=/bin"}, false},
		{"same build", []string{"PATH=/bin", launcherBuildVar + "=" + own.id()}, false},
		{"another version", []string{"PATH=/bin", launcherBuildVar + "=0.0.1-other " + own.Commit}, true},
		{"another commit", []string{"PATH=/bin", launcherBuildVar + "=" + own.Version + " 0123456789abcdef"}, true},
		{"empty", []string{"PATH=/bin", launcherBuildVar + "="}, true},
	}
	for _, tt := range tests {
		rest, err := AcceptHandOver(tt.environ)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err %v; want error %v", tt.name, err, tt.wantErr)
		}
		if strings.Join(rest, " ") != "PATH=/bin" {
			t.Errorf("%s: environment after the hand-over = %q, want PATH=/bin", tt.name, rest)
		}
		for _, kv := range rest {
			if strings.HasPrefix(kv, launcherBuildVar+"=") {
				t.Errorf("%s: %s left in the environment", tt.name, launcherBuildVar)
			}
		}
		var bm *BuildMismatchError
		if tt.wantErr && (!errors.As(err, &bm) || Hint(err) == "") {
			t.Errorf("%s: error %v has no hint", tt.name, err)
		}
	}
}

func TestBuildString(t *testing.T) {
	tests := []struct {
		b    Build
		want string
	}{
		{Build{Version: "1.2.3", Commit: "abc", Date: "2026-01-02T03:04:05Z"}, "1.2.3 (commit abc, 2026-01-02T03:04:05Z)"},
		{Build{Version: "devel"}, "devel (commit unknown, unknown)"},
	}
	for _, tt := range tests {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.b, got, tt.want)
		}
	}
}
