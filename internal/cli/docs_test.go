package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The man page (docs/awsrun.1.md) and the README document every flag
// --help lists. A flag added to newFlagSet fails here until both say what
// it does; the message names the flag and the file.
func TestDocsNameEveryFlag(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const manPage = "docs/awsrun.1.md"
	man, readme, usages := read(manPage), read("README.md"), flagUsages()
	for _, f := range completionFlags() {
		if !strings.Contains(usages, "--"+f.Long+" ") && !strings.Contains(usages, "--"+f.Long+"\n") {
			t.Errorf("--%s is not in --help's flag list", f.Long)
		}
		if f.Short != "" {
			if want := "**-" + f.Short + "**, **--" + f.Long + "**"; !strings.Contains(man, want) {
				t.Errorf("%s does not document -%s, --%s: its OPTIONS section needs an entry starting %s", manPage, f.Short, f.Long, want)
			}
		} else if want := "**--" + f.Long + "**"; !strings.Contains(man, want) {
			t.Errorf("%s does not document --%s: its OPTIONS section needs an entry starting %s", manPage, f.Long, want)
		}
		if !strings.Contains(readme, "--"+f.Long) {
			t.Errorf("README.md does not mention --%s", f.Long)
		}
	}
	for _, section := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"} {
		if !strings.Contains(man, "\n# "+section+"\n") {
			t.Errorf("%s has no %s section", manPage, section)
		}
	}
}
