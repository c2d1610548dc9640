package ststest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func newIAMClient(s *Server, creds aws.CredentialsProvider) *iam.Client {
	return iam.New(iam.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.IAMURL()),
		Credentials:      creds,
		RetryMaxAttempts: 1,
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestIAMRotateKeys(t *testing.T) {
	s, _ := newTestServer(t)
	ctx := testContext(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	c := newIAMClient(s, userCreds(u))

	out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	k := out.AccessKey
	if !strings.HasPrefix(aws.ToString(k.AccessKeyId), "AKIA") || aws.ToString(k.SecretAccessKey) == "" || aws.ToString(k.UserName) != "alice" {
		t.Fatalf("CreateAccessKey = %+v", k)
	}
	// The new key signs STS calls.
	newCreds := credentials.NewStaticCredentialsProvider(*k.AccessKeyId, *k.SecretAccessKey, "")
	if _, err := newClient(s, "us-east-1", newCreds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity with the new key: %v", err)
	}
	// Two keys: the limit.
	if _, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}); apiCode(err) != "LimitExceeded" {
		t.Fatalf("third key: %v", err)
	}
	list, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	if err != nil || len(list.AccessKeyMetadata) != 2 || *list.AccessKeyMetadata[0].AccessKeyId != u.AccessKeyID {
		t.Fatalf("ListAccessKeys = %+v, %v", list, err)
	}
	// The new key deletes the old one, which then stops working.
	c2 := newIAMClient(s, newCreds)
	if _, err := c2.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(u.AccessKeyID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := newClient(s, "us-east-1", userCreds(u)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("old key after delete: %v", err)
	}
	if _, err := c2.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(u.AccessKeyID)}); apiCode(err) != "NoSuchEntity" {
		t.Fatalf("deleting twice: %v", err)
	}
	if got := s.AccessKeys(u); len(got) != 1 || got[0] != *k.AccessKeyId {
		t.Errorf("AccessKeys = %v", got)
	}
	if n := s.CallCount("CreateAccessKey"); n != 2 {
		t.Errorf("call log has %d CreateAccessKey", n)
	}
}

func TestIAMRequiresMFAWhenThePolicySaysSo(t *testing.T) {
	s, clock := newTestServer(t)
	ctx := testContext(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	d := s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/alice", u)
	s.RequireMFAForIAM(u, true)

	if _, err := newIAMClient(s, userCreds(u)).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}); apiCode(err) != "AccessDenied" {
		t.Fatalf("long-term keys without MFA: %v", err)
	}
	plain, err := newClient(s, "us-east-1", userCreds(u)).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newIAMClient(s, sessionCreds(plain.Credentials)).ListAccessKeys(ctx, &iam.ListAccessKeysInput{}); apiCode(err) != "AccessDenied" {
		t.Fatalf("session without MFA: %v", err)
	}
	withMFA, err := newClient(s, "us-east-1", userCreds(u)).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(d.Serial), TokenCode: aws.String(d.Code(clock.Now()))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newIAMClient(s, sessionCreds(withMFA.Credentials)).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}); err != nil {
		t.Fatalf("session with MFA: %v", err)
	}
}

func TestIAMNewKeyPropagates(t *testing.T) {
	s, clock := newTestServer(t)
	ctx := testContext(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.SetKeyPropagationDelay(10 * time.Second)
	out, err := newIAMClient(s, userCreds(u)).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	creds := credentials.NewStaticCredentialsProvider(*out.AccessKey.AccessKeyId, *out.AccessKey.SecretAccessKey, "")
	if _, err := newClient(s, "us-east-1", creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("a key before it propagated: %v", err)
	}
	clock.Advance(10 * time.Second)
	if _, err := newClient(s, "us-east-1", creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("a key after it propagated: %v", err)
	}
}

func TestIAMRefusesOthersAndRoles(t *testing.T) {
	s, _ := newTestServer(t)
	ctx := testContext(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.AddUser("arn:aws:iam::" + accountA + ":user/bob")
	s.AddRole("arn:aws:iam::"+accountA+":role/admin", RolePolicy{})
	c := newIAMClient(s, userCreds(u))
	if _, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")}); apiCode(err) != "AccessDenied" {
		t.Fatalf("another user's keys: %v", err)
	}
	role, err := newClient(s, "us-east-1", userCreds(u)).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + accountA + ":role/admin"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newIAMClient(s, sessionCreds(role.Credentials)).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}); apiCode(err) != "AccessDenied" {
		t.Fatalf("a role session: %v", err)
	}
	s.DenyIAMAction(u, "DeleteAccessKey", true)
	if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(u.AccessKeyID)}); apiCode(err) != "AccessDenied" {
		t.Fatalf("a denied DeleteAccessKey: %v", err)
	}
	// Signed for STS, not IAM: refused.
	bad := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.IAMURL()), Credentials: userCreds(u), RetryMaxAttempts: 1,
		APIOptions: nil}, func(o *iam.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(u.AccessKeyID, "wrong", "")
	})
	if _, err := bad.GetUser(ctx, &iam.GetUserInput{}); apiCode(err) != "SignatureDoesNotMatch" {
		t.Fatalf("a wrong secret: %v", err)
	}
	s.InjectFault(Fault{Action: "CreateAccessKey", Code: "ServiceUnavailable", Times: 1})
	if _, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}); apiCode(err) != "ServiceUnavailable" {
		t.Fatalf("an injected fault: %v", err)
	}
}
