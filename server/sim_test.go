package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/internal/testworld"
)

// compressedClock runs scale times faster than the real one, from a start
// time: hours pass in seconds for everything that reads it — the fake STS,
// the cache, the resolver and the server alike.
type compressedClock struct {
	mu          sync.Mutex
	base, start time.Time
	scale       float64
}

func (c *compressedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *compressedClock) nowLocked() time.Time {
	return c.base.Add(time.Duration(float64(time.Since(c.start)) * c.scale))
}

func (c *compressedClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.After(time.Duration(float64(d) / c.scale))
}

// setScale changes the speed from now on.
func (c *compressedClock) setScale(scale float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.start, c.scale = c.nowLocked(), time.Now(), scale
}

// real returns d of this clock in real time.
func (c *compressedClock) real(d time.Duration) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Duration(float64(d) / c.scale)
}

// simWorld is the seeds' user101 and role101 against a fake STS, all on a
// clock that runs in real time until speedUp.
type simWorld struct {
	clock           *compressedClock
	srv             *ststest.Server
	dev             *ststest.MFADevice
	home            string
	chain           *creds.Chain
	ctx             context.Context
	serial, roleARN string
}

func newSimWorld(t *testing.T) *simWorld {
	tw := testworld.New(t, testworld.Options{})
	w := &simWorld{
		serial:  tw.Dev.Serial,
		roleARN: tw.Role.ARN,
		// Real time for the code typed at the start: a TOTP code is good
		// for 30 seconds, which the compressed clock passes in milliseconds.
		clock: &compressedClock{base: time.Now(), start: time.Now(), scale: 1},
		srv:   tw.Srv,
		dev:   tw.Dev,
		home:  tw.Home,
		ctx:   testContext(t),
	}
	w.srv.SetClock(w.clock.Now)
	configFile := tw.Write(t, ".aws/config", tw.Profile("role101", "eu-west-1"))
	credsFile := tw.Path(".aws/credentials")
	for _, v := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_ENDPOINT_URL_STS", w.srv.URL)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	var err error
	w.chain, err = creds.LoadChain(w.ctx, "role101", creds.LoadOptions{ConfigFile: configFile, CredentialsFile: credsFile, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// store opens the world's cache as one awsrun process does.
func (w *simWorld) store(t *testing.T) *cache.Store {
	t.Helper()
	store, err := cache.Open(cache.Options{Dir: filepath.Join(w.home, "cache"), KeyDir: filepath.Join(w.home, "key"), KeyStore: "file", Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// TestSimulatedSixHourRun runs awsrun's refresh path for six hours of a
// 1h chained role, on a clock 1800 times faster: the real resolver, cache,
// locks and fake STS, and a child that reads the endpoint and calls STS
// with what it got every simulated half minute. It reports how many STS
// calls and codes the run made and when each refresh happened.
func TestSimulatedSixHourRun(t *testing.T) {
	const (
		run = 6 * time.Hour
		// slack is how far below the 15-minute lead the test lets a
		// refresh or an answer fall before it fails: the compressed clock
		// turns the machine's scheduling stalls into minutes.
		slack = DefaultLead - 5*time.Minute
	)
	w := newSimWorld(t)
	clock, srv, dev, chain, ctx := w.clock, w.srv, w.dev, w.chain, w.ctx
	store := w.store(t)
	prompts := 0
	r := &creds.Resolver{
		Cache: store, Now: clock.Now, Note: func(string, ...any) {},
		Prompt: func(context.Context, string) (string, error) {
			prompts++
			return dev.Code(srv.Now()), nil
		},
		CodeMinTTL: run, // --min-ttl 6h: the session must last the run
	}
	started := clock.Now()
	initial, err := r.Retrieve(ctx, chain)
	if err != nil {
		t.Fatal(err)
	}
	clock.setScale(1800)
	r.CodeMinTTL = 0
	r.Prompt = func(context.Context, string) (string, error) {
		t.Error("asked for a code while the command runs")
		return "", fmt.Errorf("no code while the command runs")
	}
	var mu sync.Mutex
	var said []string
	s := startServer(t, Config{
		Initial: initial, Clock: clock,
		Source: func(ctx context.Context, minLeft time.Duration) (creds.Credentials, error) {
			r.MinTTL = minLeft
			return r.Retrieve(ctx, chain)
		},
		Notify: func(msg string) { mu.Lock(); said = append(said, msg); mu.Unlock() },
	})

	// The child: reads the endpoint as an SDK does and calls STS with it.
	minLeft, requests, faultAt := time.Duration(1<<62), 0, started.Add(150*time.Minute)
	for clock.Now().Sub(started) < run {
		if !faultAt.IsZero() && clock.Now().After(faultAt) {
			// STS refuses twice, with an error the SDK does not retry (its
			// retries wait in real time: hours on this clock).
			srv.InjectFault(ststest.Fault{Action: "AssumeRole", Code: "ValidationError", Times: 2})
			faultAt = time.Time{}
		}
		asked := clock.Now()
		status, _, body := get(t, s.URL, []string{s.Token})
		var a answer
		if err := json.Unmarshal(body, &a); status != http.StatusOK || err != nil {
			t.Fatalf("at %s: status %d, body %s", clock.Now().Sub(started).Round(time.Second), status, body)
		}
		exp, err := time.Parse(time.RFC3339, a.Expiration)
		if err != nil {
			t.Fatal(err)
		}
		minLeft = min(minLeft, exp.Sub(asked))
		client := sts.New(sts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentialsProvider(a.AccessKeyID, a.SecretAccessKey, a.Token)})
		if _, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("at %s: the child's call failed: %v", clock.Now().Sub(started).Round(time.Second), err)
		}
		requests++
		time.Sleep(clock.real(30 * time.Second))
	}
	s.Close()

	var report []string
	var sessions, roles, failed, codes int
	var prevExpiry time.Time
	afterFailure := false
	for _, c := range srv.Calls() {
		if c.TokenCode != "" {
			codes++
		}
		switch {
		case c.ErrorCode != "":
			failed++
			afterFailure = true
			report = append(report, fmt.Sprintf("  %6s %s failed: %s", c.Time.Sub(started).Round(time.Second), c.Action, c.ErrorCode))
			continue
		case c.Action == "GetSessionToken":
			sessions++
		case c.Action == "AssumeRole":
			roles++
			line := fmt.Sprintf("  %6s AssumeRole", c.Time.Sub(started).Round(time.Second))
			if !prevExpiry.IsZero() {
				left := prevExpiry.Sub(c.Time)
				line += fmt.Sprintf(", %s before the credentials it replaces expire", left.Round(time.Second))
				// A stall of 0.1s of real time is 3 minutes on this clock: what
				// is asserted is the order of things, the report has the rest.
				if left < slack && !afterFailure || left <= 0 {
					t.Errorf("a refresh with %s left, want about %s at least", left, DefaultLead)
				}
			}
			afterFailure = false
			prevExpiry = c.Time.Add(time.Hour).Truncate(time.Second)
			report = append(report, line)
		}
	}
	t.Logf("six simulated hours of a 1h role: %d GetSessionToken, %d AssumeRole, %d failed calls, %d MFA codes (%d prompts), %d child requests; the least time left on served credentials: %s\n%s",
		sessions, roles, failed, codes, prompts, requests, minLeft.Round(time.Second), strings.Join(report, "\n"))
	if codes != 1 || prompts != 1 || sessions != 1 {
		t.Errorf("%d codes, %d prompts, %d sessions; want one of each", codes, prompts, sessions)
	}
	if roles < 7 || roles > 9 {
		t.Errorf("%d AssumeRole calls in six hours of a 1h role, want 7 to 9", roles)
	}
	if minLeft < slack {
		t.Errorf("the child was served credentials with %s left, want about %s at least", minLeft, DefaultLead)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(said) != 2 || !strings.Contains(said[0], "ValidationError") || !strings.Contains(said[1], "works again") {
		t.Errorf("said %q, want the refused refresh once and its recovery once", said)
	}
}

// TestTwoServersShareRefreshes: two awsrun --server runs of one profile
// (two resolvers on one cache, as two processes) renew the role once per
// lifetime between them, not once each.
func TestTwoServersShareRefreshes(t *testing.T) {
	const run = 4 * time.Hour
	w := newSimWorld(t)
	var servers []*Server
	for i := range 2 {
		r := &creds.Resolver{Cache: w.store(t), Now: w.clock.Now, Note: func(string, ...any) {},
			Prompt: func(context.Context, string) (string, error) {
				if i > 0 {
					t.Error("the second run asked for a code")
				}
				return w.dev.Code(w.srv.Now()), nil
			}}
		initial, err := r.Retrieve(w.ctx, w.chain)
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, startServer(t, Config{Initial: initial, Clock: w.clock,
			Source: func(ctx context.Context, minLeft time.Duration) (creds.Credentials, error) {
				r.MinTTL = minLeft
				return r.Retrieve(ctx, w.chain)
			}}))
		if i == 0 {
			w.clock.setScale(1800)
		}
	}
	started := w.clock.Now()
	for w.clock.Now().Sub(started) < run {
		time.Sleep(w.clock.real(time.Minute))
	}
	for _, s := range servers {
		s.Close()
	}
	a, _ := servers[0].Current()
	b, _ := servers[1].Current()
	roles := w.srv.CallCount("AssumeRole")
	t.Logf("two servers, %s: %d AssumeRole calls, %d GetSessionToken; serving the same credentials at the end: %t",
		run, roles, w.srv.CallCount("GetSessionToken"), a.AccessKeyID == b.AccessKeyID)
	// One for the start, then one per 44 minutes or so: 6 or 7, where two
	// servers that did not share would make 12.
	if roles > 8 {
		t.Errorf("%d AssumeRole calls in %s for two servers, want one per lifetime between them", roles, run)
	}
	if n := w.srv.CallCount("GetSessionToken"); n != 1 {
		t.Errorf("%d GetSessionToken calls, want 1", n)
	}
}
