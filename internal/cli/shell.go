package cli

import (
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

// shellPath is the shell a run without a command starts: $SHELL, else
// /bin/sh ($COMSPEC, else cmd.exe, on Windows).
func shellPath(env map[string]string) string {
	if s := env["SHELL"]; s != "" {
		return s
	}
	if runtime.GOOS == "windows" {
		if s := env["COMSPEC"]; s != "" {
			return s
		}
		return "cmd.exe"
	}
	return "/bin/sh"
}

// argv is the child's command line: the command given, else the shell.
func (inv *Invocation) argv() []string {
	if inv.Shell {
		return []string{inv.Path}
	}
	return inv.Opts.Command
}

// shellNotice tells the user, before their shell starts, whose
// credentials it holds and until when: nothing in a prompt shows it.
func shellNotice(w io.Writer, path, profile string, c warm.Credentials, now time.Time) {
	until := "with no expiry"
	if !c.Expiration.IsZero() {
		until = fmt.Sprintf("until %s (%s left)", c.Expiration.Local().Format(ClockLayout), Left(c.Expiration.Sub(now)))
	}
	fmt.Fprintf(w, "awsrun: starting %s with the credentials of profile %s, valid %s; exit to return\n", path, profile, until)
}
