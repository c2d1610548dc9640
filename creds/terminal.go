package creds

import (
	"io"
	"os"

	"golang.org/x/term"
)

// TerminalOf is w when it is a terminal, else nil: the value of
// Resolver.Terminal for a Note that writes to w.
func TerminalOf(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return w
	}
	return nil
}
