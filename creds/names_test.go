package creds

import (
	"context"
	"strings"
	"testing"
)

// TestSectionHeadersTheSDKAcceptsAreAccepted guards awsrun's own reading
// of the files against refusing a section header the SDK and the AWS CLI
// accept: two spaces or a tab after "profile", spaces inside the brackets.
func TestSectionHeadersTheSDKAcceptsAreAccepted(t *testing.T) {
	const role = "role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = user101\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
	tests := []struct{ header, profile, creds string }{
		{"[profile  two]", "two", "[user101]"},
		{"[profile two ]", "two", "[user101]"},
		{"[ profile two ]", "two", "[user101]"},
		{"[profile\ttwo]", "two", "[user101]"},
		{"[profile \t two words]", "two words", "[user101]"},
		{"[profile two]", "two", "[ user101 ]"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			writeFiles(t, tt.header+"\n"+role, strings.Replace(seedCredentials, "[user101]", tt.creds, 1))
			c, err := LoadChain(context.Background(), tt.profile, LoadOptions{})
			if err != nil {
				t.Fatalf("LoadChain(%q): %v (hint: %s)", tt.profile, err, errHint(err))
			}
			if got := c.ARN(); got != "arn:aws:iam::123456789012:role/r" || c.MFASerial == "" {
				t.Errorf("role %q, mfa_serial %q", got, c.MFASerial)
			}
		})
	}
}

func errHint(err error) string {
	if h, ok := err.(interface{ Hint() string }); ok {
		return h.Hint()
	}
	return ""
}
