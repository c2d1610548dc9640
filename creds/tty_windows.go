//go:build windows

package creds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"golang.org/x/term"
)

// TerminalPrompt asks on the console (CONIN$/CONOUT$), never on stdin or
// stdout. The typed code is not echoed. Ctrl-C returns an
// *InterruptedError; with no console it returns ErrNoTerminal.
func TerminalPrompt(ctx context.Context, serial string) (string, error) {
	in, err := os.OpenFile("CONIN$", os.O_RDWR, 0)
	if err != nil {
		return "", ErrNoTerminal
	}
	defer in.Close()
	out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		return "", ErrNoTerminal
	}
	defer out.Close()
	fd := int(in.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", ErrNoTerminal
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)

	type line struct {
		b   []byte
		err error
	}
	got := make(chan line, 1)
	fmt.Fprintf(out, "Enter MFA code for %s: ", serial)
	go func() {
		b, err := term.ReadPassword(fd)
		got <- line{b, err}
	}()
	select {
	case l := <-got:
		fmt.Fprintln(out)
		if l.err != nil {
			return "", fmt.Errorf("reading the MFA code from the console: %w", l.err)
		}
		return string(l.b), nil
	case <-sigs:
		_ = term.Restore(fd, state)
		fmt.Fprintln(out)
		return "", &InterruptedError{Signal: 2}
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		return "", errors.New("no MFA code typed in time")
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
