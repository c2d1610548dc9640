package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

// exportVars are the variables the shell formats set, in order: the
// credentials, their expiry, and the region when one is known, with its
// marker, so that a later awsrun knows the region is not the user's.
func exportVars(c warm.Credentials, region string) [][2]string {
	vars := [][2]string{
		{"AWS_ACCESS_KEY_ID", c.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey},
		{"AWS_SESSION_TOKEN", c.SessionToken},
	}
	if !c.Expiration.IsZero() {
		vars = append(vars, [2]string{"AWS_CREDENTIAL_EXPIRATION", c.Expiration.UTC().Format(time.RFC3339)})
	}
	if region != "" {
		vars = append(vars, [2]string{"AWS_REGION", region}, [2]string{"AWS_DEFAULT_REGION", region}, [2]string{RegionMarker, region})
	}
	return vars
}

// fishExport is `set -gx NAME 'value'` lines, for `| source` in fish.
func fishExport(vars [][2]string) string {
	var b strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&b, "set -gx %s %s\n", v[0], fishQuote(v[1]))
	}
	return b.String()
}

// fishQuote quotes s for fish: in single quotes only a backslash and a
// single quote are special, each escaped with a backslash. Everything else,
// newlines and $ included, stands for itself.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// powershellExport is `$Env:NAME = 'value'` lines, for
// `| Out-String | Invoke-Expression` in PowerShell.
func powershellExport(vars [][2]string) string {
	var b strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&b, "$Env:%s = %s\n", v[0], powershellQuote(v[1]))
	}
	return b.String()
}

// powershellQuote quotes s as a PowerShell verbatim string: in single
// quotes nothing is expanded, and a quote is escaped by doubling it.
// PowerShell takes the typographic single quotes (U+2018–U+201B) for
// quotes too, so each of them is doubled as well.
func powershellQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// dotenvExport is KEY=value lines as `docker run --env-file` reads them:
// the value is everything after the first '=' up to the end of the line,
// with no quoting or escapes at all. A value with a line break (or a NUL)
// cannot be written so; it is refused rather than cut.
func dotenvExport(vars [][2]string) (string, error) {
	var b strings.Builder
	for _, v := range vars {
		if strings.ContainsAny(v[1], "\n\r\x00") {
			return "", fmt.Errorf("%s holds a line break, which a dotenv file cannot carry", v[0])
		}
		fmt.Fprintf(&b, "%s=%s\n", v[0], v[1])
	}
	return b.String(), nil
}
