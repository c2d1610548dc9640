package creds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/internal/testworld"
)

const (
	acct    = testworld.Account
	userARN = testworld.UserARN
	serial  = testworld.Serial
	roleARN = testworld.RoleARN
)

// fixture is a fake STS with the seeds' user101 (with an MFA device) and
// role101 (which demands MFA), and a config pointing at them.
type fixture struct {
	srv     *ststest.Server
	user    *ststest.User
	dev     *ststest.MFADevice
	prompts atomic.Int32
	home    string
}

func newFixture(t *testing.T, config string) *fixture {
	t.Helper()
	w := testworld.New(t, testworld.Options{Config: config})
	f := &fixture{srv: w.Srv, user: w.User, dev: w.Dev}
	// In process: the files go where the test's environment points.
	f.write(t, config, w.Credentials())
	return f
}

// write replaces the config files, in a new HOME pointed at the fake STS.
func (f *fixture) write(t *testing.T, config, credentials string) {
	t.Helper()
	cfgFile, _ := writeFiles(t, config, credentials)
	f.home = filepath.Dir(filepath.Dir(cfgFile))
	t.Setenv("AWS_ENDPOINT_URL_STS", f.srv.URL)
}

// prompt plays the person at the terminal: it types the device's code.
func (f *fixture) prompt(ctx context.Context, s string) (string, error) {
	f.prompts.Add(1)
	return f.dev.Code(f.srv.Now()), nil
}

func (f *fixture) resolver(store Store) *Resolver {
	return &Resolver{Cache: store, Prompt: f.prompt, Note: func(string, ...any) {}}
}

func (f *fixture) retrieve(t *testing.T, r *Resolver, profile string, o LoadOptions) (Credentials, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := LoadChain(ctx, profile, o)
	if err != nil {
		t.Fatalf("LoadChain(%s): %v", profile, err)
	}
	return r.Retrieve(ctx, c)
}

// callerARN asks the fake STS who the credentials are, as the child would.
func (f *fixture) callerARN(t *testing.T, c Credentials) string {
	t.Helper()
	return f.callerARNIn(t, c, "us-east-1")
}

// callerARNIn signs for region: credentials of one partition are unknown
// in another.
func (f *fixture) callerARNIn(t *testing.T, c Credentials, region string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := sts.New(sts.Options{Region: region, BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)})
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return aws.ToString(out.Arn)
}

// actions lists the credential calls the fake saw, with whether each
// carried an MFA code.
func (f *fixture) actions() []string {
	var out []string
	for _, c := range f.srv.Calls() {
		if c.Action == "GetCallerIdentity" {
			continue
		}
		a := c.Action
		if c.TokenCode != "" {
			a += "+MFA"
		}
		if c.ErrorCode != "" {
			a += "=" + c.ErrorCode
		}
		out = append(out, a)
	}
	return out
}

func (f *fixture) openCache(t *testing.T) *cache.Store {
	t.Helper()
	s, err := cache.Open(cache.Options{Dir: filepath.Join(f.home, ".cache", "awsrun"), KeyDir: filepath.Join(f.home, ".config", "awsrun"), KeyStore: "file"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const role101 = `[profile role101]
role_arn = ` + roleARN + `
source_profile = user101
mfa_serial = ` + serial + `
`

func TestMFASessionThenAssumeRole(t *testing.T) {
	f := newFixture(t, role101)
	c, err := f.retrieve(t, f.resolver(nil), "role101", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "GetSessionToken+MFA AssumeRole"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
	if !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.SessionToken == "" {
		t.Errorf("credentials %v are not temporary", c)
	}
	if got, want := f.callerARN(t, c), "arn:aws:sts::"+acct+":assumed-role/role101/awsrun-tester"; got != want {
		t.Errorf("caller = %s, want %s", got, want)
	}
	if left := c.TimeLeft(time.Now()); left < 55*time.Minute || left > time.Hour {
		t.Errorf("time left %s, want about 1h", left)
	}
	if n := f.prompts.Load(); n != 1 {
		t.Errorf("prompted %d times, want 1", n)
	}
}

func TestLongRoleDurationGoesDirectWithMFA(t *testing.T) {
	f := newFixture(t, role101)
	f.srv.SetRolePolicy(roleARN, ststest.RolePolicy{Principals: []string{userARN}, RequireMFA: true, MaxSessionDuration: 4 * time.Hour})
	c, err := f.retrieve(t, f.resolver(nil), "role101", LoadOptions{Duration: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "AssumeRole+MFA"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
	calls := f.srv.Calls()
	if calls[0].DurationSeconds != 7200 || calls[0].AccessKeyID != f.user.AccessKeyID || calls[0].SerialNumber != serial {
		t.Errorf("AssumeRole call = %+v, want 7200s from the user's key with %s", calls[0], serial)
	}
	if left := c.TimeLeft(time.Now()); left < 115*time.Minute {
		t.Errorf("time left %s, want about 2h", left)
	}
}

func TestRoleToRoleChainClampsToOneHour(t *testing.T) {
	f := newFixture(t, role101+`[profile deploy]
role_arn = arn:aws:iam::210987654321:role/deploy
source_profile = role101
duration_seconds = 7200
`)
	f.srv.AddRole("arn:aws:iam::210987654321:role/deploy", ststest.RolePolicy{Principals: []string{roleARN}, MaxSessionDuration: 4 * time.Hour})
	var log []string
	r := f.resolver(nil)
	r.Log = func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }
	c, err := f.retrieve(t, r, "deploy", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "GetSessionToken+MFA AssumeRole AssumeRole"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
	if got := f.callerARN(t, c); got != "arn:aws:sts::210987654321:assumed-role/deploy/awsrun-tester" {
		t.Errorf("caller = %s, want the deploy role", got)
	}
	if calls := f.srv.Calls(); calls[2].DurationSeconds != 3600 {
		t.Errorf("second hop asked %ds, want 3600 (role chaining cap)", calls[2].DurationSeconds)
	}
	if !strings.Contains(strings.Join(log, "\n"), "role chaining caps") {
		t.Errorf("-v log does not mention the 1h clamp:\n%s", strings.Join(log, "\n"))
	}
	if n := f.prompts.Load(); n != 1 {
		t.Errorf("prompted %d times, want 1", n)
	}
}

// temporarySource is a credentials file whose [sess] holds temporary
// credentials, as a SAML or SSO tool writes them: a session of user101
// made without MFA.
func (f *fixture) temporarySource(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(f.user.AccessKeyID, f.user.SecretAccessKey, "")})
	out, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("[sess]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n",
		*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
}

func TestTemporarySourceSendsCodeOnFirstHop(t *testing.T) {
	f := newFixture(t, "")
	f.write(t, role101+"[profile tmp]\nrole_arn = "+roleARN+"\nsource_profile = sess\nmfa_serial = "+serial+"\n", f.temporarySource(t))
	f.srv.ResetCalls()
	c, err := f.retrieve(t, f.resolver(nil), "tmp", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "AssumeRole+MFA"; got != want {
		t.Errorf("STS calls = %s, want %s (no GetSessionToken from temporary credentials)", got, want)
	}
	if got := f.callerARN(t, c); !strings.Contains(got, ":assumed-role/role101/") {
		t.Errorf("caller = %s", got)
	}
}

func TestWrongCodeIsAccessDeniedAndNotCached(t *testing.T) {
	f := newFixture(t, role101)
	store := f.openCache(t)
	r := f.resolver(store)
	r.MFACode = "000000"
	if f.dev.Code(f.srv.Now()) == "000000" {
		t.Skip("the device shows 000000 right now")
	}
	_, err := f.retrieve(t, r, "role101", LoadOptions{})
	var se *STSError
	if !errors.As(err, &se) || se.Code() != "AccessDenied" {
		t.Fatalf("error = %v, want an AccessDenied *STSError", err)
	}
	for _, want := range []string{"profile user101", serial, "GetSessionToken", "AccessDenied: MultiFactorAuthentication failed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if !strings.Contains(se.Hint(), "code") {
		t.Errorf("hint = %q", se.Hint())
	}
	entries, _ := store.List()
	for _, e := range entries {
		if e.Entry.Kind != "mfa-code" {
			t.Errorf("cached after a failure: %s %s", e.Entry.Kind, e.Entry.Label)
		}
	}
}

func TestFiveDigitCodeNeverReachesSTS(t *testing.T) {
	f := newFixture(t, role101)
	r := f.resolver(nil)
	r.MFACode = "12345"
	_, err := f.retrieve(t, r, "role101", LoadOptions{})
	var me *MFAError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "not 6 digits") {
		t.Fatalf("error = %v, want an *MFAError about 6 digits", err)
	}
	if n := len(f.srv.Calls()); n != 0 {
		t.Errorf("STS saw %d calls, want none", n)
	}
}

func TestNoTerminalFailsAtOnceWithHint(t *testing.T) {
	f := newFixture(t, role101)
	r := f.resolver(nil)
	r.Prompt = func(context.Context, string) (string, error) { return "", ErrNoTerminal }
	_, err := f.retrieve(t, r, "role101", LoadOptions{})
	var me *MFAError
	if !errors.As(err, &me) || !errors.Is(err, ErrNoTerminal) {
		t.Fatalf("error = %v, want ErrNoTerminal in an *MFAError", err)
	}
	if !strings.Contains(me.Hint(), "--mfa-code") || !strings.Contains(me.Hint(), "mfa_process") {
		t.Errorf("hint %q names neither --mfa-code nor mfa_process", me.Hint())
	}
	if n := len(f.srv.Calls()); n != 0 {
		t.Errorf("STS saw %d calls, want none", n)
	}
}

// TestRefusedCodeHintNamesItsSource: a code STS refuses is checked where
// it came from, which the hint names.
func TestRefusedCodeHintNamesItsSource(t *testing.T) {
	f := newFixture(t, "")
	if f.dev.Code(f.srv.Now()) == "000000" {
		t.Skip("the device shows 000000 right now")
	}
	for _, c := range []struct {
		name, process, flag, from, want string
	}{
		{"mfa_process", "echo 000000", "", "", "check that mfa_process prints the code"},
		{"AWSRUN_MFA_CODE", "", "000000", "AWSRUN_MFA_CODE", "give AWSRUN_MFA_CODE the code"},
		{"the terminal", "", "", "", "type the code"},
	} {
		t.Run(c.name, func(t *testing.T) {
			config := role101
			if c.process != "" {
				config += "mfa_process = " + c.process + "\n"
			}
			f.write(t, config, fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n", f.user.AccessKeyID, f.user.SecretAccessKey))
			r := f.resolver(nil)
			r.MFACode, r.MFACodeFrom = c.flag, c.from
			r.Prompt = func(context.Context, string) (string, error) { return "000000", nil }
			_, err := f.retrieve(t, r, "role101", LoadOptions{})
			var se *STSError
			if !errors.As(err, &se) || se.Code() != "AccessDenied" {
				t.Fatalf("error = %v, want an AccessDenied *STSError", err)
			}
			if h := se.Hint(); !strings.Contains(h, c.want) || !strings.Contains(h, serial) {
				t.Errorf("hint = %q, want %q and the device", h, c.want)
			}
		})
	}
}

func TestMFAProcessSuppliesTheCode(t *testing.T) {
	f := newFixture(t, "")
	codeFile := filepath.Join(f.home, "code")
	if err := os.WriteFile(codeFile, []byte(f.dev.Code(f.srv.Now())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.write(t, role101+"mfa_process = cat '"+codeFile+"'\n",
		fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n", f.user.AccessKeyID, f.user.SecretAccessKey))
	r := f.resolver(nil)
	r.Prompt = func(context.Context, string) (string, error) {
		t.Error("prompted despite mfa_process")
		return "", ErrNoTerminal
	}
	if _, err := f.retrieve(t, r, "role101", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "GetSessionToken+MFA AssumeRole"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
}

func TestMFAAgeDeniedThenRetriedWithNewCode(t *testing.T) {
	f := newFixture(t, role101+"[profile strict]\nrole_arn = arn:aws:iam::"+acct+":role/strict\nsource_profile = user101\nmfa_serial = "+serial+"\n")
	f.srv.AddRole("arn:aws:iam::"+acct+":role/strict", ststest.RolePolicy{Principals: []string{userARN}, RequireMFA: true, MaxMFAAge: time.Hour})
	store := f.openCache(t)
	// The MFA session is made now, through role101 …
	if _, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	// … and is two hours old when "strict" wants MFA no older than one.
	f.srv.SetClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	f.srv.ResetCalls()
	c, err := f.retrieve(t, f.resolver(store), "strict", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.actions(), " "), "AssumeRole=AccessDenied AssumeRole+MFA"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
	if got := f.callerARN(t, c); !strings.Contains(got, ":assumed-role/strict/") {
		t.Errorf("caller = %s", got)
	}
}

func TestSTSUnreachableNamesTheEndpoint(t *testing.T) {
	f := newFixture(t, role101)
	t.Setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1")
	_, err := f.retrieve(t, f.resolver(nil), "role101", LoadOptions{})
	var se *STSError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want an *STSError", err)
	}
	for _, want := range []string{"cannot reach STS at http://127.0.0.1:1", "connection refused", "profile user101"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if se.Hint() == "" {
		t.Error("no hint")
	}
}

func TestGovCloudPartition(t *testing.T) {
	const (
		govUser   = "arn:aws-us-gov:iam::" + acct + ":user/gov"
		govSerial = "arn:aws-us-gov:iam::" + acct + ":mfa/gov"
		govRole   = "arn:aws-us-gov:iam::" + acct + ":role/govrole"
	)
	f := newFixture(t, "")
	u := f.srv.AddUser(govUser)
	f.dev = f.srv.AddMFADevice(govSerial, u)
	f.srv.AddRole(govRole, ststest.RolePolicy{Principals: []string{govUser}, RequireMFA: true})
	f.write(t, "[profile gov]\nrole_arn = "+govRole+"\nsource_profile = govuser\nmfa_serial = "+govSerial+"\n",
		fmt.Sprintf("[govuser]\naws_access_key_id = %s\naws_secret_access_key = %s\n", u.AccessKeyID, u.SecretAccessKey))
	c, err := f.retrieve(t, f.resolver(nil), "gov", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range f.srv.Calls() {
		if call.Action != "GetCallerIdentity" && call.Region != "us-gov-west-1" {
			t.Errorf("%s signed for region %q, want us-gov-west-1", call.Action, call.Region)
		}
	}
	if got := f.callerARNIn(t, c, "us-gov-west-1"); !strings.HasPrefix(got, "arn:aws-us-gov:sts::") {
		t.Errorf("caller = %s, want a GovCloud ARN", got)
	}
}

func TestPlainUserProfileGetsSessionNotKeys(t *testing.T) {
	f := newFixture(t, "[profile user101]\nmfa_serial = "+serial+"\n")
	c, err := f.retrieve(t, f.resolver(nil), "user101", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID == f.user.AccessKeyID || !c.Temporary() {
		t.Errorf("got the long-term key, want an MFA session")
	}
	if got, want := strings.Join(f.actions(), " "), "GetSessionToken+MFA"; got != want {
		t.Errorf("STS calls = %s, want %s", got, want)
	}
}

// TestDeniedRoleRetriesOnlyWhenTheMFAAgeCanBeWhy: a role whose trust policy
// does not name the user is denied. With an MFA session made in this run,
// the MFA age cannot be the reason: one code, one denial, no retry. With
// a session from the cache it can be, and the one retry says why, without
// -v.
func TestDeniedRoleRetriesOnlyWhenTheMFAAgeCanBeWhy(t *testing.T) {
	const closed = "arn:aws:iam::" + acct + ":role/closed"
	f := newFixture(t, role101+"[profile closed]\nrole_arn = "+closed+"\nsource_profile = user101\nmfa_serial = "+serial+"\n")
	f.srv.AddRole(closed, ststest.RolePolicy{Principals: []string{"arn:aws:iam::" + acct + ":user/someone-else"}, RequireMFA: true})
	store := f.openCache(t)
	var notes []string
	r := f.resolver(store)
	r.Note = func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }

	_, err := f.retrieve(t, r, "closed", LoadOptions{})
	var se *STSError
	if !errors.As(err, &se) || se.Code() != "AccessDenied" {
		t.Fatalf("error = %v, want AccessDenied", err)
	}
	if got, want := strings.Join(f.actions(), " "), "GetSessionToken+MFA AssumeRole=AccessDenied"; got != want || f.prompts.Load() != 1 {
		t.Errorf("new session: STS calls = %s (want %s), %d codes asked (want 1)", got, want, f.prompts.Load())
	}

	// Half a minute on, with the session now from the cache.
	f.srv.SetClock(func() time.Time { return time.Now().Add(codeStep) })
	f.srv.ResetCalls()
	f.prompts.Store(0)
	if _, err := f.retrieve(t, r, "closed", LoadOptions{}); err == nil {
		t.Fatal("the closed role was assumed")
	}
	if got, want := strings.Join(f.actions(), " "), "AssumeRole=AccessDenied AssumeRole+MFA=AccessDenied"; got != want || f.prompts.Load() != 1 {
		t.Errorf("cached session: STS calls = %s (want %s), %d codes asked (want 1)", got, want, f.prompts.Load())
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "closed: AssumeRole of "+closed+" with the MFA session of user101") || !strings.Contains(notes[0], "more recent MFA") {
		t.Errorf("notes = %q, want one that says why a new code is asked", notes)
	}
}

// TestTwoStepsOfOneDeviceNeverSendTheSameCode: two runs of one device on
// different steps — the MFA session of role101, and the 2h role "long"
// assumed straight from the keys — each hold their own step's lock. Both
// read the device's current code at once (as two mfa_process runs would);
// the device's lock makes the second wait until STS has answered the
// first, find that code used, and send the next one.
func TestTwoStepsOfOneDeviceNeverSendTheSameCode(t *testing.T) {
	const long = "arn:aws:iam::" + acct + ":role/long"
	f := newFixture(t, role101+"[profile long]\nrole_arn = "+long+"\nsource_profile = user101\nmfa_serial = "+serial+"\nduration_seconds = 7200\n")
	f.srv.AddRole(long, ststest.RolePolicy{Principals: []string{userARN}, RequireMFA: true, MaxSessionDuration: 4 * time.Hour})
	var (
		mu     sync.Mutex
		offset time.Duration // how far the person waited for the device
	)
	base := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return base.Add(offset) }
	f.srv.SetClock(now)
	resolver := func() *Resolver {
		r := f.resolver(f.openCache(t))
		r.Prompt = func(ctx context.Context, _ string) (string, error) {
			// A person takes a moment to type: time enough for two runs
			// that do not wait for each other to read the same code.
			select {
			case <-time.After(500 * time.Millisecond):
			case <-ctx.Done():
			}
			return f.dev.Code(now()), nil
		}
		// Told the code was just used, the person waits for the next one.
		r.Say = func(string) { mu.Lock(); offset += codeStep; mu.Unlock() }
		return r
	}
	errs := make(chan error, 2)
	for _, p := range []string{"role101", "long"} {
		r := resolver()
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c, err := LoadChain(ctx, p, LoadOptions{})
			if err == nil {
				_, err = r.Retrieve(ctx, c)
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	codes := map[string]bool{}
	for _, c := range f.srv.Calls() {
		if c.ErrorCode != "" {
			t.Errorf("STS refused %s: %s", c.Action, c.ErrorCode)
		}
		if c.TokenCode != "" {
			if codes[c.TokenCode] {
				t.Errorf("code sent twice, by %s", c.Action)
			}
			codes[c.TokenCode] = true
		}
	}
	if len(codes) != 2 {
		t.Errorf("%d codes sent, want 2 (STS calls %s)", len(codes), f.actions())
	}
}
