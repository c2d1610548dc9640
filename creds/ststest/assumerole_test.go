package ststest

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// roleARN is the ARN of role name in account A.
func roleARN(name string) string { return "arn:aws:iam::" + accountA + ":role/" + name }

func TestAssumeRole(t *testing.T) {
	type fixture struct {
		s          *Server
		clock      *fakeClock
		alice, bob *User
		dev        *MFADevice
	}
	setup := func(t *testing.T) *fixture {
		s, clock := newTestServer(t)
		f := &fixture{s: s, clock: clock}
		f.alice = s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
		f.bob = s.AddUser("arn:aws:iam::" + accountA + ":user/bob")
		f.dev = s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/alice", f.alice)
		s.AddRole(roleARN("open"), RolePolicy{})
		s.AddRole(roleARN("mfa"), RolePolicy{RequireMFA: true})
		s.AddRole(roleARN("mfa-age"), RolePolicy{RequireMFA: true, MaxMFAAge: time.Hour})
		s.AddRole(roleARN("long"), RolePolicy{RequireMFA: true, MaxSessionDuration: 12 * time.Hour})
		s.AddRole(roleARN("ext"), RolePolicy{ExternalID: "xyz-123"})
		s.AddRole(roleARN("bob-only"), RolePolicy{Principals: []string{f.bob.ARN}})
		s.AddRole(roleARN("chained"), RolePolicy{Principals: []string{roleARN("open")}, MaxSessionDuration: 12 * time.Hour})
		s.AddRole(roleARN("mfa-chained"), RolePolicy{Principals: []string{roleARN("mfa")}, RequireMFA: true})
		s.AddRole(roleARN("mfa-from-open"), RolePolicy{Principals: []string{roleARN("open")}, RequireMFA: true})
		s.AddRole(roleARN("team/deploy"), RolePolicy{})
		s.AddRole("arn:aws:iam::"+accountB+":role/cross", RolePolicy{Principals: []string{"arn:aws:iam::" + accountA + ":root"}})
		s.AddRole("arn:aws:iam::"+accountB+":role/own-account", RolePolicy{})
		s.AddRole("arn:aws-us-gov:iam::"+accountA+":role/open", RolePolicy{Principals: []string{"*"}})
		return f
	}
	keys := func(t *testing.T, f *fixture) aws.CredentialsProvider { return userCreds(f.alice) }
	mfaSession := func(t *testing.T, f *fixture) aws.CredentialsProvider {
		return sessionCreds(getSessionToken(t, f.s, f.alice, f.dev))
	}
	plainSession := func(t *testing.T, f *fixture) aws.CredentialsProvider {
		return sessionCreds(getSessionToken(t, f.s, f.alice, nil))
	}
	roleSession := func(role string, via func(*testing.T, *fixture) aws.CredentialsProvider) func(*testing.T, *fixture) aws.CredentialsProvider {
		return func(t *testing.T, f *fixture) aws.CredentialsProvider {
			return sessionCreds(assumeRole(t, f.s, via(t, f), roleARN(role)))
		}
	}
	in := func(role string) *sts.AssumeRoleInput {
		return &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("alice-session")}
	}
	withCode := func(role string) func(*testing.T, *fixture) *sts.AssumeRoleInput {
		return func(t *testing.T, f *fixture) *sts.AssumeRoleInput {
			i := in(roleARN(role))
			i.SerialNumber, i.TokenCode = aws.String(f.dev.Serial), aws.String(f.dev.Code(f.s.Now()))
			return i
		}
	}
	plain := func(role string) func(*testing.T, *fixture) *sts.AssumeRoleInput {
		return func(*testing.T, *fixture) *sts.AssumeRoleInput { return in(role) }
	}
	withDuration := func(role string, seconds int32) func(*testing.T, *fixture) *sts.AssumeRoleInput {
		return func(*testing.T, *fixture) *sts.AssumeRoleInput {
			i := in(role)
			i.DurationSeconds = aws.Int32(seconds)
			return i
		}
	}
	deniedAlice := func(role string) string {
		return "User: arn:aws:iam::" + accountA + ":user/alice is not authorized to perform: sts:AssumeRole on resource: " + role
	}
	const (
		msgBadCode  = "MultiFactorAuthentication failed with invalid MFA one time pass code."
		msgChaining = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
		msgMaxDur   = "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	)

	tests := []struct {
		name         string
		caller       func(*testing.T, *fixture) aws.CredentialsProvider
		input        func(*testing.T, *fixture) *sts.AssumeRoleInput
		before       func(*fixture) // after the caller's credentials are made
		wantARN      string
		wantLifetime time.Duration
		wantErr      string
		wantMsg      string
	}{
		{
			name: "long-term keys, role without conditions", caller: keys, input: plain(roleARN("open")),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/open/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "MFA session, MFA role", caller: mfaSession, input: plain(roleARN("mfa")),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/mfa/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "session without MFA, MFA role", caller: plainSession, input: plain(roleARN("mfa")),
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("mfa")),
		},
		{
			name: "long-term keys without MFA, MFA role", caller: keys, input: plain(roleARN("mfa")),
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("mfa")),
		},
		{
			name: "long-term keys with SerialNumber and TokenCode", caller: keys, input: withCode("mfa"),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/mfa/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "direct MFA with a wrong code", caller: keys,
			input: func(t *testing.T, f *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("mfa"))
				i.SerialNumber, i.TokenCode = aws.String(f.dev.Serial), aws.String(wrongCode(f.dev, f.s.Now()))
				return i
			},
			wantErr: "AccessDenied", wantMsg: msgBadCode,
		},
		{
			name: "direct MFA with a wrong code, role without conditions", caller: keys,
			input: func(t *testing.T, f *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("open"))
				i.SerialNumber, i.TokenCode = aws.String(f.dev.Serial), aws.String(wrongCode(f.dev, f.s.Now()))
				return i
			},
			wantErr: "AccessDenied", wantMsg: msgBadCode,
		},
		{
			name: "direct MFA with the code the MFA session used", caller: mfaSession, input: withCode("mfa"),
			wantErr: "AccessDenied", wantMsg: msgBadCode,
		},
		{
			name: "MFA age within the limit", caller: mfaSession, input: plain(roleARN("mfa-age")),
			before:  func(f *fixture) { f.clock.Advance(59 * time.Minute) },
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/mfa-age/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "MFA age exceeded", caller: mfaSession, input: plain(roleARN("mfa-age")),
			before:  func(f *fixture) { f.clock.Advance(61 * time.Minute) },
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("mfa-age")),
		},
		{
			name: "MFA age exceeded, fresh code from long-term keys", caller: keys, input: withCode("mfa-age"),
			before:  func(f *fixture) { f.clock.Advance(61 * time.Minute) },
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/mfa-age/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "MFA age limit without MFA", caller: keys, input: plain(roleARN("mfa-age")),
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("mfa-age")),
		},
		{
			name: "MFA session, 3600 s", caller: mfaSession, input: withDuration(roleARN("long"), 3600),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/long/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "MFA session, 3601 s is role chaining", caller: mfaSession, input: withDuration(roleARN("long"), 3601),
			wantErr: "ValidationError", wantMsg: msgChaining,
		},
		{
			name: "MFA session, default is one hour", caller: mfaSession, input: plain(roleARN("long")),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/long/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "long-term keys with MFA, 12 h", caller: keys,
			input: func(t *testing.T, f *fixture) *sts.AssumeRoleInput {
				i := withCode("long")(t, f)
				i.DurationSeconds = aws.Int32(43200)
				return i
			},
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/long/alice-session", wantLifetime: 12 * time.Hour,
		},
		{
			name: "beyond the role's MaxSessionDuration", caller: keys, input: withDuration(roleARN("open"), 7200),
			wantErr: "ValidationError", wantMsg: msgMaxDur,
		},
		{
			name: "beyond 43200", caller: keys, input: withDuration(roleARN("open"), 43201),
			wantErr: "ValidationError",
			wantMsg: "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
		},
		{
			name: "below 900", caller: keys, input: withDuration(roleARN("open"), 899),
			wantErr: "ValidationError",
			wantMsg: "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		},
		{
			name: "role session to a role trusting that role", caller: roleSession("open", keys), input: plain(roleARN("chained")),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/chained/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "role session, 7200 s is role chaining", caller: roleSession("open", keys), input: withDuration(roleARN("chained"), 7200),
			wantErr: "ValidationError", wantMsg: msgChaining,
		},
		{
			name: "role session keeps its MFA context", caller: roleSession("mfa", mfaSession), input: plain(roleARN("mfa-chained")),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/mfa-chained/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "role session without MFA, MFA role", caller: roleSession("open", keys), input: plain(roleARN("mfa-from-open")),
			wantErr: "AccessDenied", wantMsg: "assumed-role/open/setup is not authorized",
		},
		{
			name: "role session sends a code on a hop that needs MFA", caller: roleSession("open", keys), input: withCode("mfa-from-open"),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/mfa-from-open/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "external id", caller: keys,
			input: func(*testing.T, *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("ext"))
				i.ExternalId = aws.String("xyz-123")
				return i
			},
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/ext/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "missing external id", caller: keys, input: plain(roleARN("ext")),
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("ext")),
		},
		{
			name: "wrong external id", caller: keys,
			input: func(*testing.T, *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("ext"))
				i.ExternalId = aws.String("xyz-124")
				return i
			},
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("ext")),
		},
		{
			name: "untrusted principal", caller: keys, input: plain(roleARN("bob-only")),
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("bob-only")),
		},
		{
			name: "untrusted session principal", caller: roleSession("open", keys), input: plain(roleARN("bob-only")),
			wantErr: "AccessDenied",
			wantMsg: "User: arn:aws:sts::" + accountA + ":assumed-role/open/setup is not authorized to perform: sts:AssumeRole on resource: " + roleARN("bob-only"),
		},
		{
			name: "role trusting another role, called by a user", caller: keys, input: plain(roleARN("chained")),
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("chained")),
		},
		{
			name: "account root principal across accounts", caller: keys, input: plain("arn:aws:iam::" + accountB + ":role/cross"),
			wantARN: "arn:aws:sts::" + accountB + ":assumed-role/cross/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "empty principals trust only the role's account", caller: keys, input: plain("arn:aws:iam::" + accountB + ":role/own-account"),
			wantErr: "AccessDenied", wantMsg: deniedAlice("arn:aws:iam::" + accountB + ":role/own-account"),
		},
		{
			name: "role with a path", caller: keys, input: plain(roleARN("team/deploy")),
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/deploy/alice-session", wantLifetime: time.Hour,
		},
		{
			name: "unknown role", caller: keys, input: plain(roleARN("nope")),
			wantErr: "AccessDenied", wantMsg: deniedAlice(roleARN("nope")),
		},
		{
			name: "role in another partition", caller: keys, input: plain("arn:aws-us-gov:iam::" + accountA + ":role/open"),
			wantErr: "AccessDenied", wantMsg: deniedAlice("arn:aws-us-gov:iam::" + accountA + ":role/open"),
		},
		{
			name: "session name of one character", caller: keys,
			input: func(*testing.T, *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("open"))
				i.RoleSessionName = aws.String("a")
				return i
			},
			wantErr: "ValidationError",
			wantMsg: "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
		},
		{
			name: "session name of 65 characters", caller: keys,
			input: func(*testing.T, *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("open"))
				i.RoleSessionName = aws.String(strings.Repeat("a", 65))
				return i
			},
			wantErr: "ValidationError", wantMsg: "Member must have length less than or equal to 64",
		},
		{
			name: "session name with a space", caller: keys,
			input: func(*testing.T, *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("open"))
				i.RoleSessionName = aws.String("alice smith")
				return i
			},
			wantErr: "ValidationError",
			wantMsg: `Value 'alice smith' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`,
		},
		{
			name: "session name using every allowed symbol", caller: keys,
			input: func(*testing.T, *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("open"))
				i.RoleSessionName = aws.String("a_Z9+=,.@-")
				return i
			},
			wantARN: "arn:aws:sts::" + accountA + ":assumed-role/open/a_Z9+=,.@-", wantLifetime: time.Hour,
		},
		{
			name: "two violations reported together", caller: keys,
			input: func(*testing.T, *fixture) *sts.AssumeRoleInput {
				i := in(roleARN("open"))
				i.RoleSessionName, i.DurationSeconds = aws.String("a b c"), aws.Int32(60)
				return i
			},
			wantErr: "ValidationError", wantMsg: "2 validation errors detected: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := setup(t)
			caller := tt.caller(t, f)
			if tt.before != nil {
				tt.before(f)
			}
			input := tt.input(t, f)
			out, err := newClient(f.s, "us-east-1", caller).AssumeRole(testContext(t), input)
			checkErr(t, err, tt.wantErr, tt.wantMsg)
			if err != nil {
				return
			}
			u := out.AssumedRoleUser
			if got := aws.ToString(u.Arn); got != tt.wantARN {
				t.Errorf("AssumedRoleUser.Arn = %s, want %s", got, tt.wantARN)
			}
			if id := aws.ToString(u.AssumedRoleId); !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":"+aws.ToString(input.RoleSessionName)) {
				t.Errorf("AssumedRoleId = %s, want AROA…:%s", id, aws.ToString(input.RoleSessionName))
			}
			want := f.s.Now().Add(tt.wantLifetime).Truncate(time.Second)
			if got := aws.ToTime(out.Credentials.Expiration); !got.Equal(want) {
				t.Errorf("Expiration = %v, want %v", got, want)
			}
			id, err := newClient(f.s, "us-east-1", sessionCreds(out.Credentials)).GetCallerIdentity(testContext(t), nil)
			if err != nil {
				t.Fatalf("the role session does not work: %v", err)
			}
			if got := aws.ToString(id.Arn); got != tt.wantARN {
				t.Errorf("GetCallerIdentity Arn = %s, want %s", got, tt.wantARN)
			}
		})
	}
}

// TestSetRolePolicy guards that a changed trust policy applies to the next
// call, as the MFA-age retry needs.
func TestSetRolePolicy(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	role := s.AddRole(roleARN("admin"), RolePolicy{})
	assumeRole(t, s, userCreds(alice), role.ARN)

	s.SetRolePolicy(role.ARN, RolePolicy{RequireMFA: true})
	_, err := newClient(s, "us-east-1", userCreds(alice)).AssumeRole(testContext(t), &sts.AssumeRoleInput{
		RoleArn: aws.String(role.ARN), RoleSessionName: aws.String("alice"),
	})
	checkErr(t, err, "AccessDenied", "is not authorized")
}
