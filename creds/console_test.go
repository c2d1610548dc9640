package creds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

func TestConsoleDestination(t *testing.T) {
	tests := []struct {
		name, host, region, service, path string
		want                              string
		wantErr                           bool
	}{
		{name: "home in the region", host: "console.aws.amazon.com", region: "eu-west-1", want: "https://console.aws.amazon.com/console/home?region=eu-west-1"},
		{name: "home without a region", host: "console.aws.amazon.com", want: "https://console.aws.amazon.com/console/home"},
		{name: "service", host: "console.amazonaws-us-gov.com", region: "us-gov-west-1", service: "s3", want: "https://console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1"},
		{name: "path with a fragment", host: "console.amazonaws.cn", region: "cn-north-1", path: "/ec2/home#Instances:", want: "https://console.amazonaws.cn/ec2/home?region=cn-north-1#Instances:"},
		{name: "path keeps its region", host: "console.aws.amazon.com", region: "eu-west-1", path: "ec2/home?region=us-east-2", want: "https://console.aws.amazon.com/ec2/home?region=us-east-2"},
		{name: "path beats service", host: "console.aws.amazon.com", service: "s3", path: "iam/home", want: "https://console.aws.amazon.com/iam/home"},
		{name: "service not a name", host: "console.aws.amazon.com", service: "S3/../x", wantErr: true},
		{name: "path to another host", host: "console.aws.amazon.com", path: "https://evil.example/", wantErr: true},
		{name: "scheme-relative path stays on the console", host: "console.aws.amazon.com", path: "//evil.example/x", want: "https://console.aws.amazon.com/evil.example/x"},
		{name: "path with a user", host: "console.aws.amazon.com", path: "@evil.example/x", want: "https://console.aws.amazon.com/@evil.example/x"},
		{name: "path with a space", host: "console.aws.amazon.com", path: "ec2/home x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := consoleDestination(tt.host, tt.region, tt.service, tt.path)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("consoleDestination = %q, %v; want %q (error %t)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestFederationEndpointSetting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://signin.example.com", "https://signin.example.com"},
		{"https://signin.example.com:8443/", "https://signin.example.com:8443"},
		{"http://127.0.0.1:4567", "http://127.0.0.1:4567"},
		{"http://[::1]:4567", "http://[::1]:4567"},
		{"http://localhost:1", "http://localhost:1"},
		{"http://signin.example.com", ""},
		{"ftp://127.0.0.1", ""},
		{"https://signin.example.com/?x=1", ""},
		{"https://user:pw@signin.example.com", ""},
		{"signin.example.com", ""},
	}
	for _, tt := range tests {
		got, err := federationEndpoint(tt.in)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("federationEndpoint(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// consoleFixture is the seeds' world with a fake federation endpoint.
type consoleFixture struct {
	*fixture
	fed *ststest.Federation
}

func newConsoleFixture(t *testing.T, config string) *consoleFixture {
	t.Helper()
	f := &consoleFixture{fixture: newFixture(t, config)}
	f.fed = f.srv.NewFederation()
	t.Cleanup(f.fed.Close)
	return f
}

func (f *consoleFixture) signin(t *testing.T, r *Resolver, profile string, o ConsoleOptions) (*ConsoleSignin, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := LoadChain(ctx, profile, LoadOptions{})
	if err != nil {
		t.Fatalf("LoadChain(%s): %v", profile, err)
	}
	if o.Endpoint == "" && o.HTTP == nil {
		o.Endpoint = f.fed.URL
	}
	return r.ConsoleSignin(ctx, c, o)
}

// follow opens the URL at the fake and returns who it signs in as.
func (f *consoleFixture) follow(t *testing.T, s *ConsoleSignin) ststest.ConsoleLogin {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	login, err := f.fed.Follow(ctx, s.URL)
	if err != nil {
		t.Fatalf("following the login URL: %v", err)
	}
	return login
}

func TestConsoleSigninAsTheRole(t *testing.T) {
	f := newConsoleFixture(t, role101+"region = eu-west-1\n")
	store := f.openCache(t)
	var log []string
	r := f.resolver(store)
	r.Log = func(format string, args ...any) { log = append(log, format) }
	s, err := f.signin(t, r, "role101", ConsoleOptions{Service: "s3"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != f.fed.URL+"/federation" || q.Get("Action") != "login" || q.Get("Issuer") != "awsrun" || q.Get("SigninToken") == "" {
		t.Errorf("login URL %s?%v lacks Action, Issuer or SigninToken", got, q)
	}
	if got, want := q.Get("Destination"), "https://console.aws.amazon.com/s3/home?region=eu-west-1"; got != want {
		t.Errorf("Destination = %s, want %s", got, want)
	}
	for _, shown := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v", *s, s, s)} {
		if strings.Contains(shown, q.Get("SigninToken")) {
			t.Errorf("printing the sign-in shows the token: %s", shown)
		}
	}
	login := f.follow(t, s)
	wantARN := "arn:aws:sts::" + acct + ":assumed-role/role101/awsrun-tester"
	if login.ARN != wantARN || s.Identity != roleARN {
		t.Errorf("signed in as %s (said %s), want %s", login.ARN, s.Identity, wantARN)
	}
	// The MFA session makes the role hop role chaining: no SessionDuration.
	calls := f.fed.Calls()
	if calls[0].SessionDuration != "" || s.SessionDuration != 0 {
		t.Errorf("SessionDuration %q sent for a chained role", calls[0].SessionDuration)
	}
	if f.prompts.Load() != 1 {
		t.Errorf("prompted %d times, want 1", f.prompts.Load())
	}
	for _, l := range log {
		if strings.Contains(l, q.Get("SigninToken")) {
			t.Errorf("-v shows the token: %q", l)
		}
	}

	// Warm: the cached role, no prompt, no STS call.
	f.srv.ResetCalls()
	s2, err := f.signin(t, f.resolver(store), "role101", ConsoleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.srv.Calls()); n != 0 || f.prompts.Load() != 1 {
		t.Errorf("warm sign-in made %d STS calls and %d prompts in all, want 0 and 1", n, f.prompts.Load())
	}
	if got := f.follow(t, s2); got.ARN != wantARN || got.AccessKeyID != login.AccessKeyID {
		t.Errorf("warm sign-in as %s with %s, want the cached role %s", got.ARN, got.AccessKeyID, login.AccessKeyID)
	}
}

func TestConsoleSigninDirectRoleAsksSessionDuration(t *testing.T) {
	f := newConsoleFixture(t, "[profile direct]\nrole_arn = "+roleARN+"\nsource_profile = user101\nduration_seconds = 7200\n")
	f.srv.SetRolePolicy(roleARN, ststest.RolePolicy{Principals: []string{userARN}, MaxSessionDuration: 4 * time.Hour})
	s, err := f.signin(t, f.resolver(nil), "direct", ConsoleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.SessionDuration != 2*time.Hour || f.fed.Calls()[0].SessionDuration != "7200" {
		t.Errorf("SessionDuration %s / %q, want 2h", s.SessionDuration, f.fed.Calls()[0].SessionDuration)
	}
	if left := f.follow(t, s).Expires.Sub(f.srv.Now()); left < 119*time.Minute || left > 2*time.Hour {
		t.Errorf("console session ends in %s, want 2h", left)
	}
}

func TestConsoleSigninWithoutRoleIsFederatedUser(t *testing.T) {
	f := newConsoleFixture(t, "[profile user101]\nregion = us-east-1\n")
	var notes []string
	r := f.resolver(nil)
	r.Note = func(format string, args ...any) { notes = append(notes, format) }
	s, err := f.signin(t, r, "user101", ConsoleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	calls := f.srv.Calls()
	if len(calls) != 1 || calls[0].Action != "GetFederationToken" || calls[0].Policy != allowAllPolicy || calls[0].AccessKeyID != f.user.AccessKeyID || calls[0].Name != "awsrun-tester" {
		t.Fatalf("STS calls %+v, want one GetFederationToken with the keys and the allow-all policy", calls)
	}
	want := "arn:aws:sts::" + acct + ":federated-user/awsrun-tester"
	if login := f.follow(t, s); login.ARN != want || s.Identity != want {
		t.Errorf("signed in as %s (said %s), want %s", login.ARN, s.Identity, want)
	}
	if f.fed.Calls()[0].SessionDuration != "" {
		t.Error("SessionDuration sent with GetFederationToken credentials")
	}
	if f.prompts.Load() != 0 || len(notes) != 0 {
		t.Errorf("%d prompts, notes %q; want none without mfa_serial", f.prompts.Load(), notes)
	}
}

func TestConsoleSigninFederationTokenDenied(t *testing.T) {
	f := newConsoleFixture(t, "[profile user101]\n")
	f.srv.InjectFault(ststest.Fault{Action: "GetFederationToken", Code: "AccessDenied"})
	_, err := f.signin(t, f.resolver(nil), "user101", ConsoleOptions{})
	var se *STSError
	if !errors.As(err, &se) || se.Op != "GetFederationToken" || !strings.Contains(se.Hint(), "sts:GetFederationToken") {
		t.Fatalf("error %v, want a GetFederationToken STSError whose hint names the permission", err)
	}
	if len(f.fed.Calls()) != 0 {
		t.Error("the federation endpoint was called after STS refused")
	}
}

// hostRecorder sends every request to the fake, recording the host asked.
type hostRecorder struct {
	to    *url.URL
	mu    sync.Mutex
	hosts []string
}

func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, req.URL.Scheme+"://"+req.URL.Host)
	h.mu.Unlock()
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = h.to.Scheme, h.to.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}

func TestConsoleSigninPartitions(t *testing.T) {
	tests := []struct {
		partition, region, signin, console string
	}{
		{"aws", "eu-west-1", "https://signin.aws.amazon.com", "https://console.aws.amazon.com/console/home?region=eu-west-1"},
		{"aws-us-gov", "us-gov-west-1", "https://signin.amazonaws-us-gov.com", "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"},
		{"aws-cn", "cn-north-1", "https://signin.amazonaws.cn", "https://console.amazonaws.cn/console/home?region=cn-north-1"},
	}
	for _, tt := range tests {
		t.Run(tt.partition, func(t *testing.T) {
			user := "arn:" + tt.partition + ":iam::" + acct + ":user/u"
			role := "arn:" + tt.partition + ":iam::" + acct + ":role/r"
			f := newConsoleFixture(t, "[profile r]\nrole_arn = "+role+"\nsource_profile = u\nregion = "+tt.region+"\n")
			u := f.srv.AddUser(user)
			f.srv.AddRole(role, ststest.RolePolicy{Principals: []string{user}})
			f.write(t, "[profile r]\nrole_arn = "+role+"\nsource_profile = u\nregion = "+tt.region+"\n",
				"[u]\naws_access_key_id = "+u.AccessKeyID+"\naws_secret_access_key = "+u.SecretAccessKey+"\n")
			to, _ := url.Parse(f.fed.URL)
			rec := &hostRecorder{to: to}
			s, err := f.signin(t, f.resolver(nil), "r", ConsoleOptions{HTTP: &http.Client{Transport: rec}})
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.hosts) != 1 || rec.hosts[0] != tt.signin {
				t.Errorf("getSigninToken went to %v, want %s", rec.hosts, tt.signin)
			}
			if !strings.HasPrefix(s.URL, tt.signin+"/federation?") {
				t.Errorf("login URL is not at %s", tt.signin)
			}
			u2, _ := url.Parse(s.URL)
			if got := u2.Query().Get("Destination"); got != tt.console {
				t.Errorf("Destination = %s, want %s", got, tt.console)
			}
			if f.fed.Calls()[0].Status != 200 {
				t.Errorf("the fake refused the %s role's session", tt.partition)
			}
		})
	}
}

func TestConsoleSigninErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte("<html><h1>HTTP Status 400 - Invalid credentials parameter</h1> echo: " + r.URL.RawQuery + "</html>"))
	}))
	defer refusing.Close()
	noToken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"Other":"x"}`)) }))
	defer noToken.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer failing.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/?"+r.URL.RawQuery, http.StatusFound)
	}))
	defer redirecting.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()

	tests := []struct {
		name     string
		config   string
		endpoint string
		timeout  time.Duration // the resolver's STS deadline, as AWSRUN_STS_TIMEOUT sets it
		want     string        // in the error
		status   int
		sts      bool // STS is called before the failure
	}{
		{name: "ISO partition", config: "[profile iso]\nrole_arn = arn:aws-iso:iam::" + acct + ":role/r\nsource_profile = user101\n", want: "no console sign-in for partition aws-iso"},
		{name: "endpoint not https", config: role101, endpoint: "http://signin.example.com", want: "plain HTTP"},
		{name: "unreachable endpoint", config: role101, endpoint: closed.URL, want: "getSigninToken at " + closed.URL, sts: true},
		{name: "error page", config: role101, endpoint: refusing.URL, want: "HTTP 400 Bad Request", status: 400, sts: true},
		{name: "endpoint failing", config: role101, endpoint: failing.URL, want: "failed: HTTP 503 Service Unavailable", status: 503, sts: true},
		{name: "endpoint redirecting", config: role101, endpoint: redirecting.URL, want: "answered HTTP 302 Found, not a sign-in token", status: 302, sts: true},
		{name: "no token in the answer", config: role101, endpoint: noToken.URL, want: "holds no sign-in token", sts: true},
		{name: "deadline", config: role101, endpoint: slow.URL, timeout: time.Second, want: "no answer from the sign-in endpoint " + slow.URL + " within 1s", sts: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newConsoleFixture(t, tt.config)
			r := f.resolver(nil)
			r.STSTimeout = tt.timeout
			profile := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(tt.config, "\n", 2)[0], "[profile "), "]")
			_, err := f.signin(t, r, profile, ConsoleOptions{Endpoint: tt.endpoint})
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Fix == "" || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v (hint %q), want a ConfigError with a hint containing %q", err, hintOf(ce), tt.want)
			}
			if !strings.Contains(err.Error(), "profile "+profile) {
				t.Errorf("error %q does not name the profile", err)
			}
			var se *SigninError
			if tt.status != 0 && (!errors.As(err, &se) || se.Status != tt.status) {
				t.Errorf("error %v, want a SigninError with status %d", err, tt.status)
			}
			if strings.Contains(err.Error(), "Session") || strings.Contains(err.Error(), "sessionKey") || strings.Contains(err.Error(), "ASIA") {
				t.Errorf("error %q shows the session sent", err)
			}
			if got := len(f.srv.Calls()) > 0; got != tt.sts {
				t.Errorf("STS called: %t, want %t", got, tt.sts)
			}
		})
	}
}

func hintOf(ce *ConfigError) string {
	if ce == nil {
		return ""
	}
	return ce.Fix
}
