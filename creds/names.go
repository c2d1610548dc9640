package creds

import (
	"os/user"
	"path/filepath"
	"strings"
	"time"
)

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// DefaultSessionName is the RoleSessionName used when a profile sets none:
// awsrun- and the local user, cut to what STS accepts, so CloudTrail shows
// who assumed the role.
func DefaultSessionName(getenv func(string) string) string {
	name := firstNonEmpty(getenv("USER"), getenv("USERNAME"), getenv("LOGNAME"))
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = filepath.Base(u.Username) // DOMAIN\name on Windows
		}
	}
	var b strings.Builder
	b.WriteString("awsrun-")
	for _, r := range name {
		if isSessionNameRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.TrimRight(s, "-")
}

func isSessionNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)
}

func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !isSessionNameRune(r) {
			return false
		}
	}
	return true
}

func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
