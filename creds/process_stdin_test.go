package creds

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/creds/warm"
)

// TestCredentialProcessStdin: the process reads the null device, not
// awsrun's stdin (the command's input), and os.Stdin is never swapped
// meanwhile: under --server the process runs beside the command, which
// uses it.
func TestCredentialProcessStdin(t *testing.T) {
	f := newFixture(t, "")
	b, _ := json.Marshal(map[string]any{"Version": 1, "AccessKeyId": f.user.AccessKeyID, "SecretAccessKey": f.user.SecretAccessKey})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "creds.json"), string(b))
	// Says what it read, says it started, then waits (bounded) for the
	// test to have looked at os.Stdin.
	writeFile(t, filepath.Join(dir, "process"), fmt.Sprintf(`cd '%s'
if IFS= read -r l; then printf 'read %%s\n' "$l" > stdin; else echo eof > stdin; fi
: > started
i=0; while [ ! -e go ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
cat creds.json
`, dir))
	f.write(t, "[profile proc]\ncredential_process = sh "+filepath.Join(dir, "process")+"\n", "")

	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if _, err := pw.WriteString("typed for the command\n"); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	saved := os.Stdin
	os.Stdin = pr
	defer func() { os.Stdin = saved }()

	swapped := make(chan bool, 1)
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		swapped <- os.Stdin != pr // read while the process runs
		os.WriteFile(filepath.Join(dir, "go"), nil, 0o600)
	}()
	if _, err := f.retrieve(t, f.resolver(nil), "proc", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if <-swapped {
		t.Error("os.Stdin was swapped while the credential_process ran")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "stdin")); strings.TrimSpace(string(got)) != "eof" {
		t.Errorf("the process's stdin gave %q, want the null device's eof", got)
	}
	rest := make([]byte, 64)
	if n, _ := pr.Read(rest); string(rest[:n]) != "typed for the command\n" {
		t.Errorf("the command's input left: %q", rest[:n])
	}
}

// TestCredentialProcessWithRole: role_arn beside credential_process is
// assumed from the process's keys with the profile's external_id and
// mfa_serial, as the SDK's own loader does.
func TestCredentialProcessWithRole(t *testing.T) {
	f := newFixture(t, "")
	f.srv.AddRole(openRole, ststest.RolePolicy{Principals: []string{userARN}, ExternalID: "xid-1", RequireMFA: true})
	b, _ := json.Marshal(map[string]any{"Version": 1, "AccessKeyId": f.user.AccessKeyID, "SecretAccessKey": f.user.SecretAccessKey})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "creds.json"), string(b))
	f.write(t, "[profile proc]\ncredential_process = cat "+filepath.Join(dir, "creds.json")+"\nrole_arn = "+openRole+
		"\nexternal_id = xid-1\nmfa_serial = "+serial+"\n", "")
	c, err := f.retrieve(t, f.resolver(nil), "proc", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID == f.user.AccessKeyID || c.SessionToken == "" || f.srv.CallCount("AssumeRole") != 1 {
		t.Errorf("got %s with %d AssumeRole calls, want the role's session", warm.MaskKeyID(c.AccessKeyID), f.srv.CallCount("AssumeRole"))
	}
}
