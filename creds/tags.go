package creds

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/awsrun/awsrun/internal/pattern"
)

// Session tags and source identity, set per role profile with the keys
// aws-vault reads:
//
//	session_tags = team=platform,cost-center=42
//	transitive_session_tags = team
//	source_identity = alice
//
// They go to the profile's AssumeRole as Tags, TransitiveTagKeys and
// SourceIdentity. AWS's rules are checked here, before any code is asked:
// at most 50 tags, keys of 1–128 and values of 0–256 letters, digits,
// spaces and _.:/=+-@, keys case-insensitive (two that differ in case only
// are a duplicate), transitive keys among the profile's own tags, no tag
// that repeats a key an earlier hop made transitive, and one source
// identity per chain (it sticks to every later session).
const (
	keySessionTags    = "session_tags"
	keyTransitiveTags = "transitive_session_tags"
	keySourceIdentity = "source_identity"
	maxSessionTags    = 50
)

// Tag is a session tag.
type Tag struct{ Key, Value string }

var (
	// Compiled on first use, the bounds counted apart (package pattern):
	// as bounded repeats they cost every start of awsrun-core 12 ms.
	tagKeyRE         = pattern.New(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`, 1, 128)
	tagValueRE       = pattern.New(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`, 0, 256)
	sourceIdentityRE = pattern.New(`^[\w+=,.@-]+$`, 2, 64)
)

// readSessionAttrs reads a role profile's session tags, transitive keys and
// source identity into h, checked as STS will check them.
func readSessionAttrs(raw *rawConfig, h *Hop, configFile string) error {
	bad := func(key string, err error, fix string) error {
		return &ConfigError{Profile: h.Profile, ARN: h.RoleARN, Err: fmt.Errorf("%s: %w", key, err),
			Fix: fix + " in [profile " + h.Profile + "] of " + configFile}
	}
	var err error
	if h.Tags, err = parseSessionTags(raw.sdkValue(h.Profile, keySessionTags)); err != nil {
		return bad(keySessionTags, err, "write session_tags = key1=value1,key2=value2 (at most 50; keys of 1 to 128, values of up to 256 letters, digits, spaces and _.:/=+-@)")
	}
	if h.TransitiveTagKeys, err = parseTransitiveKeys(raw.sdkValue(h.Profile, keyTransitiveTags), h.Tags); err != nil {
		return bad(keyTransitiveTags, err, "write transitive_session_tags = key1,key2 naming keys of session_tags")
	}
	h.SourceIdentity = raw.sdkValue(h.Profile, keySourceIdentity)
	if h.SourceIdentity != "" && !sourceIdentityRE.MatchString(h.SourceIdentity) {
		return bad(keySourceIdentity, fmt.Errorf("%q is not valid", h.SourceIdentity),
			"use 2 to 64 characters of letters, digits and _+=,.@-")
	}
	return nil
}

// parseSessionTags reads "k1=v1,k2=v2"; "" is no tags.
func parseSessionTags(v string) ([]Tag, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var tags []Tag
	seen := map[string]bool{}
	for _, part := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(part, "=")
		k, val = strings.TrimSpace(k), strings.TrimSpace(val)
		switch {
		case !ok:
			return nil, fmt.Errorf("%q is not key=value", strings.TrimSpace(part))
		case !tagKeyRE.MatchString(k):
			return nil, fmt.Errorf("tag key %q is not valid", k)
		case utf8.RuneCountInString(val) > 256 || !tagValueRE.MatchString(val):
			return nil, fmt.Errorf("the value of tag %s is not valid", k)
		case seen[strings.ToLower(k)]:
			return nil, fmt.Errorf("tag key %s is given twice (keys are case-insensitive)", k)
		}
		seen[strings.ToLower(k)] = true
		tags = append(tags, Tag{k, val})
	}
	if len(tags) > maxSessionTags {
		return nil, fmt.Errorf("%d tags, more than the %d AWS allows", len(tags), maxSessionTags)
	}
	return tags, nil
}

// parseTransitiveKeys reads "k1,k2", each a key of tags.
func parseTransitiveKeys(v string, tags []Tag) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var keys []string
	seen := map[string]bool{}
	for _, k := range strings.Split(v, ",") {
		k = strings.TrimSpace(k)
		if !hasTag(tags, k) {
			return nil, fmt.Errorf("%q is not a key of session_tags", k)
		}
		if !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			keys = append(keys, k)
		}
	}
	return keys, nil
}

func hasTag(tags []Tag, key string) bool {
	for _, t := range tags {
		if strings.EqualFold(t.Key, key) {
			return true
		}
	}
	return false
}

// checkChainTags refuses what AWS refuses along a chain: a hop passing a
// tag an earlier hop made transitive (it is inherited), and a source
// identity other than the one an earlier hop set (it is sticky).
func checkChainTags(hops []Hop) error {
	inherited := map[string]string{} // lowercased key → the profile that made it transitive
	identity, identityFrom := "", ""
	for i := range hops {
		h := &hops[i]
		h.inheritsTags, h.inheritsIdentity = len(inherited) > 0, identity != ""
		for _, t := range h.Tags {
			if from, ok := inherited[strings.ToLower(t.Key)]; ok {
				return &ConfigError{Profile: h.Profile, ARN: h.RoleARN,
					Err: fmt.Errorf("session_tags: %s is inherited from %s, which makes it transitive: AWS refuses it again", t.Key, from),
					Fix: "remove " + t.Key + " from session_tags of " + h.Profile + ", or from transitive_session_tags of " + from}
			}
		}
		for _, k := range h.TransitiveTagKeys {
			inherited[strings.ToLower(k)] = h.Profile
		}
		if h.SourceIdentity == "" {
			continue
		}
		if identity != "" && identity != h.SourceIdentity {
			return &ConfigError{Profile: h.Profile, ARN: h.RoleARN,
				Err: fmt.Errorf("source_identity %s differs from %s set by %s: a source identity cannot change within a chain", h.SourceIdentity, identity, identityFrom),
				Fix: "give both profiles the same source_identity, or set it only on " + identityFrom}
		}
		identity, identityFrom = h.SourceIdentity, h.Profile
	}
	return nil
}

// errProviderTags refuses session tags on a role an SDK provider assumes:
// the provider cannot pass them, and dropping them silently would run
// without the tags a policy may demand.
var errProviderTags = errors.New("session_tags, transitive_session_tags and source_identity apply to role profiles with source_profile, not to a role assumed with credential_source, credential_process, SSO or web identity")

// tagIdentity is what the tags add to a role step's cache identity: no
// parts when there are none, so other steps keep their names.
func (h *Hop) tagIdentity() []string {
	if len(h.Tags) == 0 && h.SourceIdentity == "" {
		return nil
	}
	tags := make([]string, 0, len(h.Tags))
	for _, t := range h.Tags {
		tags = append(tags, t.Key+"="+t.Value)
	}
	sort.Strings(tags)
	keys := append([]string(nil), h.TransitiveTagKeys...)
	sort.Strings(keys)
	return []string{"tags", strings.Join(tags, "\x01"), "transitive", strings.Join(keys, "\x01"), "source_identity", h.SourceIdentity}
}

// trustNeeds names the actions the hop's AssumeRole needs the trust policy
// to allow beyond sts:AssumeRole, "" for none.
func (h *Hop) trustNeeds() string {
	var need []string
	if len(h.Tags) > 0 || h.inheritsTags {
		need = append(need, "sts:TagSession")
	}
	if h.SourceIdentity != "" || h.inheritsIdentity {
		need = append(need, "sts:SetSourceIdentity")
	}
	return strings.Join(need, " and ")
}
