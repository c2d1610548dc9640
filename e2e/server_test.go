//go:build unix

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// sdkWhoami is a child of awsrun --server built as any Go tool is: the
// SDK's default configuration finds the credentials. It prints where they
// came from and who STS says they are.
func sdkWhoami() int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, static := os.LookupEnv("AWS_ACCESS_KEY_ID")
	fmt.Printf("static=%t endpoint=%t\n", static, os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "")
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"))
	if err != nil {
		fmt.Printf("whoami: %v\n", err)
		return 3
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Printf("whoami: %v\n", err)
		return 3
	}
	c, _ := cfg.Credentials.Retrieve(ctx)
	fmt.Printf("source=%s\narn=%s\n", c.Source, aws.ToString(out.Arn))
	return 0
}

// TestServerOnTerminal runs awsrun --server as a person does: the one
// prompt on the terminal before the command starts, then a command on the
// SDK that gets its credentials from the endpoint.
func TestServerOnTerminal(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	s := f.awsrun(t, ctx, "--server", "--profile", "role101", "--", testBin, helperArg, "sdk-whoami")
	s.answerMFA(serial, f.Code())
	s.expect(`static=false endpoint=true\n`)
	s.expect(`source=CredentialsEndpointProvider\n`)
	s.expect(`arn=` + assumedRole)
	s.waitExit(0)
	if n := len(f.credentialCalls()); n != 2 {
		s.errorf("%d credential calls, want GetSessionToken and AssumeRole", n)
	}
}

// TestServerCtrlCReachesBoth: Ctrl-C goes to the command, once, and
// awsrun waits for it and exits as it did.
func TestServerCtrlCReachesBoth(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	s := f.awsrun(t, ctx, "--server", "--profile", "role101", "--", "sh", "-c",
		`n=0; trap 'n=$((n+1))' INT; echo ready; i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; echo "interrupts=$n"; exit 7`)
	s.answerMFA(serial, f.Code())
	s.expect(`ready\n`)
	s.send("\x03")
	s.expect(`interrupts=1\n`)
	s.waitExit(7)
	if strings.Contains(s.text(), "awsrun: error") {
		s.errorf("awsrun spoke for its child")
	}
}

// TestServerWithAWSCLI is the real AWS CLI as the child: botocore's
// container provider must accept the endpoint, its answer and its token.
func TestServerWithAWSCLI(t *testing.T) {
	t.Parallel()
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no AWS CLI in PATH")
	}
	ctx := testContext(t)
	f := newFixture(t)
	f.env = append(f.env, "AWS_REGION=us-east-1", "AWS_PAGER=")
	s := f.awsrun(t, ctx, "--server", "--profile", "role101", "--", aws, "sts", "get-caller-identity", "--output", "text", "--query", "Arn")
	s.answerMFA(serial, f.Code())
	s.expect(assumedRole)
	s.waitExit(0)
}
