package cli

import (
	"errors"
	"fmt"
)

// consoleMode reports whether a console flag was given: any of them makes
// the invocation a console sign-in, so that one given alone is refused
// rather than ignored.
func (o *Options) consoleMode() bool {
	return o.Console || o.ConsoleURL || o.given("console-service") || o.given("console-path")
}

// checkConsole refuses the console flags that contradict each other, and
// what a sign-in would ignore: a command, --export.
func (o *Options) checkConsole() error {
	switch {
	case !o.Console && !o.ConsoleURL:
		return UsageError{errors.New("--console-service and --console-path go with --console or --console-url")}
	case o.Console && o.ConsoleURL:
		return UsageError{errors.New("--console opens the browser and --console-url prints the URL: pass one")}
	case o.given("console-service") && o.given("console-path"):
		return UsageError{errors.New("--console-service and --console-path both pick the page: pass one")}
	case o.Export != "":
		return UsageError{errors.New("--console and --console-url print no credentials: drop --export")}
	case len(o.Command) > 0:
		return UsageError{fmt.Errorf("--console and --console-url run no command, but %q was given", o.Command[0])}
	}
	return nil
}
