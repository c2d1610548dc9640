package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/awsrun/awsrun/runner"
)

// UsageError is a command line awsrun cannot make sense of.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// NestedError refuses to run inside another awsrun's command, whose
// credentials would otherwise be silently replaced.
type NestedError struct{ Outer string }

func (e *NestedError) Error() string {
	return "already inside awsrun (AWSRUN_PROFILE=" + e.Outer + "): refusing to replace its credentials"
}

// Interrupted is an error that ends awsrun as the signal would: the shell
// sees 128+Signal.
type Interrupted interface{ InterruptSignal() int }

// Fail prints err in awsrun's one voice — "awsrun: error: …" and, where it
// helps, "awsrun: hint: …" — and returns the exit status of SPEC §5. hint
// gives the hint for errors only the caller knows; it may be nil.
func Fail(stderr io.Writer, err error, hint func(error) string) int {
	var in Interrupted
	if errors.As(err, &in) {
		return 128 + in.InterruptSignal()
	}
	var ee *runner.ExitError
	if errors.As(err, &ee) {
		return ee.Code // the child ran (Windows): its status is the answer
	}
	fmt.Fprintf(stderr, "awsrun: error: %s\n", oneLine(err.Error()))
	h := Hint(err)
	if h == "" && hint != nil {
		h = hint(err)
	}
	if h != "" {
		fmt.Fprintf(stderr, "awsrun: hint: %s\n", oneLine(h))
	}
	if code := runner.ExitCode(err); code == runner.ExitCannotInvoke || code == runner.ExitNotFound {
		return code
	}
	return runner.ExitFailure
}

// Hint is the hint for the errors this package and runner know.
func Hint(err error) string {
	var (
		ne *NestedError
		ue UsageError
		nf *runner.CommandNotFoundError
		nx *runner.NotExecutableError
		bm *BuildMismatchError
	)
	switch {
	case errors.As(err, &ne):
		return "run it as `awsrun --nested …` if you mean to switch profiles, or leave the outer command first"
	case errors.As(err, &ue):
		return "awsrun --help shows the usage"
	case errors.As(err, &nf):
		return nf.Hint()
	case errors.As(err, &nx):
		return nx.Hint()
	case errors.As(err, &bm):
		return bm.Hint()
	}
	return ""
}

// oneLine keeps an error to the one line SPEC §5 promises, whatever a
// library put in it.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
