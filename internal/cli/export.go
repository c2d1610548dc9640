package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

// ExportFormats are the formats --export knows, in the order the usage
// lists them.
var ExportFormats = []string{"env", "fish", "powershell", "dotenv", "json", ExportCredentialProcess, ExportEKSToken}

// ValidExport reports whether format is one --export knows.
func ValidExport(format string) bool { return slices.Contains(ExportFormats, format) }

// exportFormatList is ExportFormats for a sentence: "env, …, json or eks-token".
func exportFormatList() string {
	n := len(ExportFormats)
	return strings.Join(ExportFormats[:n-1], ", ") + " or " + ExportFormats[n-1]
}

// Export prints the credentials in the asked format on stdout: the one
// place awsrun writes them anywhere but a child's environment.
func Export(w io.Writer, format string, c warm.Credentials, region string) error {
	expiration := ""
	if !c.Expiration.IsZero() {
		expiration = c.Expiration.UTC().Format(time.RFC3339)
	}
	switch format {
	case "env":
		var b strings.Builder
		for _, v := range exportVars(c, region) {
			fmt.Fprintf(&b, "export %s=%s\n", v[0], shellQuote(v[1]))
		}
		_, err := io.WriteString(w, b.String())
		return err
	case "fish":
		_, err := io.WriteString(w, fishExport(exportVars(c, region)))
		return err
	case "powershell":
		_, err := io.WriteString(w, powershellExport(exportVars(c, region)))
		return err
	case "dotenv":
		text, err := dotenvExport(exportVars(c, region))
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, text)
		return err
	case "json":
		return writeJSON(w, struct {
			AccessKeyID     string `json:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string
			Expiration      string `json:",omitempty"`
			Region          string `json:",omitempty"`
		}{c.AccessKeyID, c.SecretAccessKey, c.SessionToken, expiration, region})
	default: // credential-process
		return writeJSON(w, struct {
			Version         int
			AccessKeyID     string `json:"AccessKeyId"`
			SecretAccessKey string
			SessionToken    string `json:",omitempty"`
			Expiration      string `json:",omitempty"`
		}{1, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, expiration})
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// shellQuote quotes s for POSIX shells: single quotes, with each embedded
// single quote closed, escaped and reopened.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
