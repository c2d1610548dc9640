package textsafe

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, ünïcode — fine", "plain text, ünïcode — fine"},
		{"tab\tand\nnewline", "tab\tand\nnewline"},
		{"\x1b]0;owned\a", `\x1b]0;owned\x07`},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"del\x7f", `del\x7f`},
		{"csi\u009b2J and st\u009c", `csi\x9b2J and st\x9c`},
		{"file\u202egpj.exe", `file\u202egpj.exe`},
		{"\u2066isolate\u2069 \u202a\u202b\u202c\u202d \u200e\u200f\u061c", `\u2066isolate\u2069 \u202a\u202b\u202c\u202d \u200e\u200f\u061c`},
		{"bad \xff byte", "bad \ufffd byte"},
		{"next\u0085line", `next\x85line`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOneLine(t *testing.T) {
	long := "éxxxxxxxxxx"
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"two\nlines \t here ", 0, "two lines here"},
		{"\x1b[2J\r\nwiped", 0, `\x1b[2J wiped`},
		{long, 0, long},
		{long, 4, "éxx…"},
		{long, 1, "…"}, // never half a rune
	}
	for _, tt := range tests {
		if got := OneLine(tt.in, tt.max); got != tt.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
	if got := Plural(1, "attempt") + ", " + Plural(3, "attempt"); got != "1 attempt, 3 attempts" {
		t.Errorf("Plural: %q", got)
	}
}
