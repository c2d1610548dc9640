package cli

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The command line is parsed GNU style, the way spf13/pflag parses it
// with interspersing off, and with pflag's error texts: --name,
// --name=value, --name value, -x, -xVALUE, -x=VALUE, -x VALUE, grouped
// shorthands (-vh, -vpNAME), bool flags taking =true or =false. "--" ends
// the flags, and so does the first word that is not a flag ("" and "-"
// included): it and everything after it are the command, never parsed. A
// flag given twice takes its last value. awsrun has string and bool flags
// only.
//
// It is awsrun's own because pflag links package net (for its IP flag
// types), and net's cgo files make a default (CGO_ENABLED=1) build of the
// launcher dynamically linked: the loader's start on every warm launch.

// flagDef is one of awsrun's flags: its names, its usage line, where its
// value goes, its class and the modes it means something in.
type flagDef struct {
	name   string
	short  string // one ASCII letter, or ""
	usage  string // a backquoted word in it names the value in --help
	hidden bool   // not in --help nor in the completion scripts
	str    *string
	bool   *bool // nil for a string flag
	class  Class
	modes  Mode
}

// isBool reports whether the flag takes no value.
func (f *flagDef) isBool() bool { return f.bool != nil }

// set gives the flag a value from the command line.
func (f *flagDef) set(value string) error {
	if !f.isBool() {
		*f.str = value
		return nil
	}
	b, err := strconv.ParseBool(value)
	if err != nil {
		name := "--" + f.name
		if f.short != "" {
			name = "-" + f.short + ", " + name
		}
		// Not the value: -v=123456 is a typo whose value is an MFA code.
		return fmt.Errorf("invalid argument for %q flag: want true or false", name)
	}
	*f.bool = b
	return nil
}

// value is the flag's value as typed back: "true"/"false" for a bool.
func (f *flagDef) value() string {
	if f.isBool() {
		return strconv.FormatBool(*f.bool)
	}
	return *f.str
}

// flagSet is awsrun's flags, in the order of --help.
type flagSet struct {
	flags []flagDef
}

func (fs *flagSet) long(name string) *flagDef {
	for i := range fs.flags {
		if fs.flags[i].name == name {
			return &fs.flags[i]
		}
	}
	return nil
}

func (fs *flagSet) shorthand(c byte) *flagDef {
	for i := range fs.flags {
		if f := &fs.flags[i]; len(f.short) == 1 && f.short[0] == c {
			return f
		}
	}
	return nil
}

// parse sets the flags at the start of args. It returns the flags given,
// each once, in the order first given, and the command: the words after
// the flags, a suffix of args.
func (fs *flagSet) parse(args []string) (given []*flagDef, command []string, err error) {
	note := func(f *flagDef) {
		for _, g := range given {
			if g == f {
				return
			}
		}
		given = append(given, f)
	}
	for len(args) > 0 {
		s := args[0]
		if len(s) < 2 || s[0] != '-' {
			break // the command: "", "-" and every word not a flag
		}
		args = args[1:]
		if s == "--" {
			break
		}
		if s[1] == '-' {
			var f *flagDef
			if f, args, err = fs.parseLong(s, args); err != nil {
				return nil, nil, err
			}
			note(f)
			continue
		}
		// A group of shorthands: every one but the last is a bool, or
		// takes the rest of the word as its value.
		for rest := s[1:]; rest != ""; {
			var f *flagDef
			if f, rest, args, err = fs.parseShort(rest, args); err != nil {
				return nil, nil, err
			}
			note(f)
		}
	}
	return given, args[:len(args):len(args)], nil
}

// parseLong parses s, a word that starts with "--" and is not "--", and
// its value from args if it takes one.
func (fs *flagSet) parseLong(s string, args []string) (*flagDef, []string, error) {
	name := s[2:]
	if name[0] == '-' || name[0] == '=' {
		return nil, nil, fmt.Errorf("bad flag syntax: %s", flagWord(s))
	}
	name, value, hasValue := strings.Cut(name, "=")
	f := fs.long(name)
	switch {
	case f == nil:
		return nil, nil, fmt.Errorf("unknown flag: %s", flagWord("--"+name))
	case hasValue:
	case f.isBool():
		value = "true"
	case len(args) > 0:
		value, args = args[0], args[1:]
	default:
		return nil, nil, fmt.Errorf("flag needs an argument: --%s", name)
	}
	return f, args, f.set(value)
}

// flagWord is what an error names of a word that is not a flag: its
// dashes and letters, cut at anything else. No flag's name holds a digit,
// and a word like --mfa-code123456 (a typo for --mfa-code=) holds an MFA
// code, which must not reach stderr and the CI log it goes to.
func flagWord(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r != '-' && !unicode.IsLetter(r) })
	if i < 0 {
		return s
	}
	return s[:i] + "…"
}

// parseShort parses the first shorthand of shorts, the rest of a word
// after its "-": a bool is set and the rest left for the next; a flag
// that takes a value takes "=VALUE" or the rest of the word or, if none is
// left, the next word of args.
func (fs *flagSet) parseShort(shorts string, args []string) (f *flagDef, rest string, _ []string, _ error) {
	c := shorts[0]
	if f = fs.shorthand(c); f == nil {
		// The letter as typed, even if not ASCII, and not the rest of the
		// word: in -T123456, a typo for -t, the rest is an MFA code.
		r, _ := utf8.DecodeRuneInString(shorts)
		return nil, "", nil, fmt.Errorf("unknown shorthand flag: %q", r)
	}
	var value string
	switch {
	case len(shorts) > 2 && shorts[1] == '=':
		value = shorts[2:]
	case f.isBool():
		value, rest = "true", shorts[1:]
	case len(shorts) > 1:
		value = shorts[1:]
	case len(args) > 0:
		value, args = args[0], args[1:]
	default:
		return nil, "", nil, fmt.Errorf("flag needs an argument: %q in -%s", rune(c), shorts)
	}
	return f, rest, args, f.set(value)
}

// unquoteUsage splits a flag's usage into the name of its value, the
// first backquoted word ("" for a bool without one, "string" for a string
// without one), and the usage without the backquotes.
func unquoteUsage(f *flagDef) (name, usage string) {
	usage = f.usage
	if i := strings.IndexByte(usage, '`'); i >= 0 {
		if j := strings.IndexByte(usage[i+1:], '`'); j >= 0 {
			name = usage[i+1 : i+1+j]
			return name, usage[:i] + name + usage[i+1+j+1:]
		}
	}
	if f.isBool() {
		return "", usage
	}
	return "string", usage
}

// usages renders the flag list of --help: a column of the flags and their
// values' names, padded to the widest, then the usage, one flag a line.
// It is byte for byte what pflag's FlagUsages printed.
func (fs *flagSet) usages() string {
	type line struct{ left, usage string }
	var lines []line
	width := 0
	for i := range fs.flags {
		f := &fs.flags[i]
		if f.hidden {
			continue
		}
		left := "      --" + f.name
		if f.short != "" {
			left = "  -" + f.short + ", --" + f.name
		}
		name, usage := unquoteUsage(f)
		if name != "" {
			left += " " + name
		}
		width = max(width, len(left))
		lines = append(lines, line{left, usage})
	}
	var b strings.Builder
	for _, l := range lines {
		// Three spaces past the widest (pflag's column), and a usage's
		// own line breaks indented to it.
		pad := strings.Repeat(" ", width-len(l.left)+3)
		indent := "\n" + strings.Repeat(" ", width+3)
		b.WriteString(l.left + pad + strings.ReplaceAll(l.usage, "\n", indent) + "\n")
	}
	return b.String()
}
