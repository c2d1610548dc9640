package ststest

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestGetSessionToken(t *testing.T) {
	type fixture struct {
		s          *Server
		clock      *fakeClock
		alice, bob *User
		aliceMFA   *MFADevice
		bobMFA     *MFADevice
	}
	setup := func(t *testing.T) *fixture {
		s, clock := newTestServer(t)
		f := &fixture{s: s, clock: clock}
		f.alice = s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
		f.bob = s.AddUser("arn:aws:iam::" + accountA + ":user/bob")
		f.aliceMFA = s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/alice", f.alice)
		f.bobMFA = s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/bob", f.bob)
		s.AddRole("arn:aws:iam::"+accountA+":role/open", RolePolicy{})
		return f
	}
	mfa := func(d *MFADevice, code string) *sts.GetSessionTokenInput {
		return &sts.GetSessionTokenInput{SerialNumber: aws.String(d.Serial), TokenCode: aws.String(code)}
	}
	tests := []struct {
		name         string
		input        func(t *testing.T, f *fixture) *sts.GetSessionTokenInput
		caller       func(t *testing.T, f *fixture) aws.CredentialsProvider // default: alice's keys
		wantLifetime time.Duration
		wantErr      string
		wantMsg      string
	}{
		{
			name:         "no MFA, default duration",
			input:        func(t *testing.T, f *fixture) *sts.GetSessionTokenInput { return &sts.GetSessionTokenInput{} },
			wantLifetime: 12 * time.Hour,
		},
		{
			name: "with MFA",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return mfa(f.aliceMFA, f.aliceMFA.Code(f.s.Now()))
			},
			wantLifetime: 12 * time.Hour,
		},
		{
			name: "shortest duration",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)}
			},
			wantLifetime: 15 * time.Minute,
		},
		{
			name: "longest duration",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129600)}
			},
			wantLifetime: 36 * time.Hour,
		},
		{
			name: "duration too short",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(899)}
			},
			wantErr: "ValidationError",
			wantMsg: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		},
		{
			name: "duration too long",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)}
			},
			wantErr: "ValidationError",
			wantMsg: "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
		},
		{
			name: "wrong code",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return mfa(f.aliceMFA, wrongCode(f.aliceMFA, f.s.Now()))
			},
			wantErr: "AccessDenied",
			wantMsg: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
		},
		{
			name: "reused code",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				code := f.aliceMFA.Code(f.s.Now())
				if _, err := newClient(f.s, "us-east-1", userCreds(f.alice)).GetSessionToken(testContext(t), mfa(f.aliceMFA, code)); err != nil {
					t.Fatal(err)
				}
				return mfa(f.aliceMFA, code)
			},
			wantErr: "AccessDenied",
			wantMsg: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
		},
		{
			name: "code reused after its window moved on",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				code := f.aliceMFA.Code(f.s.Now())
				if _, err := newClient(f.s, "us-east-1", userCreds(f.alice)).GetSessionToken(testContext(t), mfa(f.aliceMFA, code)); err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(totpStep) // the code is still within the ±1 window
				return mfa(f.aliceMFA, code)
			},
			wantErr: "AccessDenied",
			wantMsg: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
		},
		{
			name: "next code after a used one",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				if _, err := newClient(f.s, "us-east-1", userCreds(f.alice)).GetSessionToken(testContext(t), mfa(f.aliceMFA, f.aliceMFA.Code(f.s.Now()))); err != nil {
					t.Fatal(err)
				}
				f.clock.Advance(totpStep)
				return mfa(f.aliceMFA, f.aliceMFA.Code(f.s.Now()))
			},
			wantLifetime: 12 * time.Hour,
		},
		{
			name: "previous window's code",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return mfa(f.aliceMFA, f.aliceMFA.Code(f.s.Now().Add(-totpStep)))
			},
			wantLifetime: 12 * time.Hour,
		},
		{
			name: "next window's code",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return mfa(f.aliceMFA, f.aliceMFA.Code(f.s.Now().Add(totpStep)))
			},
			wantLifetime: 12 * time.Hour,
		},
		{
			name: "code two windows old",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				code := f.aliceMFA.Code(f.s.Now().Add(-2 * totpStep))
				for _, skew := range []time.Duration{-totpStep, 0, totpStep} {
					if code == f.aliceMFA.Code(f.s.Now().Add(skew)) {
						t.Skip("the old code happens to equal a current one")
					}
				}
				return mfa(f.aliceMFA, code)
			},
			wantErr: "AccessDenied",
			wantMsg: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
		},
		{
			name: "code of five digits",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return mfa(f.aliceMFA, "12345")
			},
			wantErr: "ValidationError",
			wantMsg: "Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6",
		},
		{
			name: "unknown device",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return &sts.GetSessionTokenInput{SerialNumber: aws.String("arn:aws:iam::" + accountA + ":mfa/nobody"), TokenCode: aws.String("123456")}
			},
			wantErr: "AccessDenied",
			wantMsg: "MultiFactorAuthentication failed",
		},
		{
			name: "another user's device",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return mfa(f.bobMFA, f.bobMFA.Code(f.s.Now()))
			},
			wantErr: "AccessDenied",
			wantMsg: "MultiFactorAuthentication failed",
		},
		{
			name: "serial without code",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput {
				return &sts.GetSessionTokenInput{SerialNumber: aws.String(f.aliceMFA.Serial)}
			},
			wantErr: "AccessDenied",
			wantMsg: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
		},
		{
			name:  "from session credentials",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput { return &sts.GetSessionTokenInput{} },
			caller: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				return sessionCreds(getSessionToken(t, f.s, f.alice, f.aliceMFA))
			},
			wantErr: "AccessDenied",
			wantMsg: "Cannot call GetSessionToken with session credentials",
		},
		{
			name:  "from role credentials",
			input: func(t *testing.T, f *fixture) *sts.GetSessionTokenInput { return &sts.GetSessionTokenInput{} },
			caller: func(t *testing.T, f *fixture) aws.CredentialsProvider {
				return sessionCreds(assumeRole(t, f.s, userCreds(f.alice), "arn:aws:iam::"+accountA+":role/open"))
			},
			wantErr: "AccessDenied",
			wantMsg: "Cannot call GetSessionToken with session credentials",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			caller := userCreds(f.alice)
			if tt.caller != nil {
				caller = tt.caller(t, f)
			}
			in := tt.input(t, f)
			out, err := newClient(f.s, "us-east-1", caller).GetSessionToken(testContext(t), in)
			checkErr(t, err, tt.wantErr, tt.wantMsg)
			if err != nil {
				return
			}
			c := out.Credentials
			want := f.s.Now().Add(tt.wantLifetime).Truncate(time.Second)
			if got := aws.ToTime(c.Expiration); !got.Equal(want) {
				t.Errorf("Expiration = %v, want %v", got, want)
			}
			id, err := newClient(f.s, "us-east-1", sessionCreds(c)).GetCallerIdentity(testContext(t), nil)
			if err != nil {
				t.Fatalf("the session does not work: %v", err)
			}
			if got := aws.ToString(id.Arn); got != f.alice.ARN {
				t.Errorf("session Arn = %s, want %s", got, f.alice.ARN)
			}
		})
	}
}

// TestMFASessionRemembersMFA guards the contract that a GetSessionToken
// session carries the MFA context into the roles it assumes.
func TestMFASessionRemembersMFA(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	dev := s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/alice", alice)
	role := s.AddRole("arn:aws:iam::"+accountA+":role/admin", RolePolicy{RequireMFA: true})

	withMFA := sessionCreds(getSessionToken(t, s, alice, dev))
	if _, err := newClient(s, "us-east-1", withMFA).AssumeRole(testContext(t), &sts.AssumeRoleInput{
		RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("alice"),
	}); err != nil {
		t.Errorf("MFA session: %v", err)
	}
	withoutMFA := sessionCreds(getSessionToken(t, s, alice, nil))
	_, err := newClient(s, "us-east-1", withoutMFA).AssumeRole(testContext(t), &sts.AssumeRoleInput{
		RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("alice"),
	})
	checkErr(t, err, "AccessDenied", "is not authorized to perform: sts:AssumeRole on resource: "+role.ARN)
}

func TestSetCredentialLifetime(t *testing.T) {
	s, clock := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.SetCredentialLifetime(2 * time.Minute)
	c := getSessionToken(t, s, alice, nil)
	if got, want := aws.ToTime(c.Expiration), s.Now().Add(2*time.Minute).Truncate(time.Second); !got.Equal(want) {
		t.Errorf("Expiration = %v, want %v", got, want)
	}
	clock.Advance(3 * time.Minute)
	_, err := newClient(s, "us-east-1", sessionCreds(c)).GetCallerIdentity(testContext(t), nil)
	checkErr(t, err, "ExpiredToken", "")

	s.SetCredentialLifetime(0)
	c = getSessionToken(t, s, alice, nil)
	if got, want := aws.ToTime(c.Expiration), s.Now().Add(12*time.Hour).Truncate(time.Second); !got.Equal(want) {
		t.Errorf("after reset, Expiration = %v, want %v", got, want)
	}
}

// TestSetRoleCredentialLifetime guards what long-run tests rely on: role
// sessions run out quickly while the MFA session they come from lasts.
func TestSetRoleCredentialLifetime(t *testing.T) {
	s, clock := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	role := s.AddRole("arn:aws:iam::"+accountA+":role/admin", RolePolicy{Principals: []string{alice.ARN}})
	s.SetRoleCredentialLifetime(20 * time.Second)
	session := getSessionToken(t, s, alice, nil)
	if got, want := aws.ToTime(session.Expiration), s.Now().Add(12*time.Hour).Truncate(time.Second); !got.Equal(want) {
		t.Errorf("session Expiration = %v, want %v", got, want)
	}
	c := assumeRole(t, s, sessionCreds(session), role.ARN)
	if got, want := aws.ToTime(c.Expiration), s.Now().Add(20*time.Second).Truncate(time.Second); !got.Equal(want) {
		t.Errorf("role Expiration = %v, want %v", got, want)
	}
	clock.Advance(time.Minute)
	_, err := newClient(s, "us-east-1", sessionCreds(c)).GetCallerIdentity(testContext(t), nil)
	checkErr(t, err, "ExpiredToken", "")
	if _, err := newClient(s, "us-east-1", sessionCreds(session)).GetCallerIdentity(testContext(t), nil); err != nil {
		t.Errorf("the session after a minute: %v", err)
	}
}
