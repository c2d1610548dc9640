package keys

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// The credentials file is rewritten line by line, never parsed and
// printed again: every byte but the key lines — comments, order, blank
// lines, CRLF endings, odd spacing, other profiles — stays as it was.
// Anything that would make the key lines a guess (a repeated section or
// key, a continuation line) is refused; the SDK reads the result as
// before, minus the keys.

const (
	keyIDName  = "aws_access_key_id"
	secretName = "aws_secret_access_key"
)

// ErrNoKeysInFile is a profile without keys in the credentials file.
var ErrNoKeysInFile = errors.New("no aws_access_key_id and aws_secret_access_key")

// ErrNoSection is a profile without a section in the credentials file; it
// is an ErrNoKeysInFile too.
var ErrNoSection = fmt.Errorf("%w: no such section", ErrNoKeysInFile)

// keyLines are where a profile's two keys are in a credentials file.
type keyLines struct {
	lines           []string // the file, each line with its line ending
	id, secret      int      // line indexes
	idVal, secVal   string   // the values as the SDK reads them
	idSpan, secSpan [2]int   // byte span of each value within its line
}

// splitLines cuts b after every '\n', keeping the endings.
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

// body is a line without its line ending.
func body(line string) string { return strings.TrimRight(line, "\r\n") }

// ending is a line's line ending: "\r\n", "\n" or "".
func ending(line string) string { return line[len(body(line)):] }

// findKeys locates profile's key lines in a credentials file. Section
// names are matched as the SDK matches them in that file: [NAME], with
// whitespace inside the brackets ignored.
func findKeys(content []byte, profile string) (*keyLines, error) {
	k := &keyLines{lines: splitLines(content), id: -1, secret: -1}
	section, sections := "", 0
	prevEmptyKey := false // the last key line had no value: indented lines below are its sub-keys
	for i, line := range k.lines {
		b := body(line)
		t := strings.Trim(b, " \t")
		n := i + 1
		switch {
		case t == "" || t[0] == '#' || t[0] == ';':
			continue
		case t[0] == '[':
			end := strings.IndexByte(t, ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: a section header without ]", n)
			}
			if rest := strings.Trim(t[end+1:], " \t"); rest != "" && rest[0] != '#' && rest[0] != ';' {
				return nil, fmt.Errorf("line %d: text after a section header", n)
			}
			section = strings.Trim(t[1:end], " \t")
			if section == profile {
				sections++
				if sections > 1 {
					return nil, fmt.Errorf("line %d: [%s] appears twice", n, profile)
				}
			}
			prevEmptyKey = false
			continue
		}
		indented := b[0] == ' ' || b[0] == '\t'
		if indented && prevEmptyKey {
			continue
		}
		eq := strings.IndexByte(b, '=')
		if eq < 0 {
			continue // not a key line; the SDK skips it too
		}
		name := strings.ToLower(strings.Trim(b[:eq], " \t"))
		start := eq + 1
		for start < len(b) && (b[start] == ' ' || b[start] == '\t') {
			start++
		}
		end := len(b)
		for _, mark := range []string{" #", " ;", "\t#", "\t;"} {
			if j := strings.Index(b[start:], mark); j >= 0 && start+j < end {
				end = start + j
			}
		}
		for end > start && (b[end-1] == ' ' || b[end-1] == '\t') {
			end--
		}
		val := b[start:end]
		prevEmptyKey = val == ""
		if section != profile || (name != keyIDName && name != secretName) {
			continue
		}
		if indented {
			return nil, fmt.Errorf("line %d: %s is indented, which the SDK may read as part of the line above", n, name)
		}
		if i+1 < len(k.lines) {
			if next := body(k.lines[i+1]); next != "" && (next[0] == ' ' || next[0] == '\t') {
				if nt := strings.Trim(next, " \t"); nt != "" && nt[0] != '#' && nt[0] != ';' && nt[0] != '[' {
					return nil, fmt.Errorf("line %d: an indented line follows %s", n+1, name)
				}
			}
		}
		if val == "" || strings.ContainsAny(val[:1], `"'`) {
			return nil, fmt.Errorf("line %d: %s is empty or quoted", n, name)
		}
		if name == keyIDName {
			if k.id >= 0 {
				return nil, fmt.Errorf("line %d: %s appears twice in [%s]", n, name, profile)
			}
			k.id, k.idVal, k.idSpan = i, val, [2]int{start, end}
		} else {
			if k.secret >= 0 {
				return nil, fmt.Errorf("line %d: %s appears twice in [%s]", n, name, profile)
			}
			k.secret, k.secVal, k.secSpan = i, val, [2]int{start, end}
		}
	}
	switch {
	case sections == 0:
		return nil, ErrNoSection
	case k.id < 0 && k.secret < 0:
		return nil, ErrNoKeysInFile
	case k.id < 0 || k.secret < 0:
		return nil, fmt.Errorf("[%s] has only one of %s and %s", profile, keyIDName, secretName)
	}
	return k, nil
}

// ExtractKeys returns the credentials file without profile's two key
// lines, a comment line in place of the first, and the keys it held.
func ExtractKeys(content []byte, profile, comment string) (rewritten []byte, id, secret string, err error) {
	k, err := findKeys(content, profile)
	if err != nil {
		return nil, "", "", err
	}
	var b bytes.Buffer
	for i, line := range k.lines {
		switch i {
		case min(k.id, k.secret):
			nl := ending(line)
			if nl == "" {
				nl = "\n"
				if i == len(k.lines)-1 {
					nl = ""
				}
			}
			b.WriteString("# " + comment + nl)
		case max(k.id, k.secret):
		default:
			b.WriteString(line)
		}
	}
	return b.Bytes(), k.idVal, k.secVal, nil
}

// ReplaceKeys returns the credentials file with the values of profile's
// two keys replaced, every other byte (spacing, inline comments, line
// endings) kept.
func ReplaceKeys(content []byte, profile, id, secret string) ([]byte, error) {
	k, err := findKeys(content, profile)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for i, line := range k.lines {
		switch i {
		case k.id:
			b.WriteString(line[:k.idSpan[0]] + id + line[k.idSpan[1]:])
		case k.secret:
			b.WriteString(line[:k.secSpan[0]] + secret + line[k.secSpan[1]:])
		default:
			b.WriteString(line)
		}
	}
	return b.Bytes(), nil
}

// FileKeys returns the keys profile has in the credentials file.
func FileKeys(content []byte, profile string) (id, secret string, err error) {
	k, err := findKeys(content, profile)
	if err != nil {
		return "", "", err
	}
	return k.idVal, k.secVal, nil
}
