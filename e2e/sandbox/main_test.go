package main

import (
	"path/filepath"
	"strings"
	"testing"
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
