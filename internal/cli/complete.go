package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/awsrun/awsrun/creds/warm"
)

// Shells are the shells --completion writes a script for.
var Shells = []string{"bash", "zsh", "fish", "powershell"}

// completeProfilesFlag is the hidden flag the completion scripts call for
// profile names: "awsrun --complete-profiles [-- PREFIX]".
const completeProfilesFlag = "complete-profiles"

// Complete serves --completion and --complete-profiles, in the launcher
// as in awsrun-core: neither needs the SDK, and a keypress should not
// wait for it. done is false, having printed nothing, for every other
// invocation.
func Complete(o *Options, stdout, stderr io.Writer, environ []string) (code int, done bool) {
	switch {
	case o.CompleteProfs:
		prefix := ""
		if len(o.Command) > 0 {
			prefix = o.Command[0]
		}
		// Completion is best effort and silent: a missing or unreadable
		// file offers no names, and the real run says what is wrong.
		env := EnvMap(environ)
		getenv := func(k string) string { return env[k] }
		names := ProfileNames(warm.ConfigFile(getenv), warm.CredentialsFile(getenv))
		w := bufio.NewWriter(stdout)
		for _, n := range names {
			if strings.HasPrefix(n, prefix) {
				w.WriteString(n)
				w.WriteByte('\n')
			}
		}
		if err := w.Flush(); err != nil {
			return 1, true
		}
		return 0, true
	case o.Completion != "":
		if len(o.Command) > 0 {
			return Fail(stderr, UsageError{fmt.Errorf("--completion prints a script and runs no command, but %q was given", o.Command[0])}), true
		}
		script, err := CompletionScript(o.Completion)
		if err != nil {
			return Fail(stderr, err), true
		}
		if _, err := io.WriteString(stdout, script); err != nil {
			return Fail(stderr, err), true
		}
		return 0, true
	}
	return 0, false
}

// maxConfigBytes bounds what completion reads of one file: far beyond any
// real config (5,000 profiles are about 1 MB), short of a keypress that
// reads a device or a runaway file.
const maxConfigBytes = 64 << 20

// ProfileNames lists the profiles of a config and a credentials file for
// completion, config file order first, each once: "[profile NAME]" and
// "[default]" in the config file, "[NAME]" in the credentials file, as
// the AWS SDK names them (and awsrun --list lists them).
//
// It is a line scan, not the SDK's parser: completion runs on every
// keypress, and a name offered here is only a candidate — the run itself
// resolves the profile with the SDK and says what is wrong with it.
func ProfileNames(configFile, credentialsFile string) []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	scanSections(configFile, func(s string) {
		if n, ok := strings.CutPrefix(s, "profile"); ok && n != "" && (n[0] == ' ' || n[0] == '\t') {
			add(strings.TrimSpace(n))
		} else if s == "default" {
			add(s)
		}
	})
	scanSections(credentialsFile, add)
	return names
}

// scanSections calls section with the name of each "[section]" line of
// file, trimmed. Lines longer than the reader's buffer are skipped whole.
func scanSections(file string, section func(string)) {
	f, err := os.Open(file)
	if err != nil {
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return
	}
	r := bufio.NewReaderSize(io.LimitReader(f, maxConfigBytes), 64<<10)
	long := false
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = true
			continue
		}
		if !long {
			line = bytes.TrimSpace(line)
			if len(line) > 2 && line[0] == '[' {
				if end := bytes.IndexByte(line, ']'); end > 0 {
					section(strings.TrimSpace(string(line[1:end])))
				}
			}
		}
		long = false
		if err != nil {
			return
		}
	}
}

// exportFormats are the --export formats completion offers, in the order
// it offers them; only those ValidExport accepts are offered.
var exportFormats = []string{"env", "json", "credential-process", "fish", "powershell", "dotenv", "eks-token"}

// keysVerbs are --keys' verbs.
var keysVerbs = []string{"add", "import", "rotate", "remove", "list"}

// flagValues are the candidates for a flag's value; nil for a value with
// none to offer (a duration, a code).
func flagValues(name string) []string {
	switch name {
	case "export":
		var out []string
		for _, f := range exportFormats {
			if ValidExport(f) {
				out = append(out, f)
			}
		}
		return out
	case "keys":
		return keysVerbs
	case "completion":
		return Shells
	}
	return nil
}

// completionFlag is one flag as the scripts complete it.
type completionFlag struct {
	Long, Short string
	Arg         string   // the value's name; "" for a switch
	Usage       string   // one line
	Values      []string // fixed candidates for the value
	Profiles    bool     // the value is a profile name
}

// completionFlags are awsrun's visible flags, in --help's order.
func completionFlags() []completionFlag {
	var out []completionFlag
	fs := newFlagSet(&Options{})
	for i := range fs.flags {
		f := &fs.flags[i]
		if f.hidden {
			continue
		}
		arg, usage := unquoteUsage(f)
		if f.isBool() {
			arg = ""
		} else if arg == "" {
			arg = "VALUE"
		}
		// The first sentence is enough beside a candidate.
		if i := strings.Index(usage, " ("); i > 0 {
			usage = usage[:i]
		}
		if i := strings.Index(usage, ": "); i >= 20 {
			usage = usage[:i]
		}
		out = append(out, completionFlag{
			Long: f.name, Short: f.short, Arg: arg, Usage: usage,
			Values: flagValues(f.name), Profiles: f.name == "profile",
		})
	}
	return out
}

// CompletionScript is the completion script for shell.
func CompletionScript(shell string) (string, error) {
	flags := completionFlags()
	switch shell {
	case "bash":
		return bashCompletion(flags), nil
	case "zsh":
		return zshCompletion(flags), nil
	case "fish":
		return fishCompletion(flags), nil
	case "powershell":
		return powershellCompletion(flags), nil
	}
	return "", UsageError{fmt.Errorf("unknown --completion shell %q (want %s)", shell, strings.Join(Shells, ", "))}
}

// valueShorts are the shorthand letters of flags that take a value, for
// telling "-vp NAME" (p takes the next word) from "-pNAME".
func valueShorts(flags []completionFlag) string {
	var b strings.Builder
	for _, f := range flags {
		if f.Arg != "" && f.Short != "" {
			b.WriteString(f.Short)
		}
	}
	return b.String()
}

func valueLongs(flags []completionFlag) []string {
	var out []string
	for _, f := range flags {
		if f.Arg != "" {
			out = append(out, "--"+f.Long)
		}
	}
	return slices.Clip(out)
}
