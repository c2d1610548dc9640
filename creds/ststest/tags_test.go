package ststest

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestSessionTagsAndSourceIdentity(t *testing.T) {
	s, _ := newTestServer(t)
	alice := s.AddUser("arn:aws:iam::" + accountA + ":user/alice")
	tagging := RolePolicy{AllowTagSession: true, AllowSetSourceIdentity: true}
	s.AddRole(roleARN("tagged"), tagging)
	s.AddRole(roleARN("next"), RolePolicy{Principals: []string{roleARN("tagged")}, AllowTagSession: true, AllowSetSourceIdentity: true})
	s.AddRole(roleARN("next-no-tags"), RolePolicy{Principals: []string{roleARN("tagged")}, AllowSetSourceIdentity: true})
	s.AddRole(roleARN("next-no-source"), RolePolicy{Principals: []string{roleARN("tagged")}, AllowTagSession: true})
	s.AddRole(roleARN("plain"), RolePolicy{})

	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	assume := func(t *testing.T, creds aws.CredentialsProvider, role string, edit func(*sts.AssumeRoleInput)) (*sts.AssumeRoleOutput, error) {
		in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN(role)), RoleSessionName: aws.String("alice")}
		if edit != nil {
			edit(in)
		}
		return newClient(s, "us-east-1", creds).AssumeRole(testContext(t), in)
	}
	// first is alice's session of "tagged" with a transitive team tag, a
	// plain env tag and a source identity.
	first := func(t *testing.T) aws.CredentialsProvider {
		out, err := assume(t, userCreds(alice), "tagged", func(in *sts.AssumeRoleInput) {
			in.Tags = []types.Tag{tag("Team", "blue"), tag("env", "dev")}
			in.TransitiveTagKeys = []string{"team"}
			in.SourceIdentity = aws.String("alice@example.com")
		})
		checkErr(t, err, "", "")
		if got := aws.ToString(out.SourceIdentity); got != "alice@example.com" {
			t.Fatalf("SourceIdentity in the answer = %q", got)
		}
		return sessionCreds(out.Credentials)
	}

	t.Run("tags, transitive keys and source identity are kept", func(t *testing.T) {
		creds := first(t)
		v, _ := creds.Retrieve(testContext(t))
		info, ok := s.Session(v.AccessKeyID)
		want := SessionInfo{Tags: []Tag{{"Team", "blue"}, {"env", "dev"}}, TransitiveTagKeys: []string{"Team"}, SourceIdentity: "alice@example.com"}
		if !ok || !slices.Equal(info.Tags, want.Tags) || !slices.Equal(info.TransitiveTagKeys, want.TransitiveTagKeys) || info.SourceIdentity != want.SourceIdentity {
			t.Fatalf("session = %+v, want %+v", info, want)
		}
		call := s.Calls()[len(s.Calls())-1]
		if call.SourceIdentity != "alice@example.com" || call.Tags != "Team=blue, env=dev" || call.TransitiveTagKeys != "team" {
			t.Errorf("call log %+v, want the source identity, 2 tags and the transitive key as sent", call)
		}
	})
	t.Run("a chained session inherits transitive tags and the source identity only", func(t *testing.T) {
		out, err := assume(t, first(t), "next", nil)
		checkErr(t, err, "", "")
		info, _ := s.Session(aws.ToString(out.Credentials.AccessKeyId))
		if !slices.Equal(info.Tags, []Tag{{"Team", "blue"}}) || info.SourceIdentity != "alice@example.com" {
			t.Fatalf("chained session = %+v, want the Team tag and alice's source identity", info)
		}
	})

	cases := []struct {
		name     string
		creds    func(*testing.T) aws.CredentialsProvider
		role     string
		edit     func(*sts.AssumeRoleInput)
		wantCode string
		wantMsg  string
	}{
		{"the same source identity again is fine", first, "next", func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("alice@example.com") }, "", ""},
		{"a different source identity in the chain", first, "next", func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("mallory") }, "AccessDenied", "not authorized"},
		{"an inherited transitive key passed again", first, "next", func(in *sts.AssumeRoleInput) { in.Tags = []types.Tag{tag("TEAM", "red")} }, "InvalidParameterValue", "inherited transitive"},
		{"inherited tags need sts:TagSession", first, "next-no-tags", nil, "AccessDenied", "not authorized"},
		{"an inherited source identity needs sts:SetSourceIdentity", first, "next-no-source", nil, "AccessDenied", "not authorized"},
		{"tags need sts:TagSession", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "plain",
			func(in *sts.AssumeRoleInput) { in.Tags = []types.Tag{tag("a", "b")} }, "AccessDenied", "not authorized"},
		{"a source identity needs sts:SetSourceIdentity", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "plain",
			func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("alice") }, "AccessDenied", "not authorized"},
		{"keys differing in case are duplicates", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "tagged",
			func(in *sts.AssumeRoleInput) { in.Tags = []types.Tag{tag("Env", "a"), tag("env", "b")} }, "InvalidParameterValue", "case insensitive"},
		{"a transitive key that is not a tag", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "tagged",
			func(in *sts.AssumeRoleInput) {
				in.Tags = []types.Tag{tag("a", "b")}
				in.TransitiveTagKeys = []string{"c"}
			}, "InvalidParameterValue", "not one of the session tags"},
		{"51 tags", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "tagged", func(in *sts.AssumeRoleInput) {
			for i := range 51 {
				in.Tags = append(in.Tags, tag("k"+strings.Repeat("x", i), "v"))
			}
		}, "ValidationError", "less than or equal to 50"},
		{"a 129-character key", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "tagged",
			func(in *sts.AssumeRoleInput) { in.Tags = []types.Tag{tag(strings.Repeat("k", 129), "v")} }, "ValidationError", "less than or equal to 128"},
		{"a 257-character value", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "tagged",
			func(in *sts.AssumeRoleInput) { in.Tags = []types.Tag{tag("k", strings.Repeat("v", 257))} }, "ValidationError", "less than or equal to 256"},
		{"a key with a forbidden character", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "tagged",
			func(in *sts.AssumeRoleInput) { in.Tags = []types.Tag{tag("a;b", "v")} }, "ValidationError", "regular expression"},
		{"a source identity with a space", func(*testing.T) aws.CredentialsProvider { return userCreds(alice) }, "tagged",
			func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("alice smith") }, "ValidationError", "sourceIdentity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assume(t, tc.creds(t), tc.role, tc.edit)
			checkErr(t, err, tc.wantCode, tc.wantMsg)
		})
	}
}
