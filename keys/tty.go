package keys

import (
	"context"
	"errors"

	"github.com/awsrun/awsrun/creds"
)

// maxAnswer bounds what is read for one answer: a passphrase, an access
// key id or a secret access key.
const maxAnswer = 1024

// TerminalPassphrase asks for the key store's passphrase on the terminal,
// not echoed; confirm asks twice and refuses a mismatch. The passphrase
// is taken as typed, spaces included, as AWSRUN_KEYS_PASSPHRASE is.
func TerminalPassphrase(prompt string, confirm bool) (string, error) {
	p, err := ask(prompt, "the key store passphrase", false)
	if err != nil || !confirm {
		return p, err
	}
	again, err := ask("Repeat the passphrase: ", "the key store passphrase", false)
	if err != nil {
		return "", err
	}
	if again != p {
		return "", &Error{Err: errors.New("the two passphrases differ"), Fix: "run the command again and type the same passphrase twice"}
	}
	return p, nil
}

// Ask writes prompt to the terminal (/dev/tty; CONIN$/CONOUT$ on Windows),
// never to stdout, and reads one line from it, not echoed unless echo,
// as creds.TerminalAsk does: what says what is asked, for its errors.
// Ctrl-C is a *creds.InterruptedError carrying the signal; with no
// terminal it returns a *creds.NoTerminalError at once.
func Ask(prompt, what string, echo bool) (string, error) {
	return ask(prompt, what, echo)
}

func ask(prompt, what string, echo bool) (string, error) {
	return creds.TerminalAsk(context.Background(), creds.Question{Text: prompt, What: what, Echo: echo, Max: maxAnswer})
}
