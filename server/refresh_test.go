package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

func TestRefreshAt(t *testing.T) {
	exp := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		lifetime time.Duration
		r        float64
		want     time.Duration // before exp
	}{
		{"1h role, no jitter", time.Hour, 0, 16 * time.Minute},
		{"1h role, most jitter", time.Hour, 0.999999, 16*time.Minute + 15*time.Minute/8 - time.Millisecond},
		{"12h role", 12 * time.Hour, 0, 16 * time.Minute},
		{"15m role: at half its life", 15 * time.Minute, 0, 7*time.Minute + 30*time.Second + 30*time.Second},
		{"20s test role", 20 * time.Second, 0.5, 10*time.Second + 10*time.Second/15 + 625*time.Millisecond},
		{"no lifetime", 0, 0.5, 0},
	}
	for _, tt := range tests {
		got := exp.Sub(refreshAt(exp, tt.lifetime, DefaultLead, tt.r))
		if d := got - tt.want; d > time.Millisecond || d < -time.Millisecond {
			t.Errorf("%s: refresh %s before expiry, want %s", tt.name, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		failures int
		lifetime time.Duration
		want     time.Duration
	}{
		{1, time.Hour, time.Second},
		{2, time.Hour, 2 * time.Second},
		{6, time.Hour, 32 * time.Second},
		{7, time.Hour, time.Minute},
		{500, time.Hour, time.Minute},
		{5, 20 * time.Second, 2500 * time.Millisecond},
		{5, time.Second, time.Second},
	} {
		if got := backoff(tt.failures, tt.lifetime); got != tt.want {
			t.Errorf("backoff(%d, %s) = %s, want %s", tt.failures, tt.lifetime, got, tt.want)
		}
	}
}

// TestRefreshAheadKeepsTheLead runs six hours of a 1h role on a clock the
// test moves: every refresh happens 15 minutes (and a jitter) before
// expiry, never while a request waits, and what is served never has less
// than 15 minutes left.
func TestRefreshAheadKeepsTheLead(t *testing.T) {
	clock := newManualClock()
	var mu sync.Mutex
	var refreshes []time.Duration // how long the replaced credentials had left
	var s *Server
	source := func(_ context.Context, minLeft time.Duration) (warm.Credentials, error) {
		cur, _ := s.Current()
		mu.Lock()
		refreshes = append(refreshes, cur.Expiration.Sub(clock.Now()))
		mu.Unlock()
		if want := cur.Expiration.Sub(clock.Now()) + time.Second; minLeft != want {
			t.Errorf("minLeft = %s, want %s: more than what is served now", minLeft, want)
		}
		return fakeCreds(clock.Now().Add(time.Hour)), nil
	}
	s = startServer(t, Config{Initial: fakeCreds(clock.Now().Add(time.Hour)), Source: source, Clock: clock})
	clock.settle(t)
	for elapsed := time.Duration(0); elapsed < 6*time.Hour; elapsed += 20 * time.Second {
		clock.Advance(20 * time.Second)
		clock.settle(t)
		cur, err := s.Current()
		if left := cur.Expiration.Sub(clock.Now()); left < DefaultLead || err != nil {
			t.Fatalf("after %s: serving credentials with %s left (err %v)", elapsed, left, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(refreshes) < 7 || len(refreshes) > 9 {
		t.Errorf("%d refreshes in 6h of a 1h role, want 7 or 8", len(refreshes))
	}
	for i, left := range refreshes {
		if left < DefaultLead+time.Minute-20*time.Second || left > DefaultLead+time.Minute+DefaultLead/8 {
			t.Errorf("refresh %d with %s left, want 16m to 17m53s", i+1, left)
		}
	}
}

// TestRefreshFailureSaidOnce guards the user's view of a refresh that
// fails: one message, retries, an endpoint error that says why once
// nothing valid is left, and one message when it works again.
func TestRefreshFailureSaidOnce(t *testing.T) {
	clock := newManualClock()
	var mu sync.Mutex
	var said []string
	failing, calls := true, 0
	source := func(context.Context, time.Duration) (warm.Credentials, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if failing {
			return warm.Credentials{}, errors.New("profile role101 (arn:aws:iam::123456789012:role/role101): AssumeRole: AccessDenied: not today")
		}
		return fakeCreds(clock.Now().Add(time.Hour)), nil
	}
	notify := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		said = append(said, msg)
	}
	initial := fakeCreds(clock.Now().Add(30 * time.Minute))
	s := startServer(t, Config{Initial: initial, Source: source, Clock: clock, Notify: notify})
	clock.settle(t)

	for range 40 { // 40 minutes: past the expiry of the first credentials
		clock.Advance(time.Minute)
		clock.settle(t)
	}
	status, _, body := get(t, s.URL, []string{s.Token})
	var e map[string]string
	if err := json.Unmarshal(body, &e); status != http.StatusServiceUnavailable || err != nil ||
		e["code"] != "CredentialsUnavailable" || !strings.Contains(e["message"], "AccessDenied: not today") || !strings.Contains(e["message"], "expired") {
		t.Errorf("after the credentials expired: status %d, body %s; want 503 saying why", status, body)
	}
	mu.Lock()
	if calls < 10 {
		t.Errorf("%d refresh attempts in 25 minutes of failures, want retries", calls)
	}
	if len(said) != 1 || !strings.Contains(said[0], "cannot refresh") || !strings.Contains(said[0], "AccessDenied: not today") {
		t.Errorf("said %q, want one message with the reason", said)
	}
	failing = false
	mu.Unlock()

	clock.Advance(time.Minute)
	clock.settle(t)
	if status, _, body := get(t, s.URL, []string{s.Token}); status != http.StatusOK || strings.Contains(string(body), initial.AccessKeyID) {
		t.Errorf("after recovery: status %d, body %s", status, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(said) != 2 || !strings.Contains(said[1], "works again") {
		t.Errorf("said %q, want a second message that it works again", said)
	}
	for _, m := range said {
		if strings.Contains(m, "secret") || strings.Contains(m, "token-") {
			t.Errorf("a message holds a secret: %q", m)
		}
	}
}

// TestRequestWaitsOnlyForARefreshUnderWay: with nothing valid left, a
// request waits for the refresh that is running, and gets its result.
func TestRequestWaitsOnlyForARefreshUnderWay(t *testing.T) {
	clock := newManualClock()
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	source := func(ctx context.Context, _ time.Duration) (warm.Credentials, error) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return warm.Credentials{}, ctx.Err()
		}
		return fakeCreds(clock.Now().Add(time.Hour)), nil
	}
	initial := fakeCreds(clock.Now().Add(time.Hour))
	s := startServer(t, Config{Initial: initial, Source: source, Clock: clock})
	clock.settle(t)
	clock.Advance(time.Hour) // the refresh time and the expiry at once
	<-entered
	go func() {
		time.Sleep(100 * time.Millisecond)
		close(release)
	}()
	status, _, body := get(t, s.URL, []string{s.Token})
	if status != http.StatusOK || strings.Contains(string(body), initial.AccessKeyID) {
		t.Errorf("status %d, body %s; want the new credentials", status, body)
	}
}
