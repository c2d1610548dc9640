//go:build unix

package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

func TestRoleToRoleChainAsksOneCode(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	const deployARN = "arn:aws:iam::210987654321:role/deploy"
	f.Srv.AddRole(deployARN, ststest.RolePolicy{Principals: []string{roleARN}})
	f.addConfig(t, "\n[profile deploy]\nrole_arn = "+deployARN+"\nsource_profile = role101\n")

	s := f.awsrun(t, ctx, "-p", "deploy", "--", testBin, helperArg, "whoami")
	s.answerMFA(serial, f.Code())
	s.expect(`AWSRUN_PROFILE=deploy\n`)
	s.expect(`arn=` + regexp.QuoteMeta("arn:aws:sts::210987654321:assumed-role/deploy/"))
	s.waitExit(0)
	if n := strings.Count(s.text(), "Enter MFA code"); n != 1 {
		s.errorf("asked for a code %d times, want once", n)
	}
	var actions []string
	for _, c := range f.credentialCalls() {
		actions = append(actions, c.Action+" "+c.RoleARN+" "+c.ErrorCode)
	}
	want := []string{"GetSessionToken  ", "AssumeRole " + roleARN + " ", "AssumeRole " + deployARN + " "}
	if strings.Join(actions, "|") != strings.Join(want, "|") {
		s.errorf("STS calls %q, want %q", actions, want)
	}
}

func TestLongRoleDurationSendsCodeWithAssumeRole(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	f.Srv.SetRolePolicy(roleARN, ststest.RolePolicy{Principals: []string{userARN}, RequireMFA: true, MaxSessionDuration: 4 * time.Hour})

	s := f.awsrun(t, ctx, "-p", "role101", "-d", "2h", "--", testBin, helperArg, "whoami")
	code := f.Code()
	s.answerMFA(serial, code)
	s.expect(`arn=` + assumedRole)
	s.waitExit(0)

	calls := f.credentialCalls()
	if len(calls) != 1 {
		s.fatalf("STS calls %+v, want one AssumeRole (a chained role is capped at 1h)", calls)
	}
	c := calls[0]
	if c.Action != "AssumeRole" || c.RoleARN != roleARN || c.ErrorCode != "" {
		s.errorf("STS call %+v, want AssumeRole %s accepted", c, roleARN)
	}
	if c.AccessKeyID != f.User.AccessKeyID {
		s.errorf("AssumeRole signed with %s, want user101's long-term key %s", c.AccessKeyID, f.User.AccessKeyID)
	}
	if c.SerialNumber != serial || c.TokenCode != code {
		s.errorf("AssumeRole sent device %q code %q, want %q %q", c.SerialNumber, c.TokenCode, serial, code)
	}
	if c.DurationSeconds != 7200 {
		s.errorf("AssumeRole asked %d seconds, want 7200", c.DurationSeconds)
	}
}

func TestNestedRunRefusedUnlessAsked(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixture(t)
	s := f.awsrun(t, ctx, "-p", "role101", "--", "sh", "-c",
		`awsrun -p role101 -- echo inner ran; echo "inner status $?";`+
			` awsrun --nested -p role101 -- sh -c 'echo "nested ran as $AWSRUN_PROFILE"'; echo "nested status $?"`)
	s.answerMFA(serial, f.Code())
	s.expect(`awsrun: error: .*AWSRUN_PROFILE.*\n`)
	s.expect(`awsrun: hint: .*--nested.*\n`)
	s.expect(`inner status 125\n`)
	s.expect(`nested ran as role101\n`)
	s.expect(`nested status 0\n`)
	s.waitExit(0)
	if strings.Contains(s.text(), "inner ran") {
		s.errorf("the refused nested command ran")
	}
	if n := strings.Count(s.text(), "Enter MFA code"); n != 1 {
		s.errorf("asked for a code %d times, want once: the nested run has the cache", n)
	}
}

func TestGovCloudPartitionNeedsNoRegion(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newFixtureIn(t, "aws-us-gov")
	govSerial := "arn:aws-us-gov:iam::" + account + ":mfa/user101"

	s := f.awsrun(t, ctx, "-p", "role101", "--", testBin, helperArg, "whoami", "us-gov-west-1")
	s.answerMFA(govSerial, f.Code())
	s.expect(`arn=` + regexp.QuoteMeta("arn:aws-us-gov:sts::"+account+":assumed-role/role101/"))
	s.waitExit(0)

	calls := f.credentialCalls()
	if len(calls) != 2 {
		s.fatalf("STS calls %+v, want GetSessionToken and AssumeRole", calls)
	}
	for _, c := range calls {
		if c.Region != "us-gov-west-1" || c.ErrorCode != "" {
			s.errorf("%s signed for %q (error %q), want us-gov-west-1 accepted", c.Action, c.Region, c.ErrorCode)
		}
	}
}
