package ststest

import (
	"net/url"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// stringParam is a string request parameter with AWS's constraints.
type stringParam struct {
	name     string // form name, e.g. RoleSessionName
	member   string // name in AWS's messages, e.g. roleSessionName
	required bool
	min, max int
	pattern  string // AWS's pattern as it appears in messages; "" for none
	re       *regexp.Regexp
}

func newStringParam(name, member string, required bool, min, max int, pattern string) stringParam {
	p := stringParam{name: name, member: member, required: required, min: min, max: max, pattern: pattern}
	if pattern != "" {
		p.re = regexp.MustCompile("^(?:" + pattern + ")$")
	}
	return p
}

var (
	paramRoleArn          = newStringParam("RoleArn", "roleArn", true, 20, 2048, "")
	paramRoleSessionName  = newStringParam("RoleSessionName", "roleSessionName", true, 2, 64, `[\w+=,.@-]*`)
	paramExternalID       = newStringParam("ExternalId", "externalId", false, 2, 1224, `[\w+=,.@:\/-]*`)
	paramSerialNumber     = newStringParam("SerialNumber", "serialNumber", false, 9, 256, `[\w+=/:,.@-]*`)
	paramTokenCode        = newStringParam("TokenCode", "tokenCode", false, 6, 6, `[\d]*`)
	paramWebIdentityToken = newStringParam("WebIdentityToken", "webIdentityToken", true, 4, 20000, "")
)

// get returns the parameter's value ("" when absent) after checking it.
func (p stringParam) get(form url.Values, v *validation) string {
	values, ok := form[p.name]
	if !ok {
		if p.required {
			v.fail(nil, p.member, "not be null")
		}
		return ""
	}
	s := values[0]
	if n := utf8.RuneCountInString(s); n < p.min {
		v.fail(&s, p.member, "have length greater than or equal to "+strconv.Itoa(p.min))
	} else if n > p.max {
		v.fail(&s, p.member, "have length less than or equal to "+strconv.Itoa(p.max))
	}
	if p.re != nil && !p.re.MatchString(s) {
		v.fail(&s, p.member, "satisfy regular expression pattern: "+p.pattern)
	}
	return s
}

// durationSeconds returns DurationSeconds, or def when absent, after checking
// it lies in [min, max].
func durationSeconds(form url.Values, v *validation, def, min, max int32) int32 {
	values, ok := form["DurationSeconds"]
	if !ok {
		return def
	}
	s := values[0]
	n, err := strconv.ParseInt(s, 10, 32)
	switch {
	case err != nil:
		v.fail(&s, "durationSeconds", "be a number")
	case n < int64(min):
		v.fail(&s, "durationSeconds", "have value greater than or equal to "+strconv.Itoa(int(min)))
	case n > int64(max):
		v.fail(&s, "durationSeconds", "have value less than or equal to "+strconv.Itoa(int(max)))
	}
	return int32(n)
}
