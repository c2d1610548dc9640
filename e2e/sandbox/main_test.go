package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsrun/awsrun/creds/ststest"
)

// TestSandboxIsolates checks that the sandbox's environment keeps awsrun
// off the caller's files, key stores and AWS account: every place awsrun
// writes is inside the sandbox's HOME, the key stores are files, and every
// endpoint awsrun may call is one of the fakes.
func TestSandboxIsolates(t *testing.T) {
	home := t.TempDir()
	env := map[string]string{}
	for _, kv := range sandboxEnv(home, "http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, k := range []string{"HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		v, ok := env[k]
		if !ok {
			t.Errorf("%s is not set: awsrun would use the caller's", k)
			continue
		}
		if rel, err := filepath.Rel(home, v); err != nil || strings.HasPrefix(rel, "..") {
			t.Errorf("%s=%s is outside the sandbox's HOME %s", k, v, home)
		}
	}
	for k, want := range map[string]string{
		"AWSRUN_KEY_STORE":           "file",
		"AWSRUN_KEYS_STORE":          "file",
		"AWS_ENDPOINT_URL_STS":       "http://127.0.0.1:1",
		"AWS_ENDPOINT_URL_IAM":       "http://127.0.0.1:2",
		"AWSRUN_FEDERATION_ENDPOINT": "http://127.0.0.1:3",
		"AWS_EC2_METADATA_DISABLED":  "true",
	} {
		if env[k] != want {
			t.Errorf("%s=%q, want %q", k, env[k], want)
		}
	}
}

// TestSummary: the line after a run names the credential calls only, and
// claims the cache only for a run that worked.
func TestSummary(t *testing.T) {
	cold := []ststest.Call{{Action: "GetCallerIdentity"}, {Action: ""}, {Action: "GetSessionToken"}, {Action: "AssumeRole"}, {Action: "GetCallerIdentity"}}
	for _, tt := range []struct {
		run, status int
		calls       []ststest.Call
		want        string
	}{
		{1, 0, cold, "run 1 exited 0; STS calls for credentials: GetSessionToken, AssumeRole"},
		{2, 0, []ststest.Call{{Action: "GetCallerIdentity"}}, "run 2 exited 0; STS calls for credentials: none (served from the cache)"},
		{2, 125, nil, "run 2 exited 125; STS calls for credentials: none"},
	} {
		if got := summary(tt.run, tt.status, tt.calls); got != tt.want {
			t.Errorf("summary(%d, %d, …) = %q, want %q", tt.run, tt.status, got, tt.want)
		}
	}
}

// TestCommandFindsTheSandboxAwsrunFirst: a command after -- is looked up
// in the sandbox's PATH, where the sandbox's awsrun comes first.
func TestCommandFindsTheSandboxAwsrunFirst(t *testing.T) {
	mine, other := t.TempDir(), t.TempDir()
	for _, dir := range []string{mine, other} {
		if err := os.WriteFile(filepath.Join(dir, "awsrun"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PATH=/usr/bin", "HOME=/x", "PATH=" + mine + string(os.PathListSeparator) + other}
	if got, err := lookPath("awsrun", env); err != nil || got != filepath.Join(mine, "awsrun") {
		t.Errorf("lookPath(awsrun) = %q, %v; want the sandbox's %s", got, err, filepath.Join(mine, "awsrun"))
	}
	if _, err := lookPath("no-such-command-xyz", env); err == nil {
		t.Error("lookPath found a command that does not exist")
	}
}
