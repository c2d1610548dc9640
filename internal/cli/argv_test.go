package cli

import (
	"slices"
	"strings"
	"testing"
)

// parsed is what a parse set, for comparing: the flags given in order,
// with their values as typed back, then the command.
func parsed(o *Options) string {
	var b strings.Builder
	for _, f := range o.set {
		b.WriteString(f.name + "=" + f.value() + " ")
	}
	b.WriteString("|")
	for _, w := range o.Command {
		b.WriteString(" " + w)
	}
	return b.String()
}

func TestParseForms(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "|"},
		{[]string{}, "|"},
		// Long flags.
		{[]string{"--profile", "a"}, "profile=a |"},
		{[]string{"--profile=a"}, "profile=a |"},
		{[]string{"--profile=a=b"}, "profile=a=b |"},
		{[]string{"--profile="}, "profile= |"},
		{[]string{"--profile", "-v"}, "profile=-v |"}, // a value, whatever it looks like
		{[]string{"--profile", "--"}, "profile=-- |"},
		{[]string{"--profile", ""}, "profile= |"},
		{[]string{"--json"}, "json=true |"},
		{[]string{"--json=true"}, "json=true |"},
		{[]string{"--json=false"}, "json=false |"},
		{[]string{"--json=1"}, "json=true |"},
		{[]string{"--json=F"}, "json=false |"},
		{[]string{"--json", "false"}, "json=true | false"}, // a bool takes no next word
		// Short flags.
		{[]string{"-p", "a"}, "profile=a |"},
		{[]string{"-pa"}, "profile=a |"},
		{[]string{"-p=a"}, "profile=a |"},
		{[]string{"-p="}, "profile== |"}, // -pVALUE with VALUE "="
		{[]string{"-p", "-v"}, "profile=-v |"},
		{[]string{"-v"}, "verbose=true |"},
		{[]string{"-v=false"}, "verbose=false |"},
		{[]string{"-v=0", "cmd"}, "verbose=false | cmd"},
		// Groups.
		{[]string{"-vh"}, "verbose=true help=true |"},
		{[]string{"-hv"}, "help=true verbose=true |"},
		{[]string{"-vpNAME"}, "verbose=true profile=NAME |"},
		{[]string{"-vp", "NAME", "ls"}, "verbose=true profile=NAME | ls"},
		{[]string{"-vp=NAME"}, "verbose=true profile=NAME |"},
		{[]string{"-pv"}, "profile=v |"},                  // p takes the rest of the word
		{[]string{"-profile", "a"}, "profile=rofile | a"}, // one dash: shorthands
		{[]string{"-vv"}, "verbose=true |"},
		{[]string{"-vt123456", "--", "ls"}, "verbose=true mfa-code=123456 | ls"},
		// Help.
		{[]string{"-h"}, "help=true |"},
		{[]string{"--help"}, "help=true |"},
		{[]string{"--help", "ls"}, "help=true | ls"},
		// Twice: the last value, given once, where first given.
		{[]string{"-p", "a", "-v", "--profile=b"}, "profile=b verbose=true |"},
		{[]string{"--json", "--json=false"}, "json=false |"},
		// The end of the flags: the command is untouched.
		{[]string{"--"}, "|"},
		{[]string{"--", "--"}, "| --"},
		{[]string{"-p", "a", "--", "-p", "b"}, "profile=a | -p b"},
		{[]string{"ls", "-p", "b", "--", "--bogus"}, "| ls -p b -- --bogus"},
		{[]string{"-", "x"}, "| - x"},
		{[]string{"-v", "-"}, "verbose=true | -"},
		{[]string{"", "-v"}, "|  -v"},
		{[]string{"ls", "---x"}, "| ls ---x"},
	}
	for _, tt := range tests {
		o, err := Parse(slices.Clone(tt.args))
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.args, err)
			continue
		}
		if got := parsed(o); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestParseErrors keeps pflag's texts, which scripts and the tests of
// both programs read.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--bogus"}, "unknown flag: --bogus"},
		{[]string{"--bogus=1", "ls"}, "unknown flag: --bogus"},
		{[]string{"--Profile", "a"}, "unknown flag: --Profile"},
		{[]string{"--p", "a"}, "unknown flag: --p"},
		{[]string{"-x"}, "unknown shorthand flag: 'x'"},
		{[]string{"-vx"}, "unknown shorthand flag: 'x'"},
		{[]string{"-vxy"}, "unknown shorthand flag: 'x'"},
		{[]string{"-é"}, "unknown shorthand flag: 'é'"},
		{[]string{"-T123456"}, "unknown shorthand flag: 'T'"}, // a typo for -t: never the code
		{[]string{"--profile"}, "flag needs an argument: --profile"},
		{[]string{"-v", "--region"}, "flag needs an argument: --region"},
		{[]string{"-p"}, "flag needs an argument: 'p' in -p"},
		{[]string{"-vp"}, "flag needs an argument: 'p' in -p"},
		{[]string{"--json=x"}, `invalid argument for "--json" flag: want true or false`},
		{[]string{"--json="}, `invalid argument for "--json" flag: want true or false`},
		{[]string{"-v=yes"}, `invalid argument for "-v, --verbose" flag: want true or false`},
		{[]string{"-hv=2"}, `invalid argument for "-v, --verbose" flag: want true or false`},
		{[]string{"---x"}, "bad flag syntax: ---x"},
		{[]string{"---"}, "bad flag syntax: ---"},
		{[]string{"--=x"}, "bad flag syntax: --…"},
		// Typos whose value is an MFA code: the code is never echoed.
		{[]string{"--mfa-code123456"}, "unknown flag: --mfa-code…"},
		{[]string{"---mfa-code=123456"}, "bad flag syntax: ---mfa-code…"},
		{[]string{"--verbose=123456"}, `invalid argument for "-v, --verbose" flag: want true or false`},
		{[]string{"-p", "a", "--bogus", "--", "ls"}, "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		o, err := Parse(tt.args)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want error %q", tt.args, parsed(o), tt.wantErr)
			continue
		}
		if _, ok := err.(UsageError); !ok {
			t.Errorf("Parse(%q): %T is not a usage error (exit 125)", tt.args, err)
		}
		if err.Error() != tt.wantErr {
			t.Errorf("Parse(%q): %q, want %q", tt.args, err, tt.wantErr)
		}
	}
}

// TestParseCommandIsNotShared: the command is a suffix of the caller's
// args, but appending to it never writes into them.
func TestParseCommandIsNotShared(t *testing.T) {
	args := make([]string, 3, 8)
	copy(args, []string{"-v", "ls", "-l"})
	o, err := Parse(args[:2])
	if err != nil {
		t.Fatal(err)
	}
	_ = append(o.Command, "x")
	if args[2] != "-l" {
		t.Errorf("appending to Command wrote %q into the caller's args", args[2])
	}
}

// FuzzParse: no command line panics the parse, and a parse that succeeds
// leaves the command as the caller's words, a suffix of args.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "-p\x00a\x00--\x00ls", "-vpNAME", "--json=x", "---x", "-", "-vx", "-p", "--profile", "ls\x00-v", "-v=false\x00\x00-p"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		o, err := Parse(slices.Clone(args))
		if err != nil {
			if _, ok := err.(UsageError); !ok {
				t.Fatalf("Parse(%q): %T %v is not a usage error", args, err, err)
			}
			return
		}
		if n := len(o.Command); n > len(args) || !slices.Equal(o.Command, args[len(args)-n:]) {
			t.Fatalf("Parse(%q): command %q is not a suffix of args", args, o.Command)
		}
		// A command that looks like flags follows "--".
		if n := len(o.Command); n > 0 && len(o.Command[0]) > 1 && o.Command[0][0] == '-' && (n == len(args) || args[len(args)-n-1] != "--") {
			t.Fatalf("Parse(%q): command %q starts with a flag", args, o.Command)
		}
	})
}

// TestFlagNamesAreUnique: a second definition of a name or a shorthand
// would never be reached (pflag panicked on one).
func TestFlagNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range newFlagSet(&Options{}).flags {
		if f.name == "" || strings.HasPrefix(f.name, "-") || strings.ContainsAny(f.name, "= ") {
			t.Errorf("flag name %q cannot be typed", f.name)
		}
		if f.short != "" && (len(f.short) != 1 || !('a' <= f.short[0] && f.short[0] <= 'z')) {
			t.Errorf("--%s: shorthand %q is not one letter", f.name, f.short)
		}
		for _, n := range []string{"--" + f.name, "-" + f.short} {
			if n != "-" && seen[n] {
				t.Errorf("%s is defined twice", n)
			}
			seen[n] = true
		}
	}
}

// TestUsagesRenderLikePflag: --help's flag list is laid out as pflag's
// FlagUsages laid it out (want is pflag v1.0.10's output for these
// flags): the first backquoted word names the value, a string without
// one shows "string", hidden flags are left out, and a usage's own line
// breaks are indented to the column.
func TestUsagesRenderLikePflag(t *testing.T) {
	var s [4]string
	var b [3]bool
	fs := &flagSet{}
	fs.str(&s[0], "profile", "p", WarmSafe, ModeRun, "profile `NAME`, a `SECOND` one")
	fs.bool(&b[0], "verbose", "v", WarmSafe, ModeRun, "say more")
	fs.str(&s[1], "plain", "", WarmSafe, ModeRun, "no name")
	fs.bool(&b[1], "with-name", "", WarmSafe, ModeRun, "a bool with a `WORD`")
	fs.str(&s[2], "hidden-one-very-long", "", WarmSafe, ModeRun, "hidden")
	fs.str(&s[3], "multi", "m", WarmSafe, ModeRun, "first line\nsecond `LINE`\nthird")
	fs.bool(&b[2], "unclosed", "", WarmSafe, ModeRun, "a ` alone")
	fs.hide("hidden-one-very-long")
	want := "  -p, --profile NAME     profile NAME, a `SECOND` one\n" +
		"  -v, --verbose          say more\n" +
		"      --plain string     no name\n" +
		"      --with-name WORD   a bool with a WORD\n" +
		"  -m, --multi LINE       first line\n" +
		"                         second LINE\n" +
		"                         third\n" +
		"      --unclosed         a ` alone\n"
	if got := fs.usages(); got != want {
		t.Errorf("usages:\n%s\nwant:\n%s", got, want)
	}
}
