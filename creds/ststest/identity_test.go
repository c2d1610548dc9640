package ststest

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestGetCallerIdentity(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	dev := s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/alice", alice)
	s.AddRole(roleARN("open"), RolePolicy{})
	s.AddRole(roleARN("team/deploy"), RolePolicy{})
	s.AddRole("arn:aws:iam::"+accountB+":role/cross", RolePolicy{Principals: []string{accountA}})
	s.AddRole(roleARN("ci"), RolePolicy{WebIdentityTokens: []string{"token-ci"}})

	userID := func(c aws.CredentialsProvider) string {
		out, err := newClient(s, "us-east-1", c).GetCallerIdentity(testContext(t), nil)
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.UserId)
	}
	aliceID := userID(userCreds(alice))

	webIdentity, err := newClient(s, "us-east-1", aws.AnonymousCredentials{}).AssumeRoleWithWebIdentity(testContext(t), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN("ci")), RoleSessionName: aws.String("build-7"), WebIdentityToken: aws.String("token-ci"),
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		creds       aws.CredentialsProvider
		wantARN     string
		wantAccount string
		wantUserID  string // "" checks the AROA…:session form instead
	}{
		{"long-term keys", userCreds(alice), alice.ARN, accountA, aliceID},
		{"MFA session", sessionCreds(getSessionToken(t, s, alice, dev)), alice.ARN, accountA, aliceID},
		{"plain session", sessionCreds(getSessionToken(t, s, alice, nil)), alice.ARN, accountA, aliceID},
		{
			"role session", sessionCreds(assumeRole(t, s, userCreds(alice), roleARN("open"))),
			"arn:aws:sts::" + accountA + ":assumed-role/open/setup", accountA, "",
		},
		{
			"role with a path", sessionCreds(assumeRole(t, s, userCreds(alice), roleARN("team/deploy"))),
			"arn:aws:sts::" + accountA + ":assumed-role/deploy/setup", accountA, "",
		},
		{
			"cross-account role", sessionCreds(assumeRole(t, s, userCreds(alice), "arn:aws:iam::"+accountB+":role/cross")),
			"arn:aws:sts::" + accountB + ":assumed-role/cross/setup", accountB, "",
		},
		{
			"web identity session", sessionCreds(webIdentity.Credentials),
			"arn:aws:sts::" + accountA + ":assumed-role/ci/build-7", accountA, "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := newClient(s, "us-east-1", tt.creds).GetCallerIdentity(testContext(t), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.Arn); got != tt.wantARN {
				t.Errorf("Arn = %s, want %s", got, tt.wantARN)
			}
			if got := aws.ToString(out.Account); got != tt.wantAccount {
				t.Errorf("Account = %s, want %s", got, tt.wantAccount)
			}
			gotID := aws.ToString(out.UserId)
			switch {
			case tt.wantUserID != "" && gotID != tt.wantUserID:
				t.Errorf("UserId = %s, want %s", gotID, tt.wantUserID)
			case tt.wantUserID == "" && (!strings.HasPrefix(gotID, "AROA") || !strings.HasSuffix(gotID, ":"+tt.wantARN[strings.LastIndex(tt.wantARN, "/")+1:])):
				t.Errorf("UserId = %s, want AROA…:SESSION", gotID)
			}
		})
	}
	if !strings.HasPrefix(aliceID, "AIDA") || len(aliceID) != 21 {
		t.Errorf("user id = %s, want AIDA and 17 more characters", aliceID)
	}
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	s, _ := newTestServer(t)
	s.AddRole(roleARN("ci"), RolePolicy{WebIdentityTokens: []string{"token-ci"}, MaxSessionDuration: 2 * time.Hour})
	s.AddRole(roleARN("deploy"), RolePolicy{WebIdentityTokens: []string{"token-deploy"}})

	tests := []struct {
		name         string
		role         string
		session      string
		token        string
		duration     int32
		wantARN      string
		wantLifetime time.Duration
		wantErr      string
		wantMsg      string
	}{
		{
			name: "registered token", role: roleARN("ci"), session: "build-7", token: "token-ci",
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/ci/build-7", wantLifetime: time.Hour,
		},
		{
			name: "up to the role's MaxSessionDuration", role: roleARN("ci"), session: "build-7", token: "token-ci", duration: 7200,
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/ci/build-7", wantLifetime: 2 * time.Hour,
		},
		{
			name: "beyond the role's MaxSessionDuration", role: roleARN("ci"), session: "build-7", token: "token-ci", duration: 7201,
			wantErr: "ValidationError", wantMsg: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
		},
		{
			name: "another role's token", role: roleARN("ci"), session: "build-7", token: "token-deploy",
			wantErr: "AccessDenied", wantMsg: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
		},
		{
			name: "unknown role", role: roleARN("nope"), session: "build-7", token: "token-ci",
			wantErr: "AccessDenied", wantMsg: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
		},
		{
			name: "token no provider issued", role: roleARN("ci"), session: "build-7", token: "token-forged",
			wantErr: "InvalidIdentityToken",
		},
		{
			name: "token with a trailing newline", role: roleARN("ci"), session: "build-7", token: "token-ci\n",
			wantErr: "InvalidIdentityToken",
		},
		{
			name: "bad session name", role: roleARN("ci"), session: "build 7", token: "token-ci",
			wantErr: "ValidationError", wantMsg: "at 'roleSessionName' failed to satisfy constraint",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(tt.role), RoleSessionName: aws.String(tt.session), WebIdentityToken: aws.String(tt.token),
			}
			if tt.duration != 0 {
				in.DurationSeconds = aws.Int32(tt.duration)
			}
			// The SDK sends this action unsigned whatever credentials the client has.
			out, err := newClient(s, "us-east-1", aws.AnonymousCredentials{}).AssumeRoleWithWebIdentity(testContext(t), in)
			checkErr(t, err, tt.wantErr, tt.wantMsg)
			if c := lastCall(t, s); c.Action != "AssumeRoleWithWebIdentity" || c.AccessKeyID != "" || c.ErrorCode != tt.wantErr {
				t.Errorf("logged %+v", c)
			}
			if err != nil {
				return
			}
			if got := aws.ToString(out.AssumedRoleUser.Arn); got != tt.wantARN {
				t.Errorf("AssumedRoleUser.Arn = %s, want %s", got, tt.wantARN)
			}
			want := s.Now().Add(tt.wantLifetime).Truncate(time.Second)
			if got := aws.ToTime(out.Credentials.Expiration); !got.Equal(want) {
				t.Errorf("Expiration = %v, want %v", got, want)
			}
		})
	}
}

// TestWebIdentitySessionHasNoMFA guards that a web identity session cannot
// pass a trust policy that requires MFA.
func TestWebIdentitySessionHasNoMFA(t *testing.T) {
	s, _ := newTestServer(t)
	s.AddRole(roleARN("ci"), RolePolicy{WebIdentityTokens: []string{"token-ci"}})
	s.AddRole(roleARN("admin"), RolePolicy{Principals: []string{roleARN("ci")}, RequireMFA: true})
	out, err := newClient(s, "us-east-1", aws.AnonymousCredentials{}).AssumeRoleWithWebIdentity(testContext(t), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(roleARN("ci")), RoleSessionName: aws.String("build"), WebIdentityToken: aws.String("token-ci"),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = newClient(s, "us-east-1", sessionCreds(out.Credentials)).AssumeRole(testContext(t), &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN("admin")), RoleSessionName: aws.String("build"),
	})
	checkErr(t, err, "AccessDenied", "assumed-role/ci/build is not authorized")
}

func TestPartitions(t *testing.T) {
	tests := []struct {
		partition string
		region    string
	}{
		{"aws-us-gov", "us-gov-west-1"},
		{"aws-cn", "cn-north-1"},
		{"aws-iso", "us-iso-east-1"},
		{"aws", "eu-west-1"},
	}
	for _, tt := range tests {
		t.Run(tt.partition, func(t *testing.T) {
			s, _ := newTestServer(t)
			prefix := "arn:" + tt.partition + ":iam::" + accountA + ":"
			u := s.AddUser(prefix + "user/alice")
			dev := s.AddMFADevice(prefix+"mfa/alice", u)
			s.AddRole(prefix+"role/admin", RolePolicy{RequireMFA: true, Principals: []string{prefix + "root"}})

			session, err := newClient(s, tt.region, userCreds(u)).GetSessionToken(testContext(t), &sts.GetSessionTokenInput{
				SerialNumber: aws.String(dev.Serial), TokenCode: aws.String(dev.Code(s.Now())),
			})
			if err != nil {
				t.Fatal(err)
			}
			out, err := newClient(s, tt.region, sessionCreds(session.Credentials)).AssumeRole(testContext(t), &sts.AssumeRoleInput{
				RoleArn: aws.String(prefix + "role/admin"), RoleSessionName: aws.String("alice"),
			})
			if err != nil {
				t.Fatal(err)
			}
			want := "arn:" + tt.partition + ":sts::" + accountA + ":assumed-role/admin/alice"
			if got := aws.ToString(out.AssumedRoleUser.Arn); got != want {
				t.Errorf("Arn = %s, want %s", got, want)
			}
			if c := lastCall(t, s); c.Region != tt.region {
				t.Errorf("logged region %q, want %q", c.Region, tt.region)
			}
			// The same keys signed for a commercial region are unknown there.
			if tt.partition != "aws" {
				_, err := newClient(s, "us-east-1", userCreds(u)).GetCallerIdentity(testContext(t), nil)
				checkErr(t, err, "InvalidClientTokenId", "")
			}
		})
	}
}

func TestAccessKeyRotation(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	session := sessionCreds(getSessionToken(t, s, alice, nil))

	id, secret := s.NewAccessKey(alice)
	s.DeleteAccessKey(alice.AccessKeyID)

	rotated := &User{ARN: alice.ARN, AccessKeyID: id, SecretAccessKey: secret}
	tests := []struct {
		name    string
		creds   aws.CredentialsProvider
		wantErr string
	}{
		{"new key", userCreds(rotated), ""},
		{"deleted key", userCreds(alice), "InvalidClientTokenId"},
		{"session from the deleted key", session, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := newClient(s, "us-east-1", tt.creds).GetCallerIdentity(testContext(t), nil)
			checkErr(t, err, tt.wantErr, "")
			if err == nil && aws.ToString(out.Arn) != alice.ARN {
				t.Errorf("Arn = %s, want %s", aws.ToString(out.Arn), alice.ARN)
			}
		})
	}
}

func TestSetupPanicsOnMalformedARNs(t *testing.T) {
	s, _ := newTestServer(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	tests := []struct {
		name string
		f    func()
	}{
		{"user ARN of a role", func() { s.AddUser(roleARN("x")) }},
		{"user ARN with a short account", func() { s.AddUser("arn:aws:iam::1234:user/x") }},
		{"user ARN of an unknown partition", func() { s.AddUser("arn:aws-mars:iam::" + accountA + ":user/x") }},
		{"duplicate user", func() { s.AddUser(u.ARN) }},
		{"role ARN of a user", func() { s.AddRole(u.ARN, RolePolicy{}) }},
		{"role session too long", func() { s.AddRole(roleARN("x"), RolePolicy{MaxSessionDuration: 13 * time.Hour}) }},
		{"serial with a space", func() { s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/a b", u) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.f()
		})
	}
}

func TestCode(t *testing.T) {
	// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" gives
	// 94287082 at T = 59 s; six digits keep the last six.
	d := &MFADevice{Secret: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Unix(59, 0), "287082"},
		{time.Unix(1111111109, 0), "081804"},
		{time.Unix(2000000000, 0), "279037"},
	}
	for _, tt := range tests {
		if got := d.Code(tt.t); got != tt.want {
			t.Errorf("Code(%d) = %s, want %s", tt.t.Unix(), got, tt.want)
		}
	}
}
