package creds

import (
	"os"
	"strings"
	"testing"
	"time"
)

// readLine takes the line typed without its line end, spaces kept, and
// refuses a line longer than the question's bound without reading on.
func TestReadLineIsBounded(t *testing.T) {
	q := Question{What: "the key store passphrase", Max: 16}
	for _, tt := range []struct{ typed, want, wantErr string }{
		{typed: "  spaced  \r\n", want: "  spaced  "},
		{typed: "123456\n", want: "123456"},
		{typed: strings.Repeat("x", 4096), wantErr: "longer than 16 bytes, too long for the key store passphrase"},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan codeLine, 1)
		go readLine(r, got, q)
		go func() { w.WriteString(tt.typed) }() // a line with no end, for the long one: the bound ends it
		select {
		case l := <-got:
			if tt.wantErr != "" {
				if l.err == nil || !strings.Contains(l.err.Error(), tt.wantErr) {
					t.Errorf("%.20q: err %v, want %q", tt.typed, l.err, tt.wantErr)
				}
			} else if l.err != nil || string(l.b) != tt.want {
				t.Errorf("%q: got %q, %v, want %q", tt.typed, l.b, l.err, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%.20q: readLine did not return", tt.typed)
		}
		r.Close()
		w.Close()
	}
}
