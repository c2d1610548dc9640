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
	// An entry is a line of its own in OPTIONS: a mention elsewhere (in
	// ENVIRONMENT, say) does not document a flag.
	_, options, _ := strings.Cut(man, "\n# OPTIONS\n")
	options, _, _ = strings.Cut(options, "\n# ")
	for _, f := range completionFlags() {
		if !strings.Contains(usages, "--"+f.Long+" ") && !strings.Contains(usages, "--"+f.Long+"\n") {
			t.Errorf("--%s is not in --help's flag list", f.Long)
		}
		want := "**--" + f.Long + "**"
		if f.Short != "" {
			want = "**-" + f.Short + "**, " + want
		}
		if !strings.Contains(options, "\n"+want+" ") && !strings.Contains(options, "\n"+want+"\n") {
			t.Errorf("%s does not document --%s: its OPTIONS section needs an entry, a line starting %s", manPage, f.Long, want)
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
