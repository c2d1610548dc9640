package ststest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name       string
		faults     []Fault
		action     string // the action called: GetCallerIdentity unless set
		wantErr    string
		wantMsg    string
		wantStatus int
		wantDecode bool // the body cannot be decoded
	}{
		{
			name: "status 500", faults: []Fault{{Status: 500}},
			wantErr: "InternalFailure", wantStatus: http.StatusInternalServerError,
		},
		{
			name: "status 503", faults: []Fault{{Status: 503}},
			wantErr: "ServiceUnavailable", wantStatus: http.StatusServiceUnavailable,
		},
		{
			name: "Throttling", faults: []Fault{{Code: "Throttling"}},
			wantErr: "Throttling", wantMsg: "Rate exceeded", wantStatus: http.StatusBadRequest,
		},
		{
			name: "code with its own status", faults: []Fault{{Code: "RegionDisabledException", Status: 403}},
			wantErr: "RegionDisabledException", wantStatus: http.StatusForbidden,
		},
		{
			name: "malformed body", faults: []Fault{{Malformed: true}},
			wantDecode: true,
		},
		{
			name: "fault for another action", faults: []Fault{{Action: "AssumeRole", Status: 500}},
		},
		{
			name: "fault for this action", faults: []Fault{{Action: "GetCallerIdentity", Code: "Throttling"}},
			wantErr: "Throttling", wantStatus: http.StatusBadRequest,
		},
		{
			name: "short delay, then a normal answer", faults: []Fault{{Delay: 20 * time.Millisecond}},
		},
		{
			name: "short delay, then an error", faults: []Fault{{Delay: 20 * time.Millisecond, Status: 500}},
			wantErr: "InternalFailure", wantStatus: http.StatusInternalServerError,
		},
		{
			name: "first matching fault wins", faults: []Fault{{Code: "Throttling"}, {Status: 500}},
			wantErr: "Throttling", wantStatus: http.StatusBadRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
			for _, f := range tt.faults {
				s.InjectFault(f)
			}
			_, err := newClient(s, "us-east-1", userCreds(u)).GetCallerIdentity(testContext(t), nil)
			if tt.wantDecode {
				var decodeErr *smithy.DeserializationError
				if !errors.As(err, &decodeErr) {
					t.Fatalf("err = %v, want a deserialization error", err)
				}
				return
			}
			checkErr(t, err, tt.wantErr, tt.wantMsg)
			if err != nil && httpStatus(err) != tt.wantStatus {
				t.Errorf("HTTP status = %d, want %d", httpStatus(err), tt.wantStatus)
			}
			if c := lastCall(t, s); c.ErrorCode != tt.wantErr {
				t.Errorf("logged ErrorCode %q, want %q", c.ErrorCode, tt.wantErr)
			}
		})
	}
}

func TestMalformedBodyEveryAction(t *testing.T) {
	s, _ := newTestServer(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.AddRole(roleARN("open"), RolePolicy{WebIdentityTokens: []string{"tok-1"}})
	s.InjectFault(Fault{Malformed: true})
	c := newClient(s, "us-east-1", userCreds(u))
	ctx := testContext(t)
	calls := map[string]func() error{
		"GetSessionToken": func() error { _, err := c.GetSessionToken(ctx, nil); return err },
		"AssumeRole": func() error {
			_, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN("open")), RoleSessionName: aws.String("s1")})
			return err
		},
		"AssumeRoleWithWebIdentity": func() error {
			_, err := c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(roleARN("open")), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String("tok-1"),
			})
			return err
		},
		"GetCallerIdentity": func() error { _, err := c.GetCallerIdentity(ctx, nil); return err },
	}
	for name, call := range calls {
		var decodeErr *smithy.DeserializationError
		if err := call(); !errors.As(err, &decodeErr) {
			t.Errorf("%s: err = %v, want a deserialization error", name, err)
		}
	}
}

func TestFaultTimes(t *testing.T) {
	s, _ := newTestServer(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.InjectFault(Fault{Status: 500, Times: 2})
	c := newClient(s, "us-east-1", userCreds(u))
	var got []string
	for range 3 {
		_, err := c.GetCallerIdentity(testContext(t), nil)
		got = append(got, errorCode(err))
	}
	if want := []string{"InternalFailure", "InternalFailure", ""}; !equal(got, want) {
		t.Errorf("codes = %q, want %q", got, want)
	}

	s.InjectFault(Fault{Code: "Throttling"})
	for range 3 {
		_, err := c.GetCallerIdentity(testContext(t), nil)
		checkErr(t, err, "Throttling", "")
	}
	s.ClearFaults()
	if _, err := c.GetCallerIdentity(testContext(t), nil); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}

// TestFaultsWithSDKRetries shows that the SDK's retries reach the server,
// each logged as its own call.
func TestFaultsWithSDKRetries(t *testing.T) {
	tests := []struct {
		name      string
		fault     Fault
		wantErr   string
		wantCodes []string
	}{
		{"throttled twice, then served", Fault{Code: "Throttling", Times: 2}, "", []string{"Throttling", "Throttling", ""}},
		{"500 once, then served", Fault{Status: 500, Times: 1}, "", []string{"InternalFailure", ""}},
		{"throttled throughout", Fault{Code: "Throttling"}, "Throttling", []string{"Throttling", "Throttling", "Throttling"}},
		{"access denied is not retried", Fault{Code: "AccessDenied"}, "AccessDenied", []string{"AccessDenied"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t)
			u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
			s.InjectFault(tt.fault)
			c := sts.New(sts.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(s.URL),
				Credentials:  userCreds(u),
				Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
					o.MaxAttempts = 3
					o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				}),
			})
			_, err := c.GetCallerIdentity(testContext(t), nil)
			checkErr(t, err, tt.wantErr, "")
			var got []string
			for _, call := range s.Calls() {
				got = append(got, call.ErrorCode)
			}
			if !equal(got, tt.wantCodes) {
				t.Errorf("logged codes %q, want %q", got, tt.wantCodes)
			}
			if n := s.CallCount("GetCallerIdentity"); n != len(tt.wantCodes) {
				t.Errorf("CallCount = %d, want %d", n, len(tt.wantCodes))
			}
		})
	}
}

// TestDelayEndsWhenClientGivesUp guards that an injected delay never holds
// a client, or Close, beyond the client's deadline.
func TestDelayEndsWhenClientGivesUp(t *testing.T) {
	s, _ := newTestServer(t)
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.InjectFault(Fault{Delay: time.Hour})

	ctx, cancel := context.WithTimeout(testContext(t), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newClient(s, "us-east-1", userCreds(u)).GetCallerIdentity(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("the client waited %v", elapsed)
	}
	// The server notices the client left and logs the call.
	for ctx := testContext(t); ; {
		if calls := s.Calls(); len(calls) == 1 {
			if calls[0].ErrorCode != "RequestCanceled" {
				t.Errorf("logged %+v, want RequestCanceled", calls[0])
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the canceled call was never logged")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestCloseEndsPendingDelays(t *testing.T) {
	s := NewServer()
	u := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	s.InjectFault(Fault{Delay: time.Hour})
	errc := make(chan error, 1)
	go func() {
		_, err := newClient(s, "us-east-1", userCreds(u)).GetCallerIdentity(testContext(t), nil)
		errc <- err
	}()
	for ctx := testContext(t); !delayStarted(s); {
		select {
		case <-ctx.Done():
			t.Fatal("the call never reached the delay")
		case <-time.After(5 * time.Millisecond):
		}
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-testContext(t).Done():
		t.Fatal("Close hung on a pending delay")
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Error("the delayed call succeeded")
		}
	case <-testContext(t).Done():
		t.Fatal("the client hung")
	}
}

// delayStarted reports whether an injected fault has been taken by a call.
func delayStarted(s *Server) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.hits > 0 {
			return true
		}
	}
	return false
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
