package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/runner"
)

// usageError is a command line awsrun cannot make sense of.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// nestedError refuses to run inside another awsrun's command, whose
// credentials would otherwise be silently replaced.
type nestedError struct{ outer string }

func (e *nestedError) Error() string {
	return "already inside awsrun (AWSRUN_PROFILE=" + e.outer + "): refusing to replace its credentials"
}

// fail prints err in awsrun's one voice — "awsrun: error: …" and, where it
// helps, "awsrun: hint: …" — and returns the exit status of SPEC §5.
func fail(stderr io.Writer, err error) int {
	var ie *creds.InterruptedError
	if errors.As(err, &ie) {
		return 128 + ie.Signal // as the shell reports a command killed by the signal
	}
	var ee *runner.ExitError
	if errors.As(err, &ee) {
		return ee.Code // the child ran (Windows): its status is the answer, not awsrun's failure
	}
	msg := err.Error()
	fmt.Fprintf(stderr, "awsrun: error: %s\n", oneLine(msg))
	if h := hint(err); h != "" {
		fmt.Fprintf(stderr, "awsrun: hint: %s\n", oneLine(h))
	}
	if code := runner.ExitCode(err); code == 126 || code == 127 {
		return code
	}
	return exitFailure
}

func hint(err error) string {
	var (
		ce *creds.ConfigError
		me *creds.MFAError
		se *creds.STSError
		ne *nestedError
		ue usageError
		nf *runner.CommandNotFoundError
		nx *runner.NotExecutableError
	)
	switch {
	case errors.As(err, &me):
		return me.Hint
	case errors.As(err, &se):
		return se.Hint()
	case errors.As(err, &ce):
		return ce.Hint
	case errors.As(err, &ne):
		return "run it as `awsrun --nested …` if you mean to switch profiles, or leave the outer command first"
	case errors.As(err, &ue):
		return "awsrun --help shows the usage"
	case errors.As(err, &nf):
		return nf.Hint()
	case errors.As(err, &nx):
		return nx.Hint()
	}
	return ""
}

// oneLine keeps an error to the one line SPEC §5 promises, whatever a
// library put in it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
