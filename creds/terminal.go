package creds

import (
	"bytes"
	"errors"
	"fmt"
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

// codeLine is one answer read from the terminal, or why there is none.
type codeLine struct {
	b   []byte
	err error
}

// readLine reads one line from the terminal, at most q.Max bytes of it,
// without the line end.
func readLine(tty *os.File, out chan<- codeLine, q Question) {
	var line []byte
	buf := make([]byte, q.Max)
	for {
		n, err := tty.Read(buf)
		line = append(line, buf[:n]...)
		if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
			out <- codeLine{b: line[:i]}
			return
		}
		if len(line) > q.Max {
			out <- codeLine{err: fmt.Errorf("the line typed is longer than %d bytes, too long for %s", q.Max, q.What)}
			return
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			// Ctrl-D after the digits: what was typed is the answer.
			out <- codeLine{b: line}
			return
		}
		if err != nil {
			out <- codeLine{err: err}
			return
		}
	}
}
