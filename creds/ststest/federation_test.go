package ststest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func TestGetFederationToken(t *testing.T) {
	s, _ := newTestServer(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	ctx := testContext(t)
	client := newClient(s, "us-east-1", userCreds(u))

	out, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("alice"), Policy: aws.String(allowAll)})
	checkErr(t, err, "", "")
	wantARN := "arn:aws:sts::" + accountA + ":federated-user/alice"
	if got := aws.ToString(out.FederatedUser.Arn); got != wantARN {
		t.Errorf("FederatedUser.Arn = %s, want %s", got, wantARN)
	}
	if got := aws.ToString(out.FederatedUser.FederatedUserId); got != accountA+":alice" {
		t.Errorf("FederatedUserId = %s", got)
	}
	if left := out.Credentials.Expiration.Sub(s.Now()); left != 12*time.Hour {
		t.Errorf("default lifetime %s, want 12h", left)
	}
	if c := lastCall(t, s); c.Policy != allowAll || c.Name != "alice" {
		t.Errorf("call log has Name %q Policy %q", c.Name, c.Policy)
	}
	id, err := newClient(s, "us-east-1", sessionCreds(out.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	checkErr(t, err, "", "")
	if aws.ToString(id.Arn) != wantARN {
		t.Errorf("GetCallerIdentity = %s, want %s", aws.ToString(id.Arn), wantARN)
	}

	tests := []struct {
		name     string
		creds    aws.CredentialsProvider
		in       sts.GetFederationTokenInput
		code     string
		contains string
	}{
		{"session credentials", sessionCreds(out.Credentials), sts.GetFederationTokenInput{Name: aws.String("alice")}, "AccessDenied", "Cannot call GetFederationToken with session credentials"},
		{"name too long", userCreds(u), sts.GetFederationTokenInput{Name: aws.String(strings.Repeat("a", 33))}, "ValidationError", "have length less than or equal to 32"},
		{"name with a space", userCreds(u), sts.GetFederationTokenInput{Name: aws.String("al ice")}, "ValidationError", "regular expression"},
		{"36h is the most", userCreds(u), sts.GetFederationTokenInput{Name: aws.String("alice"), DurationSeconds: aws.Int32(129601)}, "ValidationError", "less than or equal to 129600"},
		{"15m is the least", userCreds(u), sts.GetFederationTokenInput{Name: aws.String("alice"), DurationSeconds: aws.Int32(899)}, "ValidationError", "greater than or equal to 900"},
		{"malformed policy", userCreds(u), sts.GetFederationTokenInput{Name: aws.String("alice"), Policy: aws.String("{")}, "MalformedPolicyDocument", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newClient(s, "us-east-1", tt.creds).GetFederationToken(ctx, &tt.in)
			checkErr(t, err, tt.code, tt.contains)
		})
	}
}

// federationGet sends one request to the endpoint and returns the status
// and body.
func federationGet(t *testing.T, f *Federation, q url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodGet, f.URL+"/federation?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func sessionJSON(c *types.Credentials) string {
	b, _ := json.Marshal(map[string]string{"sessionId": aws.ToString(c.AccessKeyId), "sessionKey": aws.ToString(c.SecretAccessKey), "sessionToken": aws.ToString(c.SessionToken)})
	return string(b)
}

func TestFederationSignin(t *testing.T) {
	s, clock := newTestServer(t)
	f := s.NewFederation()
	t.Cleanup(f.Close)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.AddRole(roleARN("admin"), RolePolicy{MaxSessionDuration: 12 * time.Hour})
	s.AddRole(roleARN("next"), RolePolicy{})
	gov := s.AddUser("arn:aws-us-gov:iam::" + accountA + ":user/gov")
	s.AddRole("arn:aws-us-gov:iam::"+accountA+":role/govrole", RolePolicy{})
	ctx := testContext(t)

	direct := assumeRole(t, s, userCreds(u), roleARN("admin"))
	chained := assumeRole(t, s, sessionCreds(direct), roleARN("next"))
	mfaSession := getSessionToken(t, s, u, nil)
	fed, err := newClient(s, "us-east-1", userCreds(u)).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("alice"), Policy: aws.String(allowAll)})
	checkErr(t, err, "", "")
	govOut, err := newClient(s, "us-gov-west-1", userCreds(gov)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws-us-gov:iam::" + accountA + ":role/govrole"), RoleSessionName: aws.String("gov")})
	checkErr(t, err, "", "")
	wrongKey := *direct
	wrongKey.SecretAccessKey = aws.String(otherFirst(aws.ToString(direct.SecretAccessKey)))
	longTerm := &types.Credentials{AccessKeyId: aws.String(u.AccessKeyID), SecretAccessKey: aws.String(u.SecretAccessKey), SessionToken: aws.String("none")}

	tests := []struct {
		name     string
		session  string
		duration string // SessionDuration; "" for none
		dest     string
		want     int    // status of getSigninToken
		wantARN  string // who the login signs in as
	}{
		{"role from long-term keys", sessionJSON(direct), "", "https://console.aws.amazon.com/console/home", 200, "arn:aws:sts::" + accountA + ":assumed-role/admin/setup"},
		{"role from long-term keys, 12h console", sessionJSON(direct), "43200", "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1", 200, "arn:aws:sts::" + accountA + ":assumed-role/admin/setup"},
		{"chained role", sessionJSON(chained), "", "https://console.aws.amazon.com/", 200, "arn:aws:sts::" + accountA + ":assumed-role/next/setup"},
		{"chained role with SessionDuration", sessionJSON(chained), "3600", "", 400, ""},
		{"federated user", sessionJSON(fed.Credentials), "", "https://console.aws.amazon.com/", 200, "arn:aws:sts::" + accountA + ":federated-user/alice"},
		{"federated user with SessionDuration", sessionJSON(fed.Credentials), "3600", "", 400, ""},
		{"SessionDuration over 12h", sessionJSON(direct), "43201", "", 400, ""},
		{"SessionDuration not a number", sessionJSON(direct), "1h", "", 400, ""},
		{"MFA session", sessionJSON(mfaSession), "", "", 400, ""},
		{"long-term keys", sessionJSON(longTerm), "", "", 400, ""},
		{"wrong secret", sessionJSON(&wrongKey), "", "", 400, ""},
		{"not JSON", "{", "", "", 400, ""},
		{"GovCloud role", sessionJSON(govOut.Credentials), "", "https://console.amazonaws-us-gov.com/console/home", 200, "arn:aws-us-gov:sts::" + accountA + ":assumed-role/govrole/gov"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"Action": {"getSigninToken"}, "Session": {tt.session}}
			if tt.duration != "" {
				q.Set("SessionDuration", tt.duration)
			}
			status, body := federationGet(t, f, q)
			if status != tt.want {
				t.Fatalf("getSigninToken = %d %s, want %d", status, body, tt.want)
			}
			if status != 200 {
				if !strings.Contains(body, "HTTP Status 400") || strings.Contains(body, aws.ToString(direct.SecretAccessKey)) {
					t.Errorf("error page %q", body)
				}
				return
			}
			var answer struct{ SigninToken string }
			if err := json.Unmarshal([]byte(body), &answer); err != nil || answer.SigninToken == "" {
				t.Fatalf("answer %q: %v", body, err)
			}
			login := url.Values{"Action": {"login"}, "Issuer": {"awsrun"}, "Destination": {tt.dest}, "SigninToken": {answer.SigninToken}}
			got, err := f.Follow(ctx, f.URL+"/federation?"+login.Encode())
			if err != nil {
				t.Fatal(err)
			}
			if got.ARN != tt.wantARN || got.Destination != tt.dest || got.Issuer != "awsrun" {
				t.Errorf("login = %+v, want %s to %s", got, tt.wantARN, tt.dest)
			}
			if tt.duration == "43200" && !got.Expires.Equal(s.Now().Add(12*time.Hour)) {
				t.Errorf("console session ends %s, want 12h from now", got.Expires)
			}
			// A token works once.
			if status, _ := federationGet(t, f, login); status != 400 {
				t.Errorf("second login with the token = %d, want 400", status)
			}
		})
	}

	token := func(c *types.Credentials) string {
		t.Helper()
		status, body := federationGet(t, f, url.Values{"Action": {"getSigninToken"}, "Session": {sessionJSON(c)}})
		var answer struct{ SigninToken string }
		if err := json.Unmarshal([]byte(body), &answer); status != 200 || err != nil {
			t.Fatalf("getSigninToken = %d %s", status, body)
		}
		return answer.SigninToken
	}
	login := func(token, dest string) int {
		status, _ := federationGet(t, f, url.Values{"Action": {"login"}, "Destination": {dest}, "SigninToken": {token}})
		return status
	}
	t.Run("destination of another partition", func(t *testing.T) {
		if got := login(token(govOut.Credentials), "https://console.aws.amazon.com/"); got != 400 {
			t.Errorf("login = %d, want 400", got)
		}
	})
	t.Run("destination off the console", func(t *testing.T) {
		for _, dest := range []string{"https://evil.example/console.aws.amazon.com", "http://console.aws.amazon.com/", "https://evilconsole.aws.amazon.com.example/"} {
			if got := login(token(direct), dest); got != 400 {
				t.Errorf("login to %s = %d, want 400", dest, got)
			}
		}
	})
	t.Run("token older than 15 minutes", func(t *testing.T) {
		tok := token(direct)
		clock.Advance(16 * time.Minute)
		if got := login(tok, "https://console.aws.amazon.com/"); got != 400 {
			t.Errorf("login = %d, want 400", got)
		}
	})
	t.Run("expired credentials", func(t *testing.T) {
		clock.Advance(2 * time.Hour)
		status, _ := federationGet(t, f, url.Values{"Action": {"getSigninToken"}, "Session": {sessionJSON(chained)}})
		if status != 400 {
			t.Errorf("getSigninToken with expired credentials = %d, want 400", status)
		}
	})
	if calls := f.Calls(); len(calls) == 0 || calls[0].Action != "getSigninToken" || calls[0].SessionID != aws.ToString(direct.AccessKeyId) {
		t.Errorf("call log starts %+v", calls[:min(1, len(calls))])
	}
}

// otherFirst is s with its first character changed: a wrong secret.
func otherFirst(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}
