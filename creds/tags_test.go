package creds

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

const (
	taggedRoleARN = "arn:aws:iam::" + acct + ":role/tagged"
	innerRoleARN  = "arn:aws:iam::" + acct + ":role/inner"
)

// taggedFixture adds a role that allows tags and source identity, and an
// inner role assumed from it that allows them too.
func taggedFixture(t *testing.T, config string, policy ststest.RolePolicy) *fixture {
	t.Helper()
	f := newFixture(t, config)
	policy.Principals = []string{userARN}
	policy.RequireMFA = true
	f.srv.AddRole(taggedRoleARN, policy)
	f.srv.AddRole(innerRoleARN, ststest.RolePolicy{Principals: []string{taggedRoleARN}, AllowTagSession: true, AllowSetSourceIdentity: true})
	return f
}

const taggedConfig = `[profile tagged]
role_arn = ` + taggedRoleARN + `
source_profile = user101
mfa_serial = ` + serial + `
session_tags = team=platform, cost-center=42
transitive_session_tags = team
source_identity = alice

[profile inner]
role_arn = ` + innerRoleARN + `
source_profile = tagged
`

var allowTags = ststest.RolePolicy{AllowTagSession: true, AllowSetSourceIdentity: true}

func TestSessionTagsAndSourceIdentityReachAssumeRole(t *testing.T) {
	f := taggedFixture(t, taggedConfig, allowTags)
	c, err := f.retrieve(t, f.resolver(nil), "tagged", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	info, ok := f.srv.Session(c.AccessKeyID)
	if !ok {
		t.Fatal("the fake does not know the session")
	}
	if got, want := info.Tags, []ststest.Tag{{Key: "cost-center", Value: "42"}, {Key: "team", Value: "platform"}}; !equalTags(got, want) {
		t.Errorf("tags = %v, want %v", got, want)
	}
	if strings.Join(info.TransitiveTagKeys, ",") != "team" || info.SourceIdentity != "alice" {
		t.Errorf("transitive = %v, source identity = %q; want [team], alice", info.TransitiveTagKeys, info.SourceIdentity)
	}
	var sent ststest.Call
	for _, call := range f.srv.Calls() {
		if call.Action == "AssumeRole" {
			sent = call
		}
	}
	if sent.Tags != "team=platform, cost-center=42" || sent.TransitiveTagKeys != "team" || sent.SourceIdentity != "alice" {
		t.Errorf("AssumeRole sent tags %q, transitive %q, source identity %q", sent.Tags, sent.TransitiveTagKeys, sent.SourceIdentity)
	}
}

func TestChainedHopInheritsTransitiveTagsAndSourceIdentity(t *testing.T) {
	f := taggedFixture(t, taggedConfig, allowTags)
	c, err := f.retrieve(t, f.resolver(nil), "inner", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if arn := f.callerARN(t, c); !strings.Contains(arn, ":assumed-role/inner/") {
		t.Fatalf("caller = %s, want the inner role", arn)
	}
	info, _ := f.srv.Session(c.AccessKeyID)
	if len(info.Tags) != 1 || info.Tags[0] != (ststest.Tag{Key: "team", Value: "platform"}) || info.SourceIdentity != "alice" {
		t.Errorf("inner session carries %+v, want the transitive tag team=platform and source identity alice", info)
	}
}

func TestChangedTagIsACacheMiss(t *testing.T) {
	f := taggedFixture(t, taggedConfig, allowTags)
	store := f.openCache(t)
	r := f.resolver(store)
	if _, err := f.retrieve(t, r, "tagged", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.retrieve(t, r, "tagged", LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.actions(), " "); got != "GetSessionToken+MFA AssumeRole" {
		t.Fatalf("calls after a warm run = %s, want one session and one role", got)
	}
	// The same files, cache and MFA session; only the tag changes.
	if err := os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte(strings.Replace(taggedConfig, "team=platform", "team=security", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := f.retrieve(t, r, "tagged", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.actions(), " "); got != "GetSessionToken+MFA AssumeRole AssumeRole" {
		t.Fatalf("calls after the edit = %s, want a new role session from the cached MFA session", got)
	}
	info, _ := f.srv.Session(c.AccessKeyID)
	if !equalTags(info.Tags, []ststest.Tag{{Key: "cost-center", Value: "42"}, {Key: "team", Value: "security"}}) {
		t.Errorf("after the edit the session carries %v, want team=security", info.Tags)
	}
}

func TestTrustPolicyWithoutTagSessionIsNamed(t *testing.T) {
	f := taggedFixture(t, taggedConfig, ststest.RolePolicy{AllowSetSourceIdentity: true})
	_, err := f.retrieve(t, f.resolver(nil), "tagged", LoadOptions{})
	var se *STSError
	if !errors.As(err, &se) || se.Code() != "AccessDenied" {
		t.Fatalf("err = %v, want AccessDenied from STS", err)
	}
	if !strings.Contains(err.Error(), "profile tagged ("+taggedRoleARN+")") {
		t.Errorf("error does not name the profile and role: %v", err)
	}
	if h := se.Hint(); !strings.Contains(h, "sts:TagSession") || !strings.Contains(h, "session_tags") {
		t.Errorf("hint = %q, want it to name sts:TagSession and session_tags", h)
	}
}

func TestBadSessionTagsAreRefusedBeforeAnyCode(t *testing.T) {
	many := make([]string, 51)
	for i := range many {
		many[i] = "k" + strings.Repeat("x", i) + "=v"
	}
	cases := []struct{ name, keys, want string }{
		{"no value", "session_tags = team", `session_tags: "team" is not key=value`},
		{"bad key", "session_tags = te$m=x", `tag key "te$m" is not valid`},
		{"duplicate", "session_tags = Team=a,team=b", "given twice"},
		{"too many", "session_tags = " + strings.Join(many, ","), "51 tags, more than the 50"},
		{"transitive not a tag", "session_tags = a=b\ntransitive_session_tags = c", `"c" is not a key of session_tags`},
		{"transitive without tags", "transitive_session_tags = c", `"c" is not a key of session_tags`},
		{"source identity", "source_identity = a b", `source_identity: "a b" is not valid`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "[profile r]\nrole_arn = "+roleARN+"\nsource_profile = user101\nmfa_serial = "+serial+"\n"+tc.keys+"\n")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := LoadChain(ctx, "r", LoadOptions{})
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) || ce.Hint() == "" {
				t.Fatalf("err = %v, want a ConfigError with %q and a hint", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "profile r ("+roleARN+"): ") {
				t.Errorf("error does not name the profile and role: %v", err)
			}
			if n := len(f.srv.Calls()); n != 0 || f.prompts.Load() != 0 {
				t.Errorf("%d STS calls, %d prompts before the refusal", n, f.prompts.Load())
			}
		})
	}
}

func TestChainTagConflictsAreRefused(t *testing.T) {
	for name, inner := range map[string]string{
		"inherited key passed again": "session_tags = team=other\n",
		"source identity changed":    "source_identity = bob\n",
	} {
		t.Run(name, func(t *testing.T) {
			f := taggedFixture(t, taggedConfig+inner, allowTags)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := LoadChain(ctx, "inner", LoadOptions{})
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Hint() == "" || !strings.Contains(err.Error(), "profile inner") {
				t.Fatalf("err = %v, want a ConfigError naming inner, with a hint", err)
			}
			if len(f.srv.Calls()) != 0 {
				t.Error("STS was called")
			}
		})
	}
}

func equalTags(a, b []ststest.Tag) bool {
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
