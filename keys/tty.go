package keys

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/term"
)

// ErrInterrupted is the user pressing Ctrl-C at a prompt.
var ErrInterrupted = errors.New("interrupted")

// TerminalPassphrase asks for the key store's passphrase on the terminal,
// not echoed; confirm asks twice and refuses a mismatch.
func TerminalPassphrase(prompt string, confirm bool) (string, error) {
	p, err := Ask(prompt, false)
	if err != nil || !confirm {
		return p, err
	}
	again, err := Ask("Repeat the passphrase: ", false)
	if err != nil {
		return "", err
	}
	if again != p {
		return "", &Error{Err: errors.New("the two passphrases differ"), Fix: "run the command again and type the same passphrase twice"}
	}
	return p, nil
}

// Ask writes prompt to the terminal (/dev/tty; CONIN$/CONOUT$ on Windows),
// never to stdout, and reads one line from it, not echoed unless echo.
// With no terminal it returns ErrNoTerminal at once.
func Ask(prompt string, echo bool) (string, error) {
	in, out, err := openTerminal()
	if err != nil {
		return "", ErrNoTerminal
	}
	defer in.Close()
	if out != in {
		defer out.Close()
	}
	fd := int(in.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return "", ErrNoTerminal
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, interruptSignals...)
	defer signal.Stop(sigs)

	type line struct {
		s   string
		err error
	}
	got := make(chan line, 1)
	fmt.Fprint(out, prompt)
	go func() {
		if echo {
			s, err := bufio.NewReader(in).ReadString('\n')
			got <- line{strings.TrimRight(s, "\r\n"), err}
			return
		}
		b, err := term.ReadPassword(fd)
		got <- line{string(b), err}
	}()
	select {
	case l := <-got:
		if !echo {
			fmt.Fprintln(out)
		}
		if l.err != nil && l.s == "" {
			return "", fmt.Errorf("reading from the terminal: %w", l.err)
		}
		return strings.TrimSpace(l.s), nil
	case <-sigs:
		_ = term.Restore(fd, state)
		fmt.Fprintln(out)
		return "", ErrInterrupted
	}
}
