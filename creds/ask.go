package creds

import "context"

// maxCodeLine bounds what is read for one code: a person types six digits.
const maxCodeLine = 256

// Question is one question TerminalAsk puts on the terminal (the console
// on Windows).
type Question struct {
	Text string // the prompt
	What string // what is asked, for messages: "the MFA code"
	Echo bool   // show what is typed (an access key id), else hide it
	Max  int    // the longest answer read, in bytes
}

// TerminalPrompt asks for the code of the MFA device serial on the
// controlling terminal (/dev/tty; CONIN$/CONOUT$ on Windows), never on
// stdin or stdout, so redirections and pipes of the child stay clean. The
// typed code is not echoed. Ctrl-C restores the terminal and returns an
// *InterruptedError; with no terminal it returns ErrNoTerminal at once.
//
// On Unix, job control is handled as ssh and sudo handle it. Started in
// the background (cmd &), awsrun does not touch the terminal's modes, which
// belong to the shell then: it says once that it waits for a code and
// stops itself until it is brought to the foreground. Ctrl-Z at the prompt
// puts echo back before awsrun stops, and fg turns it off again and asks
// anew, so a code typed after fg is never shown.
func TerminalPrompt(ctx context.Context, serial string) (string, error) {
	return TerminalAsk(ctx, Question{Text: "Enter MFA code for " + serial + ": ", What: "the MFA code", Max: maxCodeLine})
}
