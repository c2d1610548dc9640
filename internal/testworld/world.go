// Package testworld is the one test world awsrun's tests and the sandbox
// share: a fake STS (creds/ststest) holding the seed identities, the
// ~/.aws files pointing at them in a temporary HOME, the environment a
// child awsrun runs with, and the programs built once.
//
// The seeds are IAM user user101 with long-term keys and a virtual MFA
// device, and role101, which trusts user101 and demands MFA:
//
//	[profile role101]
//	role_arn = arn:aws:iam::123456789012:role/role101
//	source_profile = user101
//	mfa_serial = arn:aws:iam::123456789012:mfa/user101
//
// It is imported only by _test.go files and by e2e/sandbox.
package testworld

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

// Account is the seeds' AWS account.
const Account = "123456789012"

// The seeds' ARNs in the aws partition.
const (
	UserARN = "arn:aws:iam::" + Account + ":user/user101"
	Serial  = "arn:aws:iam::" + Account + ":mfa/user101"
	RoleARN = "arn:aws:iam::" + Account + ":role/role101"
)

// Options shape a world; the zero value is the seeds in the aws partition
// with ~/.aws/config holding role101 alone.
type Options struct {
	// Partition is the ARNs' partition; "": aws.
	Partition string
	// Config is the whole ~/.aws/config; "": Profile("role101", "") of
	// the world's own ARNs.
	Config string
	// User is $USER, which the session names awsrun picks carry; "": tester.
	User string
	// Path is $PATH; "": the test process's.
	Path string
}

// World is one user's world: a fake STS of their own and a temporary HOME
// holding ~/.aws and the XDG cache and config directories.
type World struct {
	Srv  *ststest.Server
	User *ststest.User
	Dev  *ststest.MFADevice
	Role *ststest.Role
	// Home is the temporary HOME.
	Home string
	// Env is the whole environment a child awsrun gets: nothing of the
	// test process leaks in but PATH.
	Env []string
}

// New builds a world in a new t.TempDir and closes its fake STS when the
// test ends.
func New(t testing.TB, o Options) *World {
	t.Helper()
	w, err := NewIn(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Srv.Close)
	return w
}

// NewIn builds a world with home as its HOME; the caller closes w.Srv.
func NewIn(home string, o Options) (*World, error) {
	if o.Partition == "" {
		o.Partition = "aws"
	}
	if o.User == "" {
		o.User = "tester"
	}
	if o.Path == "" {
		o.Path = os.Getenv("PATH")
	}
	iam := "arn:" + o.Partition + ":iam::" + Account + ":"
	srv := ststest.NewServer()
	w := &World{Srv: srv, Home: home}
	w.User = srv.AddUser(iam + "user/user101")
	w.Dev = srv.AddMFADevice(iam+"mfa/user101", w.User)
	w.Role = srv.AddRole(iam+"role/role101", ststest.RolePolicy{Principals: []string{w.User.ARN}, RequireMFA: true})
	if o.Config == "" {
		o.Config = w.Profile("role101", "")
	}
	err := errors.Join(
		writeFile(w.Path(".aws/config"), o.Config),
		writeFile(w.Path(".aws/credentials"), w.Credentials()),
	)
	if err != nil {
		srv.Close()
		return nil, err
	}
	w.Env = []string{
		"PATH=" + o.Path,
		"HOME=" + home,
		"USER=" + o.User,
		"XDG_CACHE_HOME=" + w.Path(".cache"),
		"XDG_CONFIG_HOME=" + w.Path(".config"),
		"XDG_DATA_HOME=" + w.Path(".local/share"),
		"AWS_CONFIG_FILE=" + w.Path(".aws/config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + w.Path(".aws/credentials"),
		"AWS_ENDPOINT_URL_STS=" + srv.URL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWSRUN_KEY_STORE=file",
		// Never the machine's keyring, nor the key store of the HOME that
		// runs the tests.
		"AWSRUN_KEYS_STORE=file",
		// Tests re-run their own binary as awsrun's child or as awsrun;
		// built with -race it would sleep a second at every exit.
		"GORACE=atexit_sleep_ms=0",
	}
	return w, nil
}

// Profile is the seed role profile name: role101 reached from user101 with
// the MFA device, in region unless that is "".
func (w *World) Profile(name, region string) string {
	s := "[profile " + name + "]\nrole_arn = " + w.Role.ARN + "\nsource_profile = user101\nmfa_serial = " + w.Dev.Serial + "\n"
	if region != "" {
		s += "region = " + region + "\n"
	}
	return s
}

// Credentials is the shared credentials file holding user101's keys.
func (w *World) Credentials() string {
	return fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		w.User.AccessKeyID, w.User.SecretAccessKey)
}

// Path is name (slash-separated) inside the world's HOME.
func (w *World) Path(name string) string { return filepath.Join(w.Home, filepath.FromSlash(name)) }

// Write replaces the file name inside HOME, making its directories, and
// returns its path.
func (w *World) Write(t testing.TB, name, text string) string {
	t.Helper()
	p := w.Path(name)
	if err := writeFile(p, text); err != nil {
		t.Fatal(err)
	}
	return p
}

// Append adds text to the end of the file name inside HOME.
func (w *World) Append(t testing.TB, name, text string) {
	t.Helper()
	f, err := os.OpenFile(w.Path(name), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(text)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Setenv gives the test process the world's environment, for tests that
// run awsrun's code in process; t.Setenv restores it when the test ends.
func (w *World) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range w.Env {
		for i := range len(kv) {
			if kv[i] == '=' {
				t.Setenv(kv[:i], kv[i+1:])
				break
			}
		}
	}
}

// Code is the code the MFA device shows at the fake STS's time.
func (w *World) Code() string { return w.Dev.Code(w.Srv.Now()) }

// FreshCode moves the fake STS's clock to the next 30-second window and
// returns its code: awsrun never sends a code twice.
func (w *World) FreshCode() string {
	next := w.Srv.Now().Add(30 * time.Second)
	w.Srv.SetClock(func() time.Time { return next })
	return w.Code()
}

// WrongCode is a well-formed code the device accepts at no time near now.
func (w *World) WrongCode() string {
	now := w.Srv.Now()
	near := map[string]bool{}
	for _, step := range []int{-2, -1, 0, 1, 2} {
		near[w.Dev.Code(now.Add(time.Duration(step)*30*time.Second))] = true
	}
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i*7919%1000000)
		if !near[c] {
			return c
		}
	}
}

func writeFile(p, text string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(text), 0o600)
}
