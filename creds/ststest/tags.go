package ststest

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Session tags and source identity, as AssumeRole takes them:
//
//   - up to 50 tags, keys of 1–128 and values of 0–256 characters of
//     letters, digits, spaces and _.:/=+-@; keys are case-insensitive, so two
//     keys that differ in case only are a duplicate;
//   - TransitiveTagKeys name tags of the same request; those tags pass to
//     every session made with the new one (role chaining), and a later hop
//     may not pass a tag with an inherited key;
//   - SourceIdentity, 2–64 of [\w+=,.@-], is set once: every later session of
//     the chain carries it and a different one is refused;
//   - the role's trust policy must allow sts:TagSession for any tag, passed
//     or inherited, and sts:SetSourceIdentity for a source identity.
const maxSessionTags = 50

var (
	paramSourceIdentity = newStringParam("SourceIdentity", "sourceIdentity", false, 2, 64, `[\w+=,.@-]*`)
	tagKeyPattern       = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	tagValuePattern     = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
	tagKeyRE            = regexp.MustCompile("^(?:" + tagKeyPattern + ")$")
	tagValueRE          = regexp.MustCompile("^(?:" + tagValuePattern + ")$")
)

// Tag is a session tag.
type Tag struct{ Key, Value string }

// SessionInfo is what a temporary credential carries beyond its principal,
// for tests to check what awsrun sent along a chain.
type SessionInfo struct {
	// Tags are the session's tags, passed and inherited, sorted by key.
	Tags []Tag
	// TransitiveTagKeys are the keys that pass on to sessions made with it.
	TransitiveTagKeys []string
	// SourceIdentity is the chain's source identity, "" when none was set.
	SourceIdentity string
}

// sessionAttrs are a credential's tags and source identity.
type sessionAttrs struct {
	tags           map[string]Tag // by lowercased key
	transitive     map[string]bool
	sourceIdentity string
}

// Session returns the tags and source identity of the temporary
// credentials whose key id is accessKeyID.
func (s *Server) Session(accessKeyID string) (SessionInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.keys[accessKeyID]
	if !ok || !c.temporary() {
		return SessionInfo{}, false
	}
	info := SessionInfo{SourceIdentity: c.attrs.sourceIdentity}
	for _, t := range c.attrs.tags {
		info.Tags = append(info.Tags, t)
	}
	sort.Slice(info.Tags, func(i, j int) bool { return info.Tags[i].Key < info.Tags[j].Key })
	for _, t := range info.Tags {
		if c.attrs.transitive[strings.ToLower(t.Key)] {
			info.TransitiveTagKeys = append(info.TransitiveTagKeys, t.Key)
		}
	}
	return info, true
}

// requestTags reads Tags.member.N.Key/Value and TransitiveTagKeys.member.N,
// with AWS's limits on each.
func requestTags(form url.Values, v *validation) (tags []Tag, transitive []string) {
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i) + "."
		key, hasKey := form[prefix+"Key"]
		value, hasValue := form[prefix+"Value"]
		if !hasKey && !hasValue {
			break
		}
		t := Tag{Key: first(key), Value: first(value)}
		if !hasKey || !hasValue {
			v.fail(nil, "tags."+strconv.Itoa(i)+".member."+map[bool]string{true: "value", false: "key"}[hasKey], "not be null")
		}
		checkTagPart(v, &t.Key, "key", 1, 128, tagKeyRE, tagKeyPattern)
		checkTagPart(v, &t.Value, "value", 0, 256, tagValueRE, tagValuePattern)
		tags = append(tags, t)
	}
	if len(tags) > maxSessionTags {
		v.fail(nil, "tags", "have length less than or equal to "+strconv.Itoa(maxSessionTags))
	}
	for i := 1; ; i++ {
		k, ok := form["TransitiveTagKeys.member."+strconv.Itoa(i)]
		if !ok {
			break
		}
		key := first(k)
		checkTagPart(v, &key, "transitiveTagKeys", 1, 128, tagKeyRE, tagKeyPattern)
		transitive = append(transitive, key)
	}
	if len(transitive) > maxSessionTags {
		v.fail(nil, "transitiveTagKeys", "have length less than or equal to "+strconv.Itoa(maxSessionTags))
	}
	return tags, transitive
}

func checkTagPart(v *validation, s *string, member string, min, max int, re *regexp.Regexp, pattern string) {
	if n := utf8.RuneCountInString(*s); n < min {
		v.fail(s, member, "have length greater than or equal to "+strconv.Itoa(min))
	} else if n > max {
		v.fail(s, member, "have length less than or equal to "+strconv.Itoa(max))
	}
	if *s != "" && !re.MatchString(*s) {
		v.fail(s, member, "satisfy regular expression pattern: "+pattern)
	}
}

func first(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// newSessionAttrs is what a session made by caller with the request's
// tags and source identity carries, or the error AWS gives: inherited
// transitive tags join the new ones, and the source identity sticks.
func newSessionAttrs(caller *credential, role *Role, tags []Tag, transitive []string, sourceIdentity string, denied *apiError) (sessionAttrs, *apiError) {
	a := sessionAttrs{tags: map[string]Tag{}, transitive: map[string]bool{}, sourceIdentity: caller.attrs.sourceIdentity}
	for k := range caller.attrs.transitive {
		a.tags[k] = caller.attrs.tags[k]
		a.transitive[k] = true
	}
	requested := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if requested[k] {
			return sessionAttrs{}, invalidParameter("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		requested[k] = true
		if a.transitive[k] {
			return sessionAttrs{}, invalidParameter("Tag key " + t.Key + " is an inherited transitive session tag; a session tag with the same key cannot be passed.")
		}
		a.tags[k] = t
	}
	for _, key := range transitive {
		k := strings.ToLower(key)
		if !requested[k] {
			return sessionAttrs{}, invalidParameter("Transitive tag key " + key + " is not one of the session tags passed.")
		}
		a.transitive[k] = true
	}
	if sourceIdentity != "" {
		if a.sourceIdentity != "" && a.sourceIdentity != sourceIdentity {
			return sessionAttrs{}, denied // the source identity cannot change within a chain
		}
		a.sourceIdentity = sourceIdentity
	}
	p := role.Policy
	if (len(a.tags) > 0 && !p.AllowTagSession) || (a.sourceIdentity != "" && !p.AllowSetSourceIdentity) {
		return sessionAttrs{}, denied
	}
	return a, nil
}

func invalidParameter(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValue", msg}
}
