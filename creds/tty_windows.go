//go:build windows

package creds

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/term"
)

// maxCodeLine bounds what is read for one code: a person types six digits.
const maxCodeLine = 256

// Question is one question TerminalAsk puts on the console.
type Question struct {
	Text string // the prompt
	What string // what is asked, for messages: "the MFA code"
	Echo bool   // show what is typed (an access key id), else hide it
	Max  int    // the longest answer read, in bytes
}

// TerminalPrompt asks on the console (CONIN$/CONOUT$), never on stdin or
// stdout. The typed code is not echoed. Ctrl-C returns an
// *InterruptedError; with no console it returns ErrNoTerminal.
func TerminalPrompt(ctx context.Context, serial string) (string, error) {
	return TerminalAsk(ctx, Question{Text: "Enter MFA code for " + serial + ": ", What: "the MFA code", Max: maxCodeLine})
}

// TerminalAsk asks q on the console as TerminalPrompt asks for a code, and
// returns the line typed without its line end (nothing else is trimmed).
// With no console it returns a *NoTerminalError.
func TerminalAsk(ctx context.Context, q Question) (string, error) {
	if q.Max <= 0 {
		q.Max = maxCodeLine
	}
	in, err := os.OpenFile("CONIN$", os.O_RDWR, 0)
	if err != nil {
		return "", &NoTerminalError{What: q.What}
	}
	defer in.Close()
	out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return "", &NoTerminalError{What: q.What}
	}
	defer out.Close()
	fd := int(in.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", &NoTerminalError{What: q.What}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)

	type line struct {
		s   string
		err error
	}
	got := make(chan line, 1)
	fmt.Fprint(out, q.Text)
	go func() {
		if q.Echo {
			// Bounded: a line longer than q.Max is refused, not kept.
			s, err := bufio.NewReaderSize(io.LimitReader(in, int64(q.Max)+2), q.Max+2).ReadString('\n')
			if err == nil || (errors.Is(err, io.EOF) && s != "") {
				s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
				if len(s) > q.Max {
					err = fmt.Errorf("the line typed is longer than %d bytes, too long for %s", q.Max, q.What)
				} else {
					err = nil
				}
			}
			got <- line{s, err}
			return
		}
		// term.ReadPassword reads to the line end, unbounded; a console
		// line is itself bounded by the console's own buffer.
		b, err := term.ReadPassword(fd)
		if err == nil && len(b) > q.Max {
			err = fmt.Errorf("the line typed is longer than %d bytes, too long for %s", q.Max, q.What)
		}
		got <- line{string(b), err}
	}()
	select {
	case l := <-got:
		if !q.Echo {
			fmt.Fprintln(out)
		}
		if l.err != nil {
			return "", fmt.Errorf("reading %s from the console: %w", q.What, l.err)
		}
		return l.s, nil
	case <-sigs:
		_ = term.Restore(fd, state)
		fmt.Fprintln(out)
		return "", &InterruptedError{Signal: 2}
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		return "", fmt.Errorf("%s was not typed in time", q.What)
	}
}

// TerminalSay writes one line to the terminal the prompt uses, and nothing
// when there is none.
func TerminalSay(msg string) {
	tty, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer tty.Close()
	fmt.Fprintln(tty, msg)
}
