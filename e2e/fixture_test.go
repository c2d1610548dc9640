//go:build unix

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/internal/testworld"
)

// The seed setup: IAM user user101 with a virtual MFA device, and role101,
// which trusts user101 and demands MFA.
const (
	account = testworld.Account
	userARN = testworld.UserARN
	serial  = testworld.Serial
	roleARN = testworld.RoleARN
)

// fixture is one user's world: a fake STS of their own and a temporary
// HOME holding ~/.aws, the XDG cache and config directories.
type fixture struct {
	*testworld.World
	// env is the whole environment awsrun gets: nothing of the test
	// process leaks in but PATH, which starts with awsrun's directory.
	env []string
}

// newFixture sets up the seed profiles in the aws partition.
func newFixture(t *testing.T) *fixture { return newFixtureIn(t, "aws") }

// newFixtureIn sets up the seed profiles with ARNs of partition:
//
//	[profile role101]
//	role_arn = arn:PARTITION:iam::123456789012:role/role101
//	source_profile = user101
//	mfa_serial = arn:PARTITION:iam::123456789012:mfa/user101
//
// and user101's generated keys in the credentials file.
func newFixtureIn(t *testing.T, partition string) *fixture {
	t.Helper()
	w := testworld.New(t, testworld.Options{
		Partition: partition,
		User:      "e2e",
		Path:      filepath.Dir(awsrunBin) + string(os.PathListSeparator) + os.Getenv("PATH"),
	})
	return &fixture{World: w, env: append(w.Env, "TERM=dumb")}
}

// addConfig appends text to ~/.aws/config.
func (f *fixture) addConfig(t *testing.T, text string) {
	t.Helper()
	f.Append(t, ".aws/config", text)
}

// command is argv run in the fixture's HOME with its environment.
func (f *fixture) command(ctx context.Context, argv ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append([]string(nil), f.env...)
	cmd.Dir = f.Home
	return cmd
}

// awsrun starts awsrun with args on a new terminal.
func (f *fixture) awsrun(t *testing.T, ctx context.Context, args ...string) *session {
	t.Helper()
	return startSession(t, ctx, f.command(ctx, append([]string{awsrunBin}, args...)...))
}

// shell starts sh -c script on a new terminal; awsrun is in its PATH.
func (f *fixture) shell(t *testing.T, ctx context.Context, script string) *session {
	t.Helper()
	return startSession(t, ctx, f.command(ctx, "/bin/sh", "-c", script))
}

// credentialCalls is the fake's call log without GetCallerIdentity, which
// children make to see who they are.
func (f *fixture) credentialCalls() []ststest.Call {
	var out []ststest.Call
	for _, c := range f.Srv.Calls() {
		if c.Action != "GetCallerIdentity" {
			out = append(out, c)
		}
	}
	return out
}

// cachedCredentials opens awsrun's cache as awsrun does in this HOME and
// returns the entries that hold or point at credentials: everything but the
// remembered last MFA code, which awsrun keeps before STS answers. It fails
// the test on entries that do not open (a check that finds nothing must
// have been able to see something) and on temporary files left behind.
func (f *fixture) cachedCredentials(t *testing.T) []cache.Listed {
	t.Helper()
	dir := f.Path(".cache/awsrun")
	s, err := cache.Open(cache.Options{Dir: dir, KeyDir: f.Path(".config/awsrun"), KeyStore: "file"})
	if err != nil {
		t.Fatalf("opening awsrun's cache: %v", err)
	}
	listed, unreadable, err := s.Inventory()
	if err != nil {
		t.Fatalf("listing awsrun's cache: %v", err)
	}
	if unreadable > 0 {
		t.Fatalf("awsrun's cache holds %d entries that do not open with its key", unreadable)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".tmp") {
			t.Errorf("awsrun left the temporary file %s in its cache", de.Name())
		}
	}
	var out []cache.Listed
	for _, l := range listed {
		if l.Entry.Kind != "mfa-code" {
			out = append(out, l)
		}
	}
	return out
}

// kinds returns the kinds of entries, sorted.
func kinds(entries []cache.Listed) []string {
	var k []string
	for _, e := range entries {
		k = append(k, string(e.Entry.Kind))
	}
	slices.Sort(k)
	return k
}

// describeEntries lists entries for failure messages.
func describeEntries(entries []cache.Listed) string {
	var s []string
	for _, e := range entries {
		s = append(s, string(e.Entry.Kind)+" "+e.Entry.Label)
	}
	return strings.Join(s, "; ")
}
