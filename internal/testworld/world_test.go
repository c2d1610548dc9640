package testworld

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The world's files and environment are what the SDK needs: its own
// assume-role provider reaches role101 from user101 with the device's code.
func TestSeedsAssumeRoleThroughTheSDK(t *testing.T) {
	w := New(t, Options{})
	w.Setenv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile("role101"), config.WithRegion("us-east-1"),
		config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
			o.TokenProvider = func() (string, error) { return w.Code(), nil }
		}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Arn); !strings.HasPrefix(got, "arn:aws:sts::"+Account+":assumed-role/role101/") {
		t.Errorf("caller = %s, want a role101 session", got)
	}
	calls := w.Srv.Calls()
	if len(calls) < 1 || calls[0].Action != "AssumeRole" || calls[0].TokenCode == "" {
		t.Errorf("STS calls = %+v, want AssumeRole with a code first", calls)
	}
}

func TestPartitionAndProfile(t *testing.T) {
	w := New(t, Options{Partition: "aws-us-gov", User: "e2e"})
	b, err := os.ReadFile(w.Path(".aws/config"))
	if err != nil {
		t.Fatal(err)
	}
	want := "[profile role101]\nrole_arn = arn:aws-us-gov:iam::" + Account + ":role/role101\nsource_profile = user101\nmfa_serial = arn:aws-us-gov:iam::" + Account + ":mfa/user101\n"
	if string(b) != want {
		t.Errorf("config = %q, want %q", b, want)
	}
	if !slices.Contains(w.Env, "USER=e2e") || !slices.Contains(w.Env, "AWS_ENDPOINT_URL_STS="+w.Srv.URL) || !slices.Contains(w.Env, "GORACE=atexit_sleep_ms=0") {
		t.Errorf("env = %q", w.Env)
	}
	if w.WrongCode() == w.Code() {
		t.Error("WrongCode is the code of now")
	}
	before := w.Code()
	if w.FreshCode() == before && w.Dev.Code(w.Srv.Now().Add(-30*time.Second)) != before {
		t.Error("FreshCode did not move to the next window")
	}
}

// The build key is stable and does not change with a test file.
func TestSourceHashIgnoresTestFiles(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	a, err := sourceHash(root)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sourceHash(root)
	if err != nil || a != b {
		t.Fatalf("hash %s then %s (%v)", a, b, err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "awsrun", "main.go")); err != nil {
		t.Fatalf("module root %s: %v", root, err)
	}
}

func TestProgramsBuiltOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds awsrun")
	}
	dir := Program(t, "awsrun")
	again, err := Programs()
	if err != nil || filepath.Join(again, "awsrun") != dir {
		t.Fatalf("second Programs() = %s, %v; first %s", again, err, dir)
	}
	for _, name := range []string{"awsrun", "awsrun-core"} {
		if info, err := os.Stat(filepath.Join(again, name)); err != nil || info.Mode()&0o111 == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
}
