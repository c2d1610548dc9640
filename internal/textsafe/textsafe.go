// Package textsafe makes text from elsewhere (an STS answer, a proxy's
// page, a config value) safe to print on a terminal: what a terminal would
// act on or hide instead of showing becomes a visible escape.
package textsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Escape returns s with every control character but the whitespace ones
// (C0, DEL and C1: U+0000–U+001F, U+007F–U+009F) written as \xHH, and
// every bidirectional formatting character (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069) as \uHHHH, so that an escape sequence
// cannot retitle, recolour or rewrite the terminal, and a bidi override
// cannot make the text read as something else. Invalid UTF-8 becomes
// U+FFFD. Whitespace is left for the caller to fold.
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case isWhitespace(r):
			b.WriteRune(r)
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case isBidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r) // utf8.RuneError for invalid bytes: U+FFFD
		}
	}
	return b.String()
}

func needsEscape(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if (r < 0x20 || (r >= 0x7f && r <= 0x9f) || isBidi(r)) && !isWhitespace(r) {
			return true
		}
	}
	return false
}

// isWhitespace are the ASCII controls strings.Fields folds: \t \n \v \f
// \r. NEL (U+0085), which some terminals take for a newline, is escaped.
func isWhitespace(r rune) bool { return r >= '\t' && r <= '\r' }

func isBidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// OneLine folds s's whitespace, newlines included, to single spaces and
// escapes it, for a one-line message; with max > 0, text longer than max
// bytes is cut there (at a rune boundary) and ends in "…" — for text from
// the network, which may be a whole page.
func OneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if max > 0 && len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "…"
	}
	return Escape(s)
}

// Plural counts what: "1 attempt", "3 attempts".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
