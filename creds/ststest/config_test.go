package ststest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// isolateAWSEnv points the SDK's shared config at files in a temporary
// directory and at s through AWS_ENDPOINT_URL_STS, so the real home and
// environment are never read.
func isolateAWSEnv(t *testing.T, s *Server, configFile, credentialsFile string) string {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", dir)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL_STS", s.URL)
	t.Setenv("AWS_CONFIG_FILE", writeFile(t, dir, "config", configFile))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", writeFile(t, dir, "credentials", credentialsFile))
	return dir
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSharedConfig reaches the server as awsrun does: through the SDK's
// shared config and AWS_ENDPOINT_URL_STS, profiles chaining to a role.
func TestSharedConfig(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	dev := s.AddMFADevice("arn:aws:iam::"+accountA+":mfa/alice", alice)
	s.AddRole(roleARN("admin"), RolePolicy{RequireMFA: true, ExternalID: "ext-1"})
	s.AddRole(roleARN("ci"), RolePolicy{WebIdentityTokens: []string{"token-ci"}})
	gov := s.AddUser("arn:aws-us-gov:iam::" + accountA + ":user/alice")

	dir := t.TempDir()
	tokenFile := writeFile(t, dir, "token", "token-ci")
	isolateAWSEnv(t, s, `
[profile base]
region = us-east-1

[profile admin]
region = us-east-1
role_arn = `+roleARN("admin")+`
source_profile = base
mfa_serial = `+dev.Serial+`
external_id = ext-1
duration_seconds = 900
role_session_name = alice-admin

[profile ci]
region = eu-west-1
role_arn = `+roleARN("ci")+`
web_identity_token_file = `+tokenFile+`
role_session_name = build-1

[profile gov]
region = us-gov-west-1
`, `
[base]
aws_access_key_id = `+alice.AccessKeyID+`
aws_secret_access_key = `+alice.SecretAccessKey+`

[gov]
aws_access_key_id = `+gov.AccessKeyID+`
aws_secret_access_key = `+gov.SecretAccessKey+`
`)

	tests := []struct {
		profile    string
		wantARN    string
		wantRegion string
		wantCalls  []string
	}{
		{"base", alice.ARN, "us-east-1", []string{"GetCallerIdentity"}},
		{"admin", "arn:aws:sts::" + accountA + ":assumed-role/admin/alice-admin", "us-east-1", []string{"AssumeRole", "GetCallerIdentity"}},
		{"ci", "arn:aws:sts::" + accountA + ":assumed-role/ci/build-1", "eu-west-1", []string{"AssumeRoleWithWebIdentity", "GetCallerIdentity"}},
		{"gov", gov.ARN, "us-gov-west-1", []string{"GetCallerIdentity"}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			s.ResetCalls()
			ctx := testContext(t)
			cfg, err := config.LoadDefaultConfig(ctx,
				config.WithSharedConfigProfile(tt.profile),
				config.WithRetryMaxAttempts(1),
				config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
					o.TokenProvider = func() (string, error) { return dev.Code(s.Now()), nil }
				}),
			)
			if err != nil {
				t.Fatal(err)
			}
			out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.Arn); got != tt.wantARN {
				t.Errorf("Arn = %s, want %s", got, tt.wantARN)
			}
			calls := s.Calls()
			var got []string
			for _, c := range calls {
				got = append(got, c.Action)
				if c.Action != "AssumeRoleWithWebIdentity" && c.Region != tt.wantRegion {
					t.Errorf("%s signed for %q, want %q", c.Action, c.Region, tt.wantRegion)
				}
			}
			if !equal(got, tt.wantCalls) {
				t.Errorf("calls = %q, want %q", got, tt.wantCalls)
			}
			if tt.profile == "admin" {
				c := calls[0]
				if c.SerialNumber != dev.Serial || c.TokenCode == "" || c.ExternalID != "ext-1" ||
					c.DurationSeconds != 900 || c.AccessKeyID != alice.AccessKeyID || c.CallerARN != alice.ARN {
					t.Errorf("AssumeRole logged as %+v", c)
				}
			}
		})
	}
}
