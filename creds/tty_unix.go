//go:build unix

package creds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

// TerminalPrompt asks on the controlling terminal (/dev/tty), never on
// stdin or stdout, so redirections and pipes of the child stay clean. The
// typed code is not echoed. Ctrl-C restores the terminal and returns an
// *InterruptedError. With no controlling terminal it returns ErrNoTerminal
// at once.
func TerminalPrompt(ctx context.Context, serial string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", ErrNoTerminal
	}
	defer tty.Close()
	fd := int(tty.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", ErrNoTerminal
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)

	type line struct {
		b   []byte
		err error
	}
	got := make(chan line, 1)
	fmt.Fprintf(tty, "Enter MFA code for %s: ", serial)
	go func() {
		b, err := term.ReadPassword(fd)
		got <- line{b, err}
	}()
	select {
	case l := <-got:
		fmt.Fprintln(tty)
		if l.err != nil {
			return "", fmt.Errorf("reading the MFA code from the terminal: %w", l.err)
		}
		return string(l.b), nil
	case s := <-sigs:
		_ = term.Restore(fd, state)
		fmt.Fprintln(tty)
		return "", &InterruptedError{Signal: int(s.(syscall.Signal))}
	case <-ctx.Done():
		_ = term.Restore(fd, state)
		fmt.Fprintln(tty)
		return "", errors.New("no MFA code typed in time")
	}
}

// TerminalSay writes one line to the terminal the prompt uses, and nothing
// when there is none.
func TerminalSay(msg string) {
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer tty.Close()
	fmt.Fprintln(tty, msg)
}
