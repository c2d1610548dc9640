package ststest

import (
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestCallLog(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	dev := s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/alice", alice)
	s.AddRole(roleARN("admin"), RolePolicy{ExternalID: "ext-1"})
	c := newClient(s, "eu-central-1", userCreds(alice))
	ctx := testContext(t)

	code := dev.Code(s.Now())
	if _, err := c.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(dev.Serial), TokenCode: aws.String(code), DurationSeconds: aws.Int32(900),
	}); err != nil {
		t.Fatal(err)
	}
	_, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN("admin")), RoleSessionName: aws.String("alice"), ExternalId: aws.String("wrong"),
	})
	checkErr(t, err, "AccessDenied", "")

	want := []Call{
		{
			Action: "GetSessionToken", AccessKeyID: alice.AccessKeyID, CallerARN: alice.ARN,
			SerialNumber: dev.Serial, TokenCode: code, DurationSeconds: 900, Region: "eu-central-1",
		},
		{
			Action: "AssumeRole", AccessKeyID: alice.AccessKeyID, CallerARN: alice.ARN, RoleARN: roleARN("admin"),
			RoleSessionName: "alice", ExternalID: "wrong", Region: "eu-central-1", ErrorCode: "AccessDenied",
		},
	}
	got := s.Calls()
	if len(got) != len(want) {
		t.Fatalf("logged %d calls, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		want[i].Time = s.Now()
		if got[i] != want[i] {
			t.Errorf("call %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}

	got[0].Action = "changed"
	if s.Calls()[0].Action != "GetSessionToken" {
		t.Error("Calls returned the log itself, not a copy")
	}
	if n := s.CallCount("AssumeRole"); n != 1 {
		t.Errorf("CallCount(AssumeRole) = %d, want 1", n)
	}
	s.ResetCalls()
	if n := len(s.Calls()); n != 0 {
		t.Errorf("after ResetCalls, %d calls", n)
	}
}

// TestParallelCallers runs many clients at once, as make -j does; with -race
// it also checks the server's locking.
func TestParallelCallers(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.AddRole(roleARN("deploy"), RolePolicy{})

	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			ctx := testContext(t)
			out, err := newClient(s, "us-east-1", userCreds(alice)).GetSessionToken(ctx, nil)
			if err != nil {
				errs <- err
				return
			}
			role, err := newClient(s, "us-east-1", sessionCreds(out.Credentials)).AssumeRole(ctx, &sts.AssumeRoleInput{
				RoleArn: aws.String(roleARN("deploy")), RoleSessionName: aws.String("alice"),
			})
			if err != nil {
				errs <- err
				return
			}
			if _, err := newClient(s, "us-east-1", sessionCreds(role.Credentials)).GetCallerIdentity(ctx, nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, action := range []string{"GetSessionToken", "AssumeRole", "GetCallerIdentity"} {
		if got := s.CallCount(action); got != n {
			t.Errorf("logged %d %s calls, want %d", got, action, n)
		}
	}
}

// TestParallelCodeIsAcceptedOnce guards that a code sent by several callers
// at once opens exactly one MFA session.
func TestParallelCodeIsAcceptedOnce(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	dev := s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/alice", alice)
	code := dev.Code(s.Now())

	const n = 8
	var wg sync.WaitGroup
	results := make(chan string, n)
	for range n {
		wg.Go(func() {
			_, err := newClient(s, "us-east-1", userCreds(alice)).GetSessionToken(testContext(t), &sts.GetSessionTokenInput{
				SerialNumber: aws.String(dev.Serial), TokenCode: aws.String(code),
			})
			results <- errorCode(err)
		})
	}
	wg.Wait()
	close(results)
	counts := map[string]int{}
	for code := range results {
		counts[code]++
	}
	if counts[""] != 1 || counts["AccessDenied"] != n-1 {
		t.Errorf("outcomes = %v, want one success and %d AccessDenied", counts, n-1)
	}
}
