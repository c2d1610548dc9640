package warm

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
)

// TestIndexReadsTheFilesTheSDKReads: with HOME unset (or, on Windows, HOME
// and USERPROFILE apart) the index fingerprinted other files than the SDK
// read, and a config edit never invalidated it. The files are now the
// SDK's own, or there is no index.
func TestIndexReadsTheFilesTheSDKReads(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	tests := []struct {
		name string
		env  map[string]string // "" unsets
	}{
		{"HOME", map[string]string{"HOME": a, "USERPROFILE": ""}},
		{"HOME and USERPROFILE apart", map[string]string{"HOME": a, "USERPROFILE": b}},
		{"USERPROFILE only", map[string]string{"HOME": "", "USERPROFILE": b}},
		{"neither", map[string]string{"HOME": "", "USERPROFILE": ""}},
		{"AWS_CONFIG_FILE without a home", map[string]string{"HOME": "", "USERPROFILE": "", "AWS_CONFIG_FILE": filepath.Join(a, "config")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_CONFIG_FILE", "")
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
				if v == "" {
					os.Unsetenv(k)
				}
			}
			in := Invocation{Profile: "p", Getenv: os.Getenv}
			sdkConfig := os.Getenv("AWS_CONFIG_FILE")
			if sdkConfig == "" {
				sdkConfig = config.DefaultSharedConfigFilename()
			}
			sdkCredentials := config.DefaultSharedCredentialsFilename()
			if IndexID(in) == "" {
				return // no index: nothing to disagree about
			}
			if got := ConfigFile(os.Getenv); got != sdkConfig {
				t.Errorf("ConfigFile = %q, the SDK reads %q", got, sdkConfig)
			}
			if got := CredentialsFile(os.Getenv); got != sdkCredentials {
				t.Errorf("CredentialsFile = %q, the SDK reads %q", got, sdkCredentials)
			}
		})
	}
}

// TestNoHomeNoIndex: the SDK reads the passwd entry's home when HOME is
// unset, which the launcher cannot; USERPROFILE must not stand in for it.
func TestNoHomeNoIndex(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("USERPROFILE is the home on Windows")
	}
	env := map[string]string{"USERPROFILE": t.TempDir()}
	if id := IndexID(Invocation{Profile: "p", Getenv: func(k string) string { return env[k] }}); id != "" {
		t.Errorf("IndexID = %s without HOME, want none", id)
	}
}
