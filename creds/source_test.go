package creds

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsrun/awsrun/creds/ststest"
)

// Sources that need no MFA come from the SDK's own providers, each against
// a loopback fake: the fake STS for web identity and the SDK's AssumeRole,
// a fake SSO portal, a fake container endpoint, a script for
// credential_process, and the environment.

const (
	ciRole     = "arn:aws:iam::" + acct + ":role/ci"
	openRole   = "arn:aws:iam::" + acct + ":role/open"
	ssoRole    = "arn:aws:iam::" + acct + ":role/AWSReservedSSO_ReadOnly_0123456789abcdef"
	taskRole   = "arn:aws:iam::" + acct + ":role/task"
	deployRole = "arn:aws:iam::" + acct + ":role/deploy"
	ciToken    = "eyJhbGciOiJSUzI1NiJ9.ci-job-1.sig"
	ssoToken   = "sso-access-token-1"
	ssoSession = "corp"
)

// source is one provider set up against the fakes: the profile to ask
// for, and how many times the provider was asked so far.
type source struct {
	profile string
	calls   func() int
	caller  string // what GetCallerIdentity says of the credentials
	file    string // the web identity token file
}

// webIdentity writes a token file and a profile for the ci role.
func webIdentity(t *testing.T, f *fixture, extra string) source {
	t.Helper()
	f.srv.AddRole(ciRole, ststest.RolePolicy{WebIdentityTokens: []string{ciToken}})
	token := filepath.Join(t.TempDir(), "token")
	writeFile(t, token, ciToken)
	f.write(t, "[profile ci]\nrole_arn = "+ciRole+"\nweb_identity_token_file = "+token+"\n"+extra, "")
	return source{"ci", func() int { return f.srv.CallCount("AssumeRoleWithWebIdentity") }, "arn:aws:sts::" + acct + ":assumed-role/ci/awsrun-tester", token}
}

// credentialProcess writes a script that prints a session of user101 (or,
// with longTerm, user101's own keys) and counts its runs.
func credentialProcess(t *testing.T, f *fixture, longTerm bool) source {
	t.Helper()
	f.write(t, "", "")
	out := map[string]any{"Version": 1, "AccessKeyId": f.user.AccessKeyID, "SecretAccessKey": f.user.SecretAccessKey}
	if !longTerm {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider(f.user.AccessKeyID, f.user.SecretAccessKey, "")})
		s, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
		if err != nil {
			t.Fatal(err)
		}
		out = map[string]any{"Version": 1, "AccessKeyId": *s.Credentials.AccessKeyId, "SecretAccessKey": *s.Credentials.SecretAccessKey,
			"SessionToken": *s.Credentials.SessionToken, "Expiration": s.Credentials.Expiration.UTC().Format(time.RFC3339)}
	}
	b, _ := json.Marshal(out)
	dir := t.TempDir()
	count := filepath.Join(dir, "count")
	writeFile(t, filepath.Join(dir, "creds.json"), string(b))
	writeFile(t, filepath.Join(dir, "process"), fmt.Sprintf("echo run >> '%s'\ncat '%s/creds.json'\n", count, dir))
	f.write(t, "[profile proc]\ncredential_process = sh "+filepath.Join(dir, "process")+"\n", "")
	return source{profile: "proc", calls: func() int { return runCount(count) }, caller: userARN}
}

// ssoSource writes an sso-session profile, the AWS CLI's token cache for
// it, and a portal that knows the token.
func ssoSource(t *testing.T, f *fixture, expiresAt time.Time) (source, *ststest.SSOPortal) {
	t.Helper()
	f.srv.AddRole(ssoRole, ststest.RolePolicy{})
	portal := f.srv.NewSSOPortal()
	t.Cleanup(portal.Close)
	portal.Grant(ssoToken, "tester@example.com", "ReadOnly", ssoRole)
	f.write(t, "[profile dev]\nsso_session = "+ssoSession+"\nsso_account_id = "+acct+"\nsso_role_name = ReadOnly\nregion = eu-west-1\n"+
		"[sso-session "+ssoSession+"]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n", "")
	writeSSOToken(t, f.home, ssoSession, ssoToken, expiresAt)
	t.Setenv("AWS_ENDPOINT_URL_SSO", portal.URL)
	return source{profile: "dev", calls: func() int { return len(portal.Calls()) },
		caller: "arn:aws:sts::" + acct + ":assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/tester@example.com"}, portal
}

// writeSSOToken writes a sign-in as the AWS CLI caches it:
// ~/.aws/sso/cache/<sha1 of the session name>.json.
func writeSSOToken(t *testing.T, home, session, token string, expiresAt time.Time) {
	t.Helper()
	sum := sha1.Sum([]byte(session))
	b, _ := json.Marshal(map[string]string{"accessToken": token, "expiresAt": expiresAt.UTC().Format(time.RFC3339),
		"region": "eu-west-1", "startUrl": "https://corp.awsapps.com/start"})
	writeFile(t, filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"), string(b))
}

// container points credential_source = EcsContainer at a fake endpoint
// that hands out the task role, from which the SDK assumes the deploy role
// (credential_source always goes with role_arn).
func container(t *testing.T, f *fixture) (source, *ststest.ContainerEndpoint) {
	t.Helper()
	f.srv.AddRole(taskRole, ststest.RolePolicy{})
	f.srv.AddRole(deployRole, ststest.RolePolicy{Principals: []string{taskRole}})
	e := f.srv.NewContainerEndpoint(taskRole, "task-secret-token")
	t.Cleanup(e.Close)
	f.write(t, "[profile task]\ncredential_source = EcsContainer\nrole_arn = "+deployRole+"\n", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", e.URL)
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "task-secret-token")
	return source{profile: "task", calls: func() int { return len(e.Calls()) + f.srv.CallCount("AssumeRole") - 1 },
		caller: "arn:aws:sts::" + acct + ":assumed-role/deploy/awsrun-tester"}, e
}

// environment assumes the open role from user101's keys in the
// environment, the SDK making the AssumeRole call.
func environment(t *testing.T, f *fixture) source {
	t.Helper()
	f.srv.AddRole(openRole, ststest.RolePolicy{Principals: []string{userARN}})
	f.write(t, "[profile env]\ncredential_source = Environment\nrole_arn = "+openRole+"\n", "")
	t.Setenv("AWS_ACCESS_KEY_ID", f.user.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", f.user.SecretAccessKey)
	return source{profile: "env", calls: func() int { return f.srv.CallCount("AssumeRole") }, caller: "arn:aws:sts::" + acct + ":assumed-role/open/awsrun-tester"}
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func runCount(file string) int {
	b, _ := os.ReadFile(file)
	return strings.Count(string(b), "run")
}

// kinds lists the kinds of the store's entries.
func kinds(t *testing.T, f *fixture) []string {
	t.Helper()
	entries, err := f.openCache(t).List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, string(e.Entry.Kind))
	}
	return out
}

func TestProviderSourcesAreCachedAsAStep(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, f *fixture) source
	}{
		{"web identity", func(t *testing.T, f *fixture) source { return webIdentity(t, f, "") }},
		{"sso", func(t *testing.T, f *fixture) source { s, _ := ssoSource(t, f, time.Now().Add(8*time.Hour)); return s }},
		{"EcsContainer", func(t *testing.T, f *fixture) source { s, _ := container(t, f); return s }},
		{"Environment with role_arn", environment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "")
			src := tt.setup(t, f)
			var log []string
			r := f.resolver(f.openCache(t))
			r.Log = func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }
			first, err := f.retrieve(t, r, src.profile, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.callerARN(t, first); !strings.HasPrefix(got, src.caller) {
				t.Errorf("caller = %s, want %s…", got, src.caller)
			}
			if n := src.calls(); n != 1 {
				t.Errorf("provider asked %d times, want 1", n)
			}
			if left := first.TimeLeft(time.Now()); left < 50*time.Minute {
				t.Errorf("credentials expire in %s, want the provider's full lifetime", left)
			}
			if got := kinds(t, f); strings.Join(got, " ") != "source" {
				t.Errorf("cache holds %v, want one source entry", got)
			}

			// A second run, a new process as far as awsrun knows: the cache.
			log = nil
			r = f.resolver(f.openCache(t))
			r.Log = func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }
			second, err := f.retrieve(t, r, src.profile, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if second.AccessKeyID != first.AccessKeyID {
				t.Errorf("second run got new credentials")
			}
			if n := src.calls(); n != 1 {
				t.Errorf("provider asked %d times after the second run, want 1", n)
			}
			if text := strings.Join(log, "\n"); !strings.Contains(text, "cache hit: source "+src.profile+" ") {
				t.Errorf("-v log of the second run lacks the source's cache hit:\n%s", text)
			}
			if f.prompts.Load() != 0 {
				t.Errorf("a source that needs no MFA prompted")
			}
		})
	}
}

func TestWebIdentityThenRoleHopAndANewToken(t *testing.T) {
	f := newFixture(t, "")
	src := webIdentity(t, f, "[profile deploy]\nrole_arn = "+deployRole+"\nsource_profile = ci\n")
	f.srv.AddRole(deployRole, ststest.RolePolicy{Principals: []string{ciRole}})
	store := f.openCache(t)
	c, err := f.retrieve(t, f.resolver(store), "deploy", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "AssumeRoleWithWebIdentity AssumeRole"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
	if got := f.callerARN(t, c); got != "arn:aws:sts::"+acct+":assumed-role/deploy/awsrun-tester" {
		t.Errorf("caller = %s", got)
	}
	f.srv.ResetCalls()
	if _, err := f.retrieve(t, f.resolver(store), "deploy", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if calls := f.actions(); len(calls) != 0 {
		t.Errorf("second run called STS: %v", calls)
	}

	// The next CI job brings another token: never the old job's credentials.
	f.srv.SetRolePolicy(ciRole, ststest.RolePolicy{WebIdentityTokens: []string{ciToken, "job-2-token"}})
	writeFile(t, src.file, "job-2-token")
	f.srv.ResetCalls()
	c2, err := f.retrieve(t, f.resolver(store), "deploy", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "AssumeRoleWithWebIdentity AssumeRole"; got != want || c2.AccessKeyID == c.AccessKeyID {
		t.Errorf("after a new token: STS calls = %s (want %s), same key %t", got, want, c2.AccessKeyID == c.AccessKeyID)
	}
}

func TestLongTermKeysFromAProcessAreNeverCached(t *testing.T) {
	f := newFixture(t, "")
	src := credentialProcess(t, f, true)
	f.srv.AddRole(openRole, ststest.RolePolicy{Principals: []string{userARN}})
	cfg, _ := os.ReadFile(filepath.Join(f.home, ".aws", "config"))
	writeFile(t, filepath.Join(f.home, ".aws", "config"), string(cfg)+"[profile r]\nrole_arn = "+openRole+"\nsource_profile = proc\n")
	c, err := f.retrieve(t, f.resolver(f.openCache(t)), "r", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.callerARN(t, c); !strings.Contains(got, ":assumed-role/open/") {
		t.Errorf("caller = %s", got)
	}
	if got := kinds(t, f); strings.Join(got, " ") != "role" {
		t.Errorf("cache holds %v, want only the role: long-term keys are never written", got)
	}
	if n := src.calls(); n != 1 {
		t.Errorf("process ran %d times, want 1", n)
	}
}

func TestSourceRoleWithMFAAsksForTheCode(t *testing.T) {
	f := newFixture(t, "")
	f.write(t, "[profile envmfa]\ncredential_source = Environment\nrole_arn = "+roleARN+"\nmfa_serial = "+serial+"\n", "")
	t.Setenv("AWS_ACCESS_KEY_ID", f.user.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", f.user.SecretAccessKey)
	store := f.openCache(t)
	c, err := f.retrieve(t, f.resolver(store), "envmfa", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "AssumeRole+MFA"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
	if got := f.callerARN(t, c); got != "arn:aws:sts::"+acct+":assumed-role/role101/awsrun-tester" {
		t.Errorf("caller = %s", got)
	}
	f.srv.ResetCalls()
	if _, err := f.retrieve(t, f.resolver(store), "envmfa", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := f.prompts.Load(); n != 1 || len(f.actions()) != 0 {
		t.Errorf("second run: %d prompts in all (want 1), STS calls %v (want none)", n, f.actions())
	}
}

func TestProviderFailuresNameTheProfileAndHelp(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, f *fixture) string // returns the profile
		wantErr string
		hint    string
		secret  string // must not appear in the error
	}{
		{
			name: "web identity token not accepted",
			setup: func(t *testing.T, f *fixture) string {
				writeFile(t, webIdentity(t, f, "").file, "forged-token")
				return "ci"
			},
			wantErr: "profile ci (" + ciRole + "): web_identity: AssumeRoleWithWebIdentity: InvalidIdentityToken: The web identity token that was passed could not be validated by AWS.",
			hint:    "is not one STS accepts now: write a fresh token from the identity provider there",
			secret:  "forged-token",
		},
		{
			name: "web identity token file missing",
			setup: func(t *testing.T, f *fixture) string {
				os.Remove(webIdentity(t, f, "").file)
				return "ci"
			},
			wantErr: "profile ci (" + ciRole + "): web_identity: failed to retrieve jwt from provide source, unable to read file at",
			hint:    "write the identity provider's token to ",
		},
		{
			name: "web identity with mfa_serial",
			setup: func(t *testing.T, f *fixture) string {
				webIdentity(t, f, "mfa_serial = "+serial+"\n")
				return "ci"
			},
			wantErr: "mfa_serial does not apply to web identity: AssumeRoleWithWebIdentity takes no MFA code",
			hint:    "remove mfa_serial, or put the role that needs MFA in a profile of its own with source_profile = ci",
		},
		{
			name: "sso sign-in expired",
			setup: func(t *testing.T, f *fixture) string {
				s, _ := ssoSource(t, f, time.Now().Add(-time.Minute))
				return s.profile
			},
			wantErr: "profile dev: sso: refresh cached SSO token failed, cached SSO token is expired, or not present, and cannot be refreshed",
			hint:    "sign in again: aws sso login --profile dev",
		},
		{
			name: "sso sign-in revoked",
			setup: func(t *testing.T, f *fixture) string {
				s, p := ssoSource(t, f, time.Now().Add(time.Hour))
				p.Revoke(ssoToken)
				return s.profile
			},
			wantErr: "profile dev: sso: GetRoleCredentials: UnauthorizedException: Session token not found or invalid",
			hint:    "sign in again: aws sso login --profile dev",
			secret:  ssoToken,
		},
		{
			name: "sso role not assigned",
			setup: func(t *testing.T, f *fixture) string {
				s, _ := ssoSource(t, f, time.Now().Add(time.Hour))
				cfg := filepath.Join(f.home, ".aws", "config")
				b, _ := os.ReadFile(cfg)
				writeFile(t, cfg, strings.Replace(string(b), "sso_role_name = ReadOnly", "sso_role_name = Admin", 1))
				return s.profile
			},
			wantErr: "profile dev: sso: GetRoleCredentials: ForbiddenException: No access",
			hint:    "check that your SSO user is assigned that role in that account",
		},
		{
			name: "credential_process fails",
			setup: func(t *testing.T, f *fixture) string {
				f.write(t, "[profile proc]\ncredential_process = sh -c 'exit 3'\n", "")
				return "proc"
			},
			wantErr: "profile proc: credential_process: process provider error: error in credential_process: exit status 3",
			hint:    "run the profile's credential_process yourself",
		},
		{
			name: "credential_process prints garbage",
			setup: func(t *testing.T, f *fixture) string {
				f.write(t, "[profile proc]\ncredential_process = echo 'SecretAccessKey=hunter2hunter2'\n", "")
				return "proc"
			},
			wantErr: "profile proc: credential_process: the command did not print credentials as JSON",
			hint:    "it must exit 0 and print the credentials JSON",
			secret:  "hunter2",
		},
		{
			name: "container refuses the token",
			setup: func(t *testing.T, f *fixture) string {
				s, _ := container(t, f)
				t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token")
				return s.profile
			},
			wantErr: "profile task (" + deployRole + "): EcsContainer: AccessDenied: Unable to authorize the request: wrong or missing authorization token",
			hint:    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
			secret:  "wrong-token",
		},
		{
			name: "container endpoint not on loopback",
			setup: func(t *testing.T, f *fixture) string {
				s, _ := container(t, f)
				t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.7/v1/credentials")
				return s.profile
			},
			wantErr: `profile task (` + deployRole + `): loading the SDK configuration: invalid endpoint host, "192.0.2.7", only loopback/ecs/eks hosts are allowed`,
			hint:    "AWS_CONTAINER_CREDENTIALS_FULL_URI (a loopback or container host)",
		},
		{
			name: "container without an endpoint",
			setup: func(t *testing.T, f *fixture) string {
				f.write(t, "[profile task]\ncredential_source = EcsContainer\nrole_arn = "+deployRole+"\n", "")
				t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
				t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "")
				return "task"
			},
			wantErr: "EcsContainer was specified as the credential_source, but neither",
			hint:    "check AWS_CONTAINER_CREDENTIALS_FULL_URI",
		},
		{
			name: "environment without keys",
			setup: func(t *testing.T, f *fixture) string {
				environment(t, f)
				os.Unsetenv("AWS_ACCESS_KEY_ID")
				os.Unsetenv("AWS_SECRET_ACCESS_KEY")
				return "env"
			},
			wantErr: "profile env (" + openRole + "): Environment: static credentials are empty",
			hint:    "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or change credential_source in [profile env]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "")
			profile := tt.setup(t, f)
			store := f.openCache(t)
			_, err := f.retrieve(t, f.resolver(store), profile, LoadOptions{})
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v, want a *ConfigError", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.wantErr)
			}
			if !strings.Contains(ce.Hint(), tt.hint) {
				t.Errorf("hint = %q, want it to contain %q", ce.Hint(), tt.hint)
			}
			if tt.secret != "" && strings.Contains(err.Error()+ce.Hint(), tt.secret) {
				t.Errorf("the error shows %q: %v", tt.secret, err)
			}
			if got := kinds(t, f); len(got) != 0 {
				t.Errorf("cached after a failure: %v", got)
			}
			if f.prompts.Load() != 0 {
				t.Errorf("a failing source prompted for a code")
			}
		})
	}
}

// TestCredentialProcessIsAskedEveryRun guards against serving one
// environment's process output to another: what a process prints depends
// on more than its command line, so it is never cached by awsrun (it keeps
// its own cache), and the steps made from it are named by what it printed.
func TestCredentialProcessIsAskedEveryRun(t *testing.T) {
	f := newFixture(t, "")
	src := credentialProcess(t, f, false)
	for range 2 {
		if _, err := f.retrieve(t, f.resolver(f.openCache(t)), src.profile, LoadOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := src.calls(); n != 2 {
		t.Errorf("process ran %d times for two runs, want 2", n)
	}
	if got := kinds(t, f); len(got) != 0 {
		t.Errorf("cache holds %v, want nothing of a process's output", got)
	}
}
