package ststest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

const (
	accountA = "111111111111"
	accountB = "222222222222"
)

// fakeClock is a settable clock for the server.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestServer starts a server on a fake clock set 5 s into the current
// TOTP window, so that tests know which window a code belongs to.
func newTestServer(t *testing.T) (*Server, *fakeClock) {
	t.Helper()
	s := NewServer()
	t.Cleanup(s.Close)
	clock := &fakeClock{t: time.Now().UTC().Truncate(totpStep).Add(5 * time.Second)}
	s.SetClock(clock.Now)
	return s, clock
}

// testContext bounds a test by its deadline, or by 30 s.
func testContext(t *testing.T) context.Context {
	t.Helper()
	deadline, ok := t.Deadline()
	if !ok || time.Until(deadline) > 30*time.Second {
		deadline = time.Now().Add(30 * time.Second)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// newClient is the real SDK client, signing for region with creds, making a
// single attempt per call.
func newClient(s *Server, region string, creds aws.CredentialsProvider) *sts.Client {
	return sts.New(sts.Options{
		Region:           region,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      creds,
		RetryMaxAttempts: 1,
	})
}

func userCreds(u *User) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(u.AccessKeyID, u.SecretAccessKey, "")
}

func sessionCreds(c *types.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

// errorCode is the AWS error code of err, "" for nil.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if err != nil {
		return "non-API error: " + err.Error()
	}
	return ""
}

// errorMessage is the AWS error message of err.
func errorMessage(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorMessage()
	}
	return ""
}

// httpStatus is the HTTP status of the response that made err.
func httpStatus(err error) int {
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		return respErr.HTTPStatusCode()
	}
	return 0
}

// checkErr fails t unless err has the wanted code (and, when given, a message
// containing wantMsg); wantCode "" wants success.
func checkErr(t *testing.T, err error, wantCode, wantMsg string) {
	t.Helper()
	if got := errorCode(err); got != wantCode {
		t.Fatalf("error code = %q (%v), want %q", got, err, wantCode)
	}
	if wantMsg != "" && !strings.Contains(errorMessage(err), wantMsg) {
		t.Fatalf("error message = %q, want it to contain %q", errorMessage(err), wantMsg)
	}
}

// getSessionToken makes an MFA session (or a plain one when d is nil).
func getSessionToken(t *testing.T, s *Server, u *User, d *MFADevice) *types.Credentials {
	t.Helper()
	in := &sts.GetSessionTokenInput{}
	if d != nil {
		in.SerialNumber = aws.String(d.Serial)
		in.TokenCode = aws.String(d.Code(s.Now()))
	}
	out, err := newClient(s, "us-east-1", userCreds(u)).GetSessionToken(testContext(t), in)
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	return out.Credentials
}

// assumeRole assumes roleARN with creds and fails t on error.
func assumeRole(t *testing.T, s *Server, creds aws.CredentialsProvider, roleARN string) *types.Credentials {
	t.Helper()
	out, err := newClient(s, "us-east-1", creds).AssumeRole(testContext(t), &sts.AssumeRoleInput{
		RoleArn:         aws.String(roleARN),
		RoleSessionName: aws.String("setup"),
	})
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	return out.Credentials
}

// lastCall is the most recent entry of the call log.
func lastCall(t *testing.T, s *Server) Call {
	t.Helper()
	calls := s.Calls()
	if len(calls) == 0 {
		t.Fatal("call log is empty")
	}
	return calls[len(calls)-1]
}

// wrongCode is a 6-digit code the device does not show within a step of now.
func wrongCode(d *MFADevice, now time.Time) string {
	valid := map[string]bool{}
	for _, skew := range []time.Duration{-totpStep, 0, totpStep} {
		valid[d.Code(now.Add(skew))] = true
	}
	for n := 0; ; n++ {
		code := fmt.Sprintf("%06d", n)
		if !valid[code] {
			return code
		}
	}
}
