package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/awsrun/awsrun/internal/textsafe"
	"github.com/awsrun/awsrun/runner"
)

// UsageError is a command line awsrun cannot make sense of.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Hint points at the usage.
func (e UsageError) Hint() string { return "awsrun --help shows the usage" }

// NestedError refuses to run inside another awsrun's command, whose
// credentials would otherwise be silently replaced.
type NestedError struct{ Outer string }

func (e *NestedError) Error() string {
	return "already inside awsrun (AWSRUN_PROFILE=" + e.Outer + "): refusing to replace its credentials"
}

// Hint says how to switch profiles anyway.
func (e *NestedError) Hint() string {
	return "run it as `awsrun --nested …` if you mean to switch profiles, or leave the outer command first"
}

// Hinter is an error that knows its fix: every error of awsrun's that has
// one implements it, and Fail is the one place that reads it.
type Hinter interface {
	error
	Hint() string
}

// Interrupted is an error that ends awsrun as the signal would: the shell
// sees 128+Signal.
type Interrupted interface{ InterruptSignal() int }

// Fail prints err in awsrun's one voice — "awsrun: error: …" and, where it
// helps, "awsrun: hint: …" — and returns awsrun's exit status: 128+N for an
// interrupt, the child's own status, 127 or 126 for a command that cannot
// be found or run, else 125.
func Fail(stderr io.Writer, err error) int {
	var in Interrupted
	if errors.As(err, &in) {
		return 128 + in.InterruptSignal()
	}
	var ee *runner.ExitError
	if errors.As(err, &ee) {
		return ee.Code // the child ran (awsrun stayed its parent: Windows, --server): its status is the answer
	}
	// One line each, whatever a library put in the text, with what a
	// terminal would act on or hide (escape sequences, C1 controls, bidi
	// overrides from an STS answer or a config value) escaped.
	fmt.Fprintf(stderr, "awsrun: error: %s\n", textsafe.OneLine(err.Error(), 0))
	if h := Hint(err); h != "" {
		fmt.Fprintf(stderr, "awsrun: hint: %s\n", textsafe.OneLine(h, 0))
	}
	if code := runner.ExitCode(err); code == runner.ExitCannotInvoke || code == runner.ExitNotFound {
		return code
	}
	return runner.ExitFailure
}

// Hint is the fix the outermost Hinter in err's tree offers. One that has
// none to give ("" — an STS failure awsrun has no advice for) does not hide
// the fix of an error it wraps.
func Hint(err error) string {
	for err != nil {
		var h Hinter
		if !errors.As(err, &h) {
			return ""
		}
		if s := h.Hint(); s != "" {
			return s
		}
		err = errors.Unwrap(h)
	}
	return ""
}
