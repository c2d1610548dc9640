package main

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

// withFederation gives the world a fake federation endpoint.
func (w *world) withFederation(t *testing.T) *ststest.Federation {
	t.Helper()
	f := w.srv.NewFederation()
	t.Cleanup(f.Close)
	w.env = append(w.env, "AWSRUN_FEDERATION_ENDPOINT="+f.URL)
	return f
}

func follow(t *testing.T, f *ststest.Federation, loginURL string) ststest.ConsoleLogin {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	login, err := f.Follow(ctx, strings.TrimSpace(loginURL))
	if err != nil {
		t.Fatalf("following the login URL: %v", err)
	}
	return login
}

// signinToken is the token in a login URL.
func signinToken(t *testing.T, loginURL string) string {
	t.Helper()
	u, err := url.Parse(strings.TrimSpace(loginURL))
	if err != nil || u.Query().Get("SigninToken") == "" {
		t.Fatalf("%q is not a login URL: %v", loginURL, err)
	}
	return u.Query().Get("SigninToken")
}

const role101ARN = "arn:aws:sts::" + acct + ":assumed-role/role101/awsrun-tester"

// TestConsoleURLFromAWarmCache is the console after a run: the cached role
// signs in, with no code and no STS call, through the launcher.
func TestConsoleURLFromAWarmCache(t *testing.T) {
	w := newWorld(t, "")
	f := w.withFederation(t)
	if r := w.run(t, "-p", "role101", "-t", w.code(), "--", "true"); r.code != 0 {
		t.Fatalf("cold run: exit %d: %s", r.code, r.stderr)
	}
	w.srv.ResetCalls()
	r := w.run(t, "-p", "role101", "-v", "--console-url")
	if r.code != 0 {
		t.Fatalf("--console-url: exit %d: %s", r.code, r.stderr)
	}
	if n := len(w.srv.Calls()); n != 0 {
		t.Errorf("a warm --console-url made %d STS calls: %+v", n, w.srv.Calls())
	}
	token := signinToken(t, r.stdout)
	if strings.Contains(r.stderr, token) || strings.Contains(r.stderr, "SigninToken") || strings.Contains(r.stderr, "federation?") {
		t.Errorf("stderr shows the token or the URL: %s", r.stderr)
	}
	if !regexp.MustCompile(`console session until \d\d:\d\d [A-Z+-]`).MatchString(r.stderr) {
		t.Errorf("-v does not write the console session's end as 15:04 MST: %s", r.stderr)
	}
	if !strings.Contains(r.stderr, "got a sign-in token") {
		t.Errorf("-v does not say a token was obtained: %s", r.stderr)
	}
	if !strings.HasPrefix(r.stdout, f.URL+"/federation?") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("stdout %q is not one login URL at the endpoint", r.stdout)
	}
	u, _ := url.Parse(strings.TrimSpace(r.stdout))
	if got, want := u.Query().Get("Destination"), "https://console.aws.amazon.com/console/home?region=eu-west-1"; got != want {
		t.Errorf("Destination = %s, want %s", got, want)
	}
	if login := follow(t, f, r.stdout); login.ARN != role101ARN {
		t.Errorf("the URL signs in as %s, want %s", login.ARN, role101ARN)
	}
	// The launcher must not serve a warm hit for a console flag.
	if r := w.run(t, "-p", "role101", "--console-url", "--", "true"); r.code != 125 || !strings.Contains(r.stderr, "run no command") {
		t.Errorf("--console-url with a command: exit %d, stderr %q; want 125", r.code, r.stderr)
	}
}

// browserStub is a $BROWSER that writes its arguments, one a line, to a
// file, and the file's path. It also keeps what it was given to read: the
// page a file:// argument names (page), and the resolving marker of its
// environment (env), which it must not have.
func (w *world) browserStub(t *testing.T) (cmd, record string) {
	t.Helper()
	record = filepath.Join(w.home, "browser.args")
	cmd = w.write(t, "bin/browser", "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '"+record+"'\n"+
		"for a in \"$@\"; do case $a in file://*) cat \"${a#file://}\" > '"+record+".page';; esac; done\n"+
		"printf '%s' \"${AWSRUN_RESOLVING-unset}\" > '"+record+".env'\n")
	if err := os.Chmod(cmd, 0o755); err != nil {
		t.Fatal(err)
	}
	return cmd, record
}

// pageTarget is where the sign-in page the browser read sends it.
func pageTarget(t *testing.T, record string) string {
	t.Helper()
	b, err := os.ReadFile(record + ".page")
	if err != nil {
		t.Fatalf("the browser read no page: %v", err)
	}
	m := regexp.MustCompile(`http-equiv="refresh" content="0;url=([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("the page sends the browser nowhere: %s", b)
	}
	return html.UnescapeString(string(m[1]))
}

func TestConsoleOpensTheBrowser(t *testing.T) {
	w := newWorld(t, "")
	f := w.withFederation(t)
	stub, record := w.browserStub(t)
	tests := []struct {
		name, browser string
		wantArgs      func(loginURL string) []string
	}{
		{"URL appended", stub, func(u string) []string { return []string{u} }},
		{"URL in place of %s", stub + " --new-tab %s", func(u string) []string { return []string{"--new-tab", u} }},
		{"first that works", "/nonexistent/browser:" + stub, func(u string) []string { return []string{u} }},
	}
	runtimeDir := t.TempDir()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(record)
			args := []string{"-p", "role101", "--console", "--console-service", "ec2"}
			pages := filepath.Join(w.home, ".cache", "awsrun-signin")
			env := w.env
			w.env = append(append([]string{}, w.env...), "BROWSER="+tt.browser)
			switch i {
			case 0:
				args = append(args, "-t", w.code())
			case 1:
				pages = filepath.Join(runtimeDir, "awsrun")
				w.env = append(w.env, "XDG_RUNTIME_DIR="+runtimeDir)
			case 2:
				args = append(args, "-v") // -v says more, never the URL
				// A runtime directory that is not there is passed over.
				w.env = append(w.env, "XDG_RUNTIME_DIR="+filepath.Join(w.home, "no-runtime-dir"))
				// A page an awsrun killed while waiting left behind.
				stale := filepath.Join(pages, "signin-0123.html")
				if err := os.WriteFile(stale, []byte("token"), 0o600); err != nil {
					t.Fatal(err)
				}
				old := time.Now().Add(-time.Hour)
				os.Chtimes(stale, old, old)
			}
			defer func() { w.env = env }()
			r := w.run(t, args...)
			if r.code != 0 {
				t.Fatalf("--console: exit %d: %s", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			b, err := os.ReadFile(record)
			if err != nil {
				t.Fatalf("the browser was not run: %v", err)
			}
			got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			pageURL := got[len(got)-1]
			if want := tt.wantArgs(pageURL); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("browser got %q, want %q", got, want)
			}
			// Any local user reads a process's arguments: the browser's
			// hold no token, only a page of the user's own.
			if strings.Contains(string(b), "SigninToken") || strings.Contains(string(b), "federation") {
				t.Errorf("the browser's arguments hold the sign-in URL: %q", got)
			}
			if !strings.HasPrefix(pageURL, "file://"+pages+"/") {
				t.Errorf("browser given %q, want a page in %s", pageURL, pages)
			}
			if fi, err := os.Stat(pages); err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("page directory %s: %v, want mode 0700", pages, err)
			}
			if left, _ := filepath.Glob(filepath.Join(pages, "*")); len(left) != 0 {
				t.Errorf("pages left behind: %q", left)
			}
			if b, _ := os.ReadFile(record + ".env"); string(b) != "unset" {
				t.Errorf("the browser got AWSRUN_RESOLVING=%q", b)
			}
			loginURL := pageTarget(t, record)
			if strings.Contains(r.stderr, signinToken(t, loginURL)) {
				t.Errorf("stderr shows the token: %s", r.stderr)
			}
			if !strings.Contains(r.stderr, "opened the AWS console as "+roleARN) {
				t.Errorf("stderr %q does not say who the console is", r.stderr)
			}
			login := follow(t, f, loginURL)
			if login.ARN != role101ARN || !strings.HasPrefix(login.Destination, "https://console.aws.amazon.com/ec2/home") {
				t.Errorf("signed in as %s to %s", login.ARN, login.Destination)
			}
		})
	}
}

func TestConsoleBadInput(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte("<h1>HTTP Status 400 - Invalid credentials parameter</h1>"))
	}))
	defer refusing.Close()
	notFederation := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusMethodNotAllowed)
	}))
	defer notFederation.Close()

	tests := []struct {
		name    string
		config  string
		env     []string
		args    []string
		want    string // in the error line
		notHint string // not in the hint
	}{
		{name: "custom STS endpoint, no federation endpoint", env: []string{"AWSRUN_FEDERATION_ENDPOINT="}, args: []string{"-p", "role101", "--console-url"},
			want: "STS endpoint is http://127.0.0.1:", notHint: "--refresh"},
		{name: "not a federation endpoint", env: []string{"AWSRUN_FEDERATION_ENDPOINT=" + notFederation.URL}, args: []string{"-p", "role101", "--console-url"},
			want: "does not look like the sign-in federation endpoint", notHint: "--refresh"},
		{name: "no role and no keys", config: "[profile bare]\nregion = us-east-1\n", args: []string{"-p", "bare", "--console-url"},
			want: "profile bare"},
		{name: "unreachable endpoint", env: []string{"AWSRUN_FEDERATION_ENDPOINT=" + closed.URL}, args: []string{"-p", "role101", "--console-url"},
			want: "getSigninToken at " + closed.URL},
		{name: "error body", env: []string{"AWSRUN_FEDERATION_ENDPOINT=" + refusing.URL}, args: []string{"-p", "role101", "--console-url"},
			want: "refused the credentials: HTTP 400 Bad Request"},
		{name: "ISO partition", config: "[profile iso]\nrole_arn = arn:aws-iso:iam::" + acct + ":role/r\nsource_profile = user101\n", args: []string{"-p", "iso", "--console-url"},
			want: "no console sign-in for partition aws-iso"},
		{name: "plain HTTP endpoint", env: []string{"AWSRUN_FEDERATION_ENDPOINT=http://signin.example.com"}, args: []string{"-p", "role101", "--console-url"},
			want: "plain HTTP"},
		{name: "no browser", env: []string{"BROWSER=/nonexistent/browser"}, args: []string{"-p", "role101", "--console"},
			want: "cannot open a browser"},
		{name: "cold cache, bad AWSRUN_STS_TIMEOUT is said before any code", env: []string{"AWSRUN_STS_TIMEOUT=soon"}, args: []string{"-p", "role101", "--console-url"},
			want: `AWSRUN_STS_TIMEOUT="soon" is not a duration`},
		{name: "cold cache, no code, no terminal", args: []string{"-p", "role101", "--console-url"},
			want: "no terminal"},
		{name: "service without console", args: []string{"-p", "role101", "--console-service", "s3", "--", "true"},
			want: "--console-service and --console-path go with --console or --console-url"},
		{name: "both pages", args: []string{"-p", "role101", "--console", "--console-service", "s3", "--console-path", "iam/home"},
			want: "pass one"},
		{name: "bad service", args: []string{"-p", "role101", "--console-url", "--console-service", "s3/../x"},
			want: "not a console service name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.config)
			w.withFederation(t)
			w.env = append(w.env, tt.env...)
			args := tt.args
			if tt.name != "no role and no keys" && tt.name != "ISO partition" && !strings.HasPrefix(tt.name, "cold cache") {
				args = append([]string{"-t", w.code()}, args...)
			}
			r := w.run(t, args...)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if r.code != 125 || len(lines) != 2 || !strings.HasPrefix(lines[0], "awsrun: error: ") || !strings.Contains(lines[0], tt.want) || !strings.HasPrefix(lines[1], "awsrun: hint: ") {
				t.Errorf("exit %d, stderr %q; want 125, an error with %q and a hint", r.code, r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if strings.HasPrefix(tt.name, "custom STS endpoint") && len(w.srv.Calls()) != 0 {
				t.Errorf("STS called %d times before the refusal", len(w.srv.Calls()))
			}
			if len(lines) == 2 && tt.notHint != "" && strings.Contains(lines[1], tt.notHint) {
				t.Errorf("hint %q, want none with %q", lines[1], tt.notHint)
			}
			if strings.Contains(r.stderr, "sessionKey") || strings.Contains(r.stderr, "SigninToken=") {
				t.Errorf("stderr shows the session: %s", r.stderr)
			}
		})
	}
}

func TestBrowserCommands(t *testing.T) {
	const u = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=x"
	tests := []struct {
		goos, browser string
		want          [][]string
	}{
		{"linux", "", [][]string{{"xdg-open", u}}},
		{"darwin", "", [][]string{{"open", u}}},
		{"windows", "", [][]string{{"rundll32", "url.dll,FileProtocolHandler", u}}},
		{"linux", "firefox --new-window %s:chromium", [][]string{{"firefox", "--new-window", u}, {"chromium", u}}},
		{"darwin", "open -a Safari", [][]string{{"open", "-a", "Safari", u}}},
		{"windows", `C:\browser.exe;edge %s`, [][]string{{`C:\browser.exe`, u}, {"edge", u}}},
		{"linux", " : ", nil},
	}
	for _, tt := range tests {
		var got [][]string
		for _, c := range browserCommands(map[string]string{"BROWSER": tt.browser}, tt.goos) {
			got = append(got, withURL(c, u))
		}
		if fmtCmds(got) != fmtCmds(tt.want) {
			t.Errorf("%s BROWSER=%q: %q, want %q", tt.goos, tt.browser, got, tt.want)
		}
	}
}

func fmtCmds(cmds [][]string) string {
	var b strings.Builder
	for _, c := range cmds {
		b.WriteString(strings.Join(c, "\x00") + "\n")
	}
	return b.String()
}
