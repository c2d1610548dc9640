package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The man page (docs/awsrun.1.md) and the README document every flag
// --help lists.
func TestDocsNameEveryFlag(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	man, readme := read("docs/awsrun.1.md"), read("README.md")
	for _, f := range completionFlags() {
		if !strings.Contains(flagUsages(), "--"+f.Long+" ") && !strings.Contains(flagUsages(), "--"+f.Long+"\n") {
			t.Fatalf("--%s is not in --help's flag list", f.Long)
		}
		if !strings.Contains(man, "**--"+f.Long+"**") {
			t.Errorf("docs/awsrun.1.md does not document --%s", f.Long)
		}
		if f.Short != "" && !strings.Contains(man, "**-"+f.Short+"**, **--"+f.Long+"**") {
			t.Errorf("docs/awsrun.1.md does not give -%s for --%s", f.Short, f.Long)
		}
		if !strings.Contains(readme, "--"+f.Long) {
			t.Errorf("README.md does not mention --%s", f.Long)
		}
	}
	for _, section := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"} {
		if !strings.Contains(man, "\n# "+section+"\n") {
			t.Errorf("docs/awsrun.1.md has no %s section", section)
		}
	}
}
