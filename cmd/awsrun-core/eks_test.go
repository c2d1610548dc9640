package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/warm"
)

// execCredential is what kubectl reads from an exec plugin.
type execCredential struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Status     struct {
		ExpirationTimestamp string `json:"expirationTimestamp"`
		Token               string `json:"token"`
	} `json:"status"`
}

func parseExecCredential(t *testing.T, r result) execCredential {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var ec execCredential
	if err := json.Unmarshal([]byte(r.stdout), &ec); err != nil || ec.Kind != "ExecCredential" || ec.Status.Token == "" {
		t.Fatalf("stdout is not an ExecCredential (%v): %q", err, r.stdout)
	}
	return ec
}

// entryID is the cache id of the entry of kind whose label contains
// labelPart: the file name is a keyed hash of it.
func (w *world) entryID(t *testing.T, kind, labelPart string) string {
	t.Helper()
	return w.listed(t, kind, labelPart).ID
}

// whoIs sends the token to the fake STS as the cluster's authenticator
// would, and returns the ARN it authenticates as.
func (w *world) whoIs(t *testing.T, token, cluster string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := w.srv.VerifyEKSToken(ctx, token, cluster)
	if err != nil {
		t.Fatalf("the token for %s was refused: %v", cluster, err)
	}
	return id.Arn
}

func TestEKSTokenColdThenWarmWithoutCore(t *testing.T) {
	w := newWorld(t, "")
	_, mfaRuns := w.mfaProcess(t)
	args := []string{"-p", "role101", "--export", "eks-token", "--eks-cluster", "prod"}
	binary(t) // built before the clock starts
	before := time.Now()
	cold := parseExecCredential(t, w.run(t, args...))
	if cold.APIVersion != "client.authentication.k8s.io/v1beta1" {
		t.Errorf("apiVersion %q without KUBERNETES_EXEC_INFO, want v1beta1", cold.APIVersion)
	}
	exp, err := time.Parse(time.RFC3339, cold.Status.ExpirationTimestamp)
	if err != nil || !strings.HasSuffix(cold.Status.ExpirationTimestamp, "Z") {
		t.Fatalf("expirationTimestamp %q is not RFC 3339 UTC: %v", cold.Status.ExpirationTimestamp, err)
	}
	if d := exp.Sub(before); d < 13*time.Minute+50*time.Second || d > 14*time.Minute+time.Second {
		t.Errorf("expirationTimestamp is %s on, want 14m", d)
	}
	const role = "arn:aws:sts::" + acct + ":assumed-role/role101/"
	if arn := w.whoIs(t, cold.Status.Token, "prod"); !strings.HasPrefix(arn, role) {
		t.Errorf("token authenticates as %s, want %s…", arn, role)
	}
	for _, c := range w.srv.Calls() {
		if c.Action != "GetSessionToken" && c.Action != "AssumeRole" && c.Action != "GetCallerIdentity" {
			t.Errorf("unexpected STS call %s", c.Action)
		}
	}
	if n := mfaRuns(); n != 1 {
		t.Errorf("mfa_process ran %d times, want 1", n)
	}

	// Warm: the launcher alone, with no awsrun-core to start, serves the
	// same token, and calls STS for nothing.
	w.srv.ResetCalls()
	alone := launcherAlone(t)
	warm := parseExecCredential(t, w.runBinary(t, alone, args...))
	if warm.Status.Token != cold.Status.Token || warm.Status.ExpirationTimestamp != cold.Status.ExpirationTimestamp {
		t.Error("the warm launch did not serve the cached token")
	}
	saved := w.env
	w.env = append(append([]string{}, saved...), `KUBERNETES_EXEC_INFO={"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":false}}`)
	v1 := parseExecCredential(t, w.runBinary(t, alone, args...))
	w.env = saved
	if v1.APIVersion != "client.authentication.k8s.io/v1" || v1.Status.Token != cold.Status.Token {
		t.Errorf("with KUBERNETES_EXEC_INFO asking for v1: apiVersion %q", v1.APIVersion)
	}
	if n := len(w.srv.Calls()); n != 0 {
		t.Errorf("warm eks-token made %d STS calls", n)
	}

	// Another cluster: the launcher has no token and makes none (it has
	// no SDK); awsrun-core makes one from the cached credentials.
	other := append(args[:len(args)-1:len(args)-1], "staging")
	if r := w.runBinary(t, alone, other...); r.code != 125 || !strings.Contains(r.stderr, "awsrun-core") {
		t.Errorf("launcher alone, cluster without a token: exit %d, stderr %q", r.code, r.stderr)
	}
	staging := parseExecCredential(t, w.run(t, other...))
	if staging.Status.Token == cold.Status.Token || !strings.HasPrefix(w.whoIs(t, staging.Status.Token, "staging"), role) {
		t.Error("the staging token is not a token for staging")
	}
	if n := mfaRuns(); n != 1 || w.srv.CallCount("AssumeRole") != 0 {
		t.Errorf("a second cluster cost %d codes and %d AssumeRole calls", n-1, w.srv.CallCount("AssumeRole"))
	}

	// --list shows the tokens, never their text; --clear forgets them
	// with the profile's credentials.
	list := w.run(t, "--list")
	if list.code != 0 || !strings.Contains(list.stdout, "role101 eks-token prod") || strings.Contains(list.stdout, cold.Status.Token) {
		t.Errorf("--list: exit %d, stdout %q", list.code, list.stdout)
	}
	if r := w.run(t, "--clear", "-p", "role101"); r.code != 0 {
		t.Fatalf("--clear: exit %d, %s", r.code, r.stderr)
	}
	for _, e := range w.entriesByProfile(t) {
		if strings.HasPrefix(e, string(cache.KindEKSToken)+" ") {
			t.Errorf("--clear -p role101 left a token in the cache: %s", e)
		}
	}
	if r := w.runBinary(t, alone, args...); r.code != 125 {
		t.Errorf("a token was served after --clear: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestEKSTokenRenewedWithUnderAMinuteLeft: a cached token about to expire
// is not served warm; awsrun-core makes a new one.
func TestEKSTokenRenewedWithUnderAMinuteLeft(t *testing.T) {
	w := newWorld(t, "")
	w.mfaProcess(t)
	args := []string{"-p", "role101", "--export", "eks-token", "--eks-cluster", "prod"}
	first := parseExecCredential(t, w.run(t, args...))

	roleID := w.entryID(t, "role", "role101")
	s := w.store(t)
	role, ok := s.Get(roleID, 0)
	if !ok {
		t.Fatal("no role entry")
	}
	creds, _ := warm.Decode(role.Data)
	id := warm.EKSTokenID(roleID, creds.AccessKeyID, "prod")
	tok, ok := warm.LookupEKSToken(s, id)
	if !ok || tok.Token != first.Status.Token {
		t.Fatal("the token is not cached under the role entry, its key id and the cluster")
	}
	tok.Expires = time.Now().Add(50 * time.Second)
	if err := warm.RememberEKSToken(s, id, tok, "role101", "role101 eks-token prod"); err != nil {
		t.Fatal(err)
	}
	if r := w.runBinary(t, launcherAlone(t), args...); r.code != 125 {
		t.Errorf("the launcher served a token with 50s left: exit %d, stdout %q", r.code, r.stdout)
	}
	// Presigned in the same second with the same credentials, the new
	// token may equal the old one: its expiry tells them apart.
	renewed := parseExecCredential(t, w.run(t, args...))
	exp, err := time.Parse(time.RFC3339, renewed.Status.ExpirationTimestamp)
	if err != nil || time.Until(exp) < 13*time.Minute {
		t.Fatalf("a token with 50s left was served (expirationTimestamp %s)", renewed.Status.ExpirationTimestamp)
	}
	if tok, ok := warm.LookupEKSToken(s, id); !ok || time.Until(tok.Expires) < 14*time.Minute {
		t.Error("the new token was not cached")
	}
	w.whoIs(t, renewed.Status.Token, "prod")
}

func TestEKSTokenUsage(t *testing.T) {
	w := newWorld(t, "")
	_, mfaRuns := w.mfaProcess(t)
	tests := []struct {
		args []string
		env  string
		msg  string
	}{
		{[]string{"-p", "role101", "--export", "eks-token"}, "", "awsrun: error: --export eks-token needs --eks-cluster NAME"},
		{[]string{"-p", "role101", "--eks-cluster", "prod", "--export", "env"}, "", "awsrun: error: --eks-cluster goes with --export eks-token"},
		{[]string{"-p", "role101", "--eks-cluster", "prod", "--", "kubectl", "get", "pods"}, "", "awsrun: error: --eks-cluster goes with --export eks-token"},
		{[]string{"-p", "role101", "--export", "eks-token", "--eks-cluster", "a\nb"}, "", "awsrun: error: --eks-cluster \"a\\nb\" is not a cluster name"},
		{[]string{"-p", "role101", "--export", "eks-token", "--eks-cluster", "prod"}, `KUBERNETES_EXEC_INFO={"apiVersion":"client.authentication.k8s.io/v1alpha1"}`,
			"awsrun: error: KUBERNETES_EXEC_INFO asks for an ExecCredential of \"client.authentication.k8s.io/v1alpha1\""},
	}
	for _, tt := range tests {
		saved := w.env
		if tt.env != "" {
			w.env = append(append([]string{}, saved...), tt.env)
		}
		r := w.run(t, tt.args...)
		w.env = saved
		if r.code != 125 || !strings.HasPrefix(r.stderr, tt.msg) || r.stdout != "" {
			t.Errorf("awsrun %q: exit %d, stdout %q, stderr %q; want 125 and %q", tt.args, r.code, r.stdout, r.stderr, tt.msg)
		}
	}
	if n := mfaRuns(); n != 0 || len(w.srv.Calls()) != 0 {
		t.Errorf("usage errors cost %d MFA codes and %d STS calls", n, len(w.srv.Calls()))
	}
}
