//go:build unix

package creds

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFilesAreBoundedRegularFiles guards against reading the shared files
// and token files without a bound: /dev/zero would exhaust memory, a FIFO
// would hang, a directory gave an INI hint. Each is refused, naming the
// file, before the SDK reads it.
func TestFilesAreBoundedRegularFiles(t *testing.T) {
	const role = "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = user101\n"
	fifo := func(t *testing.T) string {
		p := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip(err)
		}
		return p
	}
	big := func(t *testing.T) string {
		p := filepath.Join(t.TempDir(), "big")
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, maxSharedFile+1); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, configFile, credsFile string) // may repoint the files
		profile string
		want    string
		hint    string
	}{
		{"config is /dev/zero", func(t *testing.T, _, _ string) { t.Setenv("AWS_CONFIG_FILE", "/dev/zero") }, "r",
			"/dev/zero is not a regular file (a device)", "AWS_CONFIG_FILE"},
		{"config is a FIFO", func(t *testing.T, _, _ string) { t.Setenv("AWS_CONFIG_FILE", fifo(t)) }, "r",
			"is not a regular file (a FIFO)", "AWS_CONFIG_FILE"},
		{"config is a directory", func(t *testing.T, _, _ string) { t.Setenv("AWS_CONFIG_FILE", t.TempDir()) }, "r",
			"is a directory, not a file", "AWS_CONFIG_FILE"},
		{"credentials too large", func(t *testing.T, _, _ string) { t.Setenv("AWS_SHARED_CREDENTIALS_FILE", big(t)) }, "r",
			"is 16 MiB, more than the 16 MiB awsrun reads", "AWS_SHARED_CREDENTIALS_FILE"},
		{"web identity token is /dev/zero", func(t *testing.T, configFile, _ string) {
			os.WriteFile(configFile, []byte("[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nweb_identity_token_file = /dev/zero\n"), 0o600)
		}, "r", "/dev/zero is not a regular file (a device)", "web_identity_token_file"},
		{"web identity token is a FIFO", func(t *testing.T, configFile, _ string) {
			os.WriteFile(configFile, []byte("[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nweb_identity_token_file = "+fifo(t)+"\n"), 0o600)
		}, "r", "is not a regular file (a FIFO)", "web_identity_token_file"},
	}
	// The null device is the usual way to say "no such file", and reads
	// as empty.
	writeFiles(t, role, seedCredentials)
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	if _, err := LoadChain(context.Background(), "r", LoadOptions{}); err == nil || !strings.Contains(err.Error(), "profile r not found") {
		t.Errorf("AWS_CONFIG_FILE=%s: err = %v, want the profile not found", os.DevNull, err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			configFile, credsFile := writeFiles(t, role, seedCredentials)
			tt.setup(t, configFile, credsFile)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			before := runtime.NumGoroutine()
			done := make(chan error, 1)
			go func() {
				_, err := LoadChain(ctx, tt.profile, LoadOptions{})
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("LoadChain hangs")
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "profile r: ") {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if h := errHint(err); !strings.Contains(h, tt.hint) {
				t.Errorf("hint %q does not name %s", h, tt.hint)
			}
			// Nothing may go on reading the file behind the error: the
			// SDK's parse, started early, would block on a FIFO for good
			// and read /dev/zero until memory runs out.
			for wait := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(wait) {
					t.Fatalf("%d goroutines still run after LoadChain returned, %d before", runtime.NumGoroutine(), before)
				}
			}
		})
	}
}
