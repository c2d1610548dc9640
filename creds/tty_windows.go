//go:build windows

package creds

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"golang.org/x/sys/windows"
)

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
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)

	h := windows.Handle(in.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return "", &NoTerminalError{What: q.What}
	}
	if !q.Echo {
		// What term.ReadPassword does, with the line read bounded.
		if err := windows.SetConsoleMode(h, mode&^windows.ENABLE_ECHO_INPUT|windows.ENABLE_PROCESSED_INPUT|windows.ENABLE_LINE_INPUT); err != nil {
			return "", fmt.Errorf("turning off echo on the console: %w", err)
		}
		defer windows.SetConsoleMode(h, mode)
	}
	fmt.Fprint(out, q.Text)
	got := make(chan codeLine, 1)
	go readLine(in, got, q)
	select {
	case l := <-got:
		if !q.Echo {
			fmt.Fprintln(out)
		}
		if l.err != nil {
			return "", fmt.Errorf("reading %s from the console: %w", q.What, l.err)
		}
		return string(l.b), nil
	case <-sigs:
		_ = windows.SetConsoleMode(h, mode)
		fmt.Fprintln(out)
		return "", &InterruptedError{Signal: 2}
	case <-ctx.Done():
		_ = windows.SetConsoleMode(h, mode)
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
