package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsrun/awsrun/creds/ststest"
)

// These tests run the built programs (and, where said, the real main in a
// process of its own) with sources that need no MFA, with --min-ttl, and
// as the credential_process of the SDK's own provider.

const (
	ciRole   = "arn:aws:iam::" + acct + ":role/ci"
	openRole = "arn:aws:iam::" + acct + ":role/open"
	ciToken  = "eyJhbGciOiJSUzI1NiJ9.ci-job-1.sig"
)

// TestCredentialProcessServesTheSDK is the README's promise (Use with …,
// Terraform): a profile whose
// credential_process is awsrun gives any SDK-based tool awsrun's role
// credentials, its cache and its code source.
func TestCredentialProcessServesTheSDK(t *testing.T) {
	w := newWorld(t, "")
	_, runs := w.mfaProcess(t)
	cfgFile := filepath.Join(w.home, ".aws", "config")
	b, err := os.ReadFile(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	w.write(t, ".aws/config", string(b)+"[profile viaawsrun]\ncredential_process = "+binary(t)+" --profile role101 --export credential-process\n")
	// The SDK runs the process with this process's environment.
	for _, kv := range w.env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWSRUN_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}

	retrieve := func() (aws.Credentials, aws.Config) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile("viaawsrun"),
			config.WithSharedConfigFiles([]string{cfgFile}),
			config.WithSharedCredentialsFiles([]string{filepath.Join(w.home, ".aws", "credentials")}),
			config.WithRegion("eu-west-1"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			t.Fatalf("Retrieve through credential_process: %v", err)
		}
		return c, cfg
	}
	first, cfg := retrieve()
	if !first.CanExpire || time.Until(first.Expires) < 50*time.Minute || first.SessionToken == "" {
		t.Errorf("credentials: can expire %t, in %s, token %t", first.CanExpire, time.Until(first.Expires), first.SessionToken != "")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(id.Arn), "arn:aws:sts::"+acct+":assumed-role/role101/awsrun-tester"; got != want {
		t.Errorf("caller = %s, want %s", got, want)
	}
	if s, r := w.counts(); s != 1 || r != 1 {
		t.Errorf("STS saw %d GetSessionToken and %d AssumeRole, want 1 and 1", s, r)
	}

	// A new tool, a new SDK config: the launcher answers from the cache.
	second, _ := retrieve()
	if second.AccessKeyID != first.AccessKeyID {
		t.Errorf("second Retrieve got other credentials")
	}
	if s, r := w.counts(); s != 1 || r != 1 {
		t.Errorf("after the second Retrieve STS saw %d GetSessionToken and %d AssumeRole, want still 1 and 1", s, r)
	}
	if n := runs(); n != 1 {
		t.Errorf("mfa_process ran %d times, want 1", n)
	}
}

// webIdentityWorld is a CI job's setup: an OIDC token in a file and a
// profile that exchanges it for the ci role.
func webIdentityWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, "[profile ci]\nrole_arn = "+ciRole+"\nweb_identity_token_file = TOKEN\nregion = eu-west-1\n")
	token := w.write(t, "token", ciToken)
	b, _ := os.ReadFile(filepath.Join(w.home, ".aws", "config"))
	w.write(t, ".aws/config", strings.Replace(string(b), "TOKEN", token, 1))
	w.srv.AddRole(ciRole, ststest.RolePolicy{WebIdentityTokens: []string{ciToken}})
	return w
}

func TestWebIdentityWithoutATerminal(t *testing.T) {
	w := webIdentityWorld(t)
	script := `printf '%s\n' "$AWSRUN_PROFILE"; AWSRUN_TEST_ROLE=whoami "$0"`
	want := "ci\narn:aws:sts::" + acct + ":assumed-role/ci/awsrun-tester\n"

	// The real main, in a session of its own: no terminal, nothing to wait for.
	r := w.awsrun(t, nil, "-p", "ci", "--", "sh", "-c", script, os.Args[0])
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Fatalf("exit %d, stdout %q (want %q), stderr %q", r.code, r.stdout, want, r.stderr)
	}
	// The built launcher and core: the cache answers, STS is not asked again.
	r = w.run(t, "-v", "-p", "ci", "--", "sh", "-c", script, os.Args[0])
	if r.code != 0 || r.stdout != want {
		t.Fatalf("exit %d, stdout %q (want %q), stderr %q", r.code, r.stdout, want, r.stderr)
	}
	if !strings.Contains(r.stderr, "cache hit: source ci web identity "+ciRole) {
		t.Errorf("-v does not show the source's cache hit:\n%s", r.stderr)
	}
	if n := w.srv.CallCount("AssumeRoleWithWebIdentity"); n != 1 {
		t.Errorf("AssumeRoleWithWebIdentity called %d times, want 1", n)
	}
	// A token's credentials are never in the warm index: a new token must be
	// seen by the full resolution.
	if !strings.Contains(r.stderr, "not indexing the credentials for warm launches") {
		t.Errorf("web identity credentials were indexed for warm launches:\n%s", r.stderr)
	}
	w.srv.SetRolePolicy(ciRole, ststest.RolePolicy{WebIdentityTokens: []string{"job-2-token"}})
	w.write(t, "token", "job-2-token")
	r = w.run(t, "-p", "ci", "--export", "json")
	if r.code != 0 || w.srv.CallCount("AssumeRoleWithWebIdentity") != 2 {
		t.Errorf("after a new token: exit %d (%s), %d web identity calls, want 2", r.code, r.stderr, w.srv.CallCount("AssumeRoleWithWebIdentity"))
	}
}

func TestSourcesThroughTheBuiltPrograms(t *testing.T) {
	const ssoRole = "arn:aws:iam::" + acct + ":role/AWSReservedSSO_ReadOnly_0123456789abcdef"
	const taskRole = "arn:aws:iam::" + acct + ":role/task"
	tests := []struct {
		name   string
		setup  func(t *testing.T, w *world) (profile string, calls func() int)
		caller string
	}{
		{"sso", func(t *testing.T, w *world) (string, func() int) {
			w.srv.AddRole(ssoRole, ststest.RolePolicy{})
			portal := w.srv.NewSSOPortal()
			t.Cleanup(portal.Close)
			portal.Grant("access-token", "tester@example.com", "ReadOnly", ssoRole)
			w.write(t, ".aws/config", "[profile dev]\nsso_session = corp\nsso_account_id = "+acct+"\nsso_role_name = ReadOnly\n"+
				"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n")
			sum := sha1.Sum([]byte("corp"))
			b, _ := json.Marshal(map[string]string{"accessToken": "access-token", "expiresAt": time.Now().Add(8 * time.Hour).UTC().Format(time.RFC3339)})
			w.write(t, ".aws/sso/cache/"+hex.EncodeToString(sum[:])+".json", string(b))
			w.env = append(w.env, "AWS_ENDPOINT_URL_SSO="+portal.URL)
			return "dev", func() int { return len(portal.Calls()) }
		}, "arn:aws:sts::" + acct + ":assumed-role/AWSReservedSSO_ReadOnly_0123456789abcdef/tester@example.com"},
		{"EcsContainer", func(t *testing.T, w *world) (string, func() int) {
			w.srv.AddRole(taskRole, ststest.RolePolicy{})
			w.srv.AddRole(openRole, ststest.RolePolicy{Principals: []string{taskRole}})
			e := w.srv.NewContainerEndpoint(taskRole, "container-token")
			t.Cleanup(e.Close)
			w.write(t, ".aws/config", "[profile task]\ncredential_source = EcsContainer\nrole_arn = "+openRole+"\n")
			w.env = append(w.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI="+e.URL, "AWS_CONTAINER_AUTHORIZATION_TOKEN=container-token")
			return "task", func() int { return len(e.Calls()) + w.srv.CallCount("AssumeRole") }
		}, "arn:aws:sts::" + acct + ":assumed-role/open/awsrun-tester"},
		{"Environment", func(t *testing.T, w *world) (string, func() int) {
			w.srv.AddRole(openRole, ststest.RolePolicy{Principals: []string{userARN}})
			w.write(t, ".aws/config", "[profile env]\ncredential_source = Environment\nrole_arn = "+openRole+"\n")
			w.env = append(w.env, "AWS_ACCESS_KEY_ID="+w.user.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+w.user.SecretAccessKey)
			return "env", func() int { return w.srv.CallCount("AssumeRole") }
		}, "arn:aws:sts::" + acct + ":assumed-role/open/awsrun-tester"},
		{"credential_process", func(t *testing.T, w *world) (string, func() int) {
			w.srv.AddRole(openRole, ststest.RolePolicy{Principals: []string{userARN}})
			// The process is itself awsrun, for a role that needs no MFA.
			w.write(t, ".aws/config", "[profile open]\nrole_arn = "+openRole+"\nsource_profile = user101\n"+
				"[profile proc]\ncredential_process = "+binary(t)+" --profile open --export credential-process\n")
			return "proc", func() int { return w.srv.CallCount("AssumeRole") }
		}, "arn:aws:sts::" + acct + ":assumed-role/open/awsrun-tester"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "")
			profile, calls := tt.setup(t, w)
			script := `printf '%s %s %s\n' "$AWS_ACCESS_KEY_ID" "${AWS_CONTAINER_CREDENTIALS_FULL_URI-unset}" "${AWS_CONTAINER_AUTHORIZATION_TOKEN-unset}"; AWSRUN_TEST_ROLE=whoami "$0"`
			first := w.run(t, "-p", profile, "--", "sh", "-c", script, os.Args[0])
			if first.code != 0 {
				t.Fatalf("exit %d: %s", first.code, first.stderr)
			}
			lines := strings.Split(strings.TrimSpace(first.stdout), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "ASIA") || !strings.HasSuffix(lines[0], " unset unset") || lines[1] != tt.caller {
				t.Errorf("child saw %q, want temporary credentials of %s and no container variables", first.stdout, tt.caller)
			}
			if n := calls(); n < 1 {
				t.Fatalf("the provider was not asked")
			}
			before := calls()
			second := w.run(t, "-p", profile, "--", "sh", "-c", script, os.Args[0])
			if second.code != 0 || second.stdout != first.stdout {
				t.Errorf("second run: exit %d, stdout %q, want %q; stderr %q", second.code, second.stdout, first.stdout, second.stderr)
			}
			if n := calls(); n != before {
				t.Errorf("second run asked the provider or STS %d more times, want none", n-before)
			}
		})
	}
}

func TestMinTTL(t *testing.T) {
	w := newWorld(t, "")
	_, runs := w.mfaProcess(t)
	w.srv.SetCredentialLifetime(30 * time.Minute)
	first := exportKey(t, w.run(t, "-p", "role101", "--export", "json"))
	w.srv.SetCredentialLifetime(0)
	alone := launcherAlone(t)

	// 30 minutes left serve a 20-minute job warm, from the launcher alone.
	if r := w.runBinary(t, alone, "-p", "role101", "--min-ttl", "20m", "--export", "json"); r.code != 0 || exportKey(t, r) != first {
		t.Errorf("--min-ttl 20m with 30m left, launcher alone: exit %d, stderr %q; want the cached key", r.code, r.stderr)
	}
	// Not a 45-minute one: the launcher must leave it to awsrun-core.
	if r := w.runBinary(t, alone, "-p", "role101", "--min-ttl", "45m", "--export", "json"); r.code != 125 || !strings.Contains(r.stderr, "awsrun-core") {
		t.Errorf("--min-ttl 45m with 30m left, launcher alone: exit %d, stderr %q; want it to need awsrun-core", r.code, r.stderr)
	}
	w.srv.ResetCalls()
	second := exportKey(t, w.run(t, "-p", "role101", "--min-ttl", "45m", "--export", "json"))
	if second == first {
		t.Errorf("--min-ttl 45m served credentials with 30m left")
	}
	if s, r := w.counts(); s != 0 || r != 1 || runs() != 1 {
		t.Errorf("refresh for --min-ttl: %d GetSessionToken, %d AssumeRole, %d codes; want 0, 1 and the first run's 1", s, r, runs())
	}
	// The new credentials are in the warm index.
	if r := w.runBinary(t, alone, "-p", "role101", "--min-ttl", "45m", "--export", "json"); r.code != 0 || exportKey(t, r) != second {
		t.Errorf("after the refresh, launcher alone: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestMinTTLFailures(t *testing.T) {
	w := newWorld(t, "[profile role101]\nrole_arn = "+roleARN+"\nsource_profile = user101\nmfa_serial = "+serial+"\n"+
		"[profile open]\nrole_arn = "+openRole+"\nsource_profile = user101\n")
	w.srv.AddRole(openRole, ststest.RolePolicy{Principals: []string{userARN}})
	_, runs := w.mfaProcess(t)
	tests := []struct {
		name     string
		args     []string
		lifetime time.Duration
		want     string // all of stderr
	}{
		{
			name: "asked for less than --min-ttl",
			args: []string{"-p", "role101", "--min-ttl", "2h", "--", "true"},
			want: "awsrun: error: profile role101 (" + roleARN + "): the role is asked for 1h, not more than --min-ttl 2h\n" +
				"awsrun: hint: pass a --duration longer than 2h (up to the role's maximum session duration), or a shorter --min-ttl\n",
		},
		{
			name: "AWS gives less than --min-ttl", lifetime: 30 * time.Minute,
			args: []string{"-p", "open", "--min-ttl", "45m", "--", "true"},
			want: "awsrun: error: profile open (" + openRole + "): new credentials last only 30m, less than --min-ttl 45m\n" +
				"awsrun: hint: the role's maximum session duration is shorter: pass a shorter --min-ttl, or raise the role's MaxSessionDuration\n",
		},
		{
			name: "not a duration",
			args: []string{"-p", "role101", "--min-ttl", "soon", "--", "true"},
			want: "awsrun: error: --min-ttl: invalid duration \"soon\" (want e.g. 45m, 2h or seconds)\nawsrun: hint: awsrun --help shows the usage\n",
		},
		{
			name: "--json without --list",
			args: []string{"-p", "role101", "--json", "--", "true"},
			want: "awsrun: error: --json goes with --list, --whoami, --doctor or --keys list (for credentials as JSON: --export json)\nawsrun: hint: awsrun --help shows the usage\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w.srv.SetCredentialLifetime(tt.lifetime)
			defer w.srv.SetCredentialLifetime(0)
			w.srv.ResetCalls()
			r := w.run(t, tt.args...)
			if r.code != 125 || r.stderr != tt.want || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant 125 and:\n%s", r.code, r.stdout, r.stderr, tt.want)
			}
			if tt.lifetime == 0 && len(w.srv.Calls()) != 0 {
				t.Errorf("STS called although the run could not succeed: %+v", w.srv.Calls())
			}
		})
	}
	if n := runs(); n != 0 {
		t.Errorf("mfa_process ran %d times for runs that could not succeed", n)
	}
	for _, kind := range w.cached(t) {
		if kind == "index" {
			t.Errorf("a refused run wrote a warm index entry")
		}
	}
}

func TestListJSON(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	if r := w.run(t, "-p", "role101", "--", "true"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	r := w.run(t, "--list", "--json")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("--list --json: exit %d, stderr %q", r.code, r.stderr)
	}
	var l struct {
		Profiles []struct {
			Name          string `json:"name"`
			RoleARN       string `json:"role_arn"`
			SourceProfile string `json:"source_profile"`
			MFASerial     string `json:"mfa_serial"`
		} `json:"profiles"`
		Cache struct {
			Dir      string `json:"dir"`
			KeyStore string `json:"key_store"`
			Error    string `json:"error"`
		} `json:"cache"`
		Entries []struct {
			Kind        string `json:"kind"`
			Label       string `json:"label"`
			Expires     string `json:"expires"`
			SecondsLeft int64  `json:"seconds_left"`
			Refresh     bool   `json:"refresh"`
		} `json:"entries"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("--list --json output %q: %v", r.stdout, err)
	}
	if len(l.Profiles) != 2 || l.Profiles[0].Name != "role101" || l.Profiles[0].RoleARN != roleARN ||
		l.Profiles[0].SourceProfile != "user101" || l.Profiles[0].MFASerial != serial || l.Profiles[1].Name != "user101" || l.Profiles[1].RoleARN != "" {
		t.Errorf("profiles = %+v", l.Profiles)
	}
	if l.Cache.Dir != filepath.Join(w.home, ".cache", "awsrun") || !regexp.MustCompile(`^file .*/\.config/awsrun/cache\.key$`).MatchString(l.Cache.KeyStore) || l.Cache.Error != "" {
		t.Errorf("cache = %+v", l.Cache)
	}
	want := map[string]time.Duration{"session": 12 * time.Hour, "role": time.Hour}
	for _, e := range l.Entries {
		d, ok := want[e.Kind]
		if !ok {
			t.Errorf("unexpected entry %+v", e)
			continue
		}
		delete(want, e.Kind)
		exp, err := time.Parse(time.RFC3339, e.Expires)
		if err != nil {
			t.Errorf("%s expires %q: %v", e.Kind, e.Expires, err)
		}
		left := time.Duration(e.SecondsLeft) * time.Second
		if left > d || left < d-2*time.Minute || time.Until(exp)-left > 5*time.Second || e.Refresh {
			t.Errorf("%s: %+v, want about %s left", e.Kind, e, d)
		}
		if !strings.HasPrefix(e.Label, map[string]string{"session": "user101 " + serial, "role": "role101 " + roleARN}[e.Kind]) {
			t.Errorf("%s label %q", e.Kind, e.Label)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing entries: %v", want)
	}

	// A cache awsrun refuses is reported, not fatal: profiles still listed.
	dir := filepath.Join(w.home, ".cache", "awsrun")
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	r = w.run(t, "--list", "--json")
	if r.code != 0 {
		t.Fatalf("--list --json with an open cache dir: exit %d, stderr %q", r.code, r.stderr)
	}
	var broken map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &broken); err != nil {
		t.Fatal(err)
	}
	if got, want := string(broken["entries"]), "[]"; got != want {
		t.Errorf("entries = %s, want %s", got, want)
	}
	if !strings.Contains(string(broken["cache"]), `"error": "cache directory `+dir+` is `) {
		t.Errorf("cache = %s, want the reason it is not used", broken["cache"])
	}
}
