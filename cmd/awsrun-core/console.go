package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/internal/cli"
)

// browserWait is how long a browser command may take to hand the URL
// over. Openers (xdg-open, open) return at once; a browser started anew
// keeps running, and is left to run.
const browserWait = 5 * time.Second

// console signs in to the AWS console as the profile: --console opens the
// browser, --console-url prints the URL. The URL holds a sign-in token:
// it is never logged, and reaches stdout only when asked for. The
// preparation has refused the flags that contradict each other.
func (a *app) console(ctx context.Context) error {
	o := a.opts
	chain, err := a.loadChain(ctx)
	if err != nil {
		return err
	}
	federation := a.env["AWSRUN_FEDERATION_ENDPOINT"]
	if sts := chain.STSEndpoint(); sts != "" && federation == "" {
		// The custom endpoint's credentials mean nothing to AWS's sign-in,
		// and a test endpoint's session must not be sent there.
		return &creds.ConfigError{Profile: chain.Profile, ARN: chain.ARN(),
			Err: fmt.Errorf("the profile's STS endpoint is %s, not AWS's, and no sign-in federation endpoint goes with it", sts),
			Fix: "set AWSRUN_FEDERATION_ENDPOINT to the federation endpoint that accepts that endpoint's credentials"}
	}
	s, err := a.resolver(chain).ConsoleSignin(ctx, chain, creds.ConsoleOptions{
		Service:  o.ConsoleService,
		Path:     o.ConsolePath,
		Endpoint: federation,
		Getenv:   a.getenv,
	})
	if err != nil {
		return err
	}
	if o.ConsoleURL {
		_, err := fmt.Fprintln(a.stdout, s.URL)
		return err
	}
	// Never the URL itself as an argument: others can read those.
	page, err := writeSigninPage(s.URL, a.getenv)
	if err != nil {
		return &creds.ConfigError{Profile: chain.Profile, ARN: s.Identity, Err: err,
			Fix: "set XDG_RUNTIME_DIR to a private directory of your own, or run with --console-url and open the URL yourself"}
	}
	start := time.Now()
	if err := openBrowser(page.URL(), a.env, runtime.GOOS, a.stderr); err != nil {
		page.Remove()
		return &creds.ConfigError{Profile: chain.Profile, ARN: s.Identity, Err: err,
			Fix: "set BROWSER to your browser's command, or run with --console-url and open the URL yourself"}
	}
	page.waitAndRemove(start)
	until := ""
	if !s.Expires.IsZero() {
		until = " until " + s.Expires.Local().Format(cli.ClockLayout)
	}
	fmt.Fprintf(a.stderr, "awsrun: opened the AWS console as %s%s\n", s.Identity, until)
	return nil
}

// browserCommands are the commands to try in turn, each without the URL:
// the entries of $BROWSER (a list like PATH's, each a command whose %s
// stands for the URL), else the system's opener.
func browserCommands(env map[string]string, goos string) [][]string {
	var cmds [][]string
	if b := env["BROWSER"]; b != "" {
		sep := ":"
		if goos == "windows" {
			sep = ";"
		}
		for _, entry := range strings.Split(b, sep) {
			if f := strings.Fields(entry); len(f) > 0 {
				cmds = append(cmds, f)
			}
		}
		return cmds
	}
	switch goos {
	case "darwin":
		return [][]string{{"open"}}
	case "windows":
		// Not cmd /c start: cmd would read the URL's & as a command separator.
		return [][]string{{"rundll32", "url.dll,FileProtocolHandler"}}
	}
	return [][]string{{"xdg-open"}}
}

// withURL puts url in place of %s in cmd's arguments, or after them.
func withURL(cmd []string, url string) []string {
	out := append([]string(nil), cmd...)
	found := false
	for i := 1; i < len(out); i++ {
		if strings.Contains(out[i], "%s") {
			out[i] = strings.ReplaceAll(out[i], "%s", url)
			found = true
		}
	}
	if !found {
		out = append(out, url)
	}
	return out
}

// openBrowser hands url to the first browser command that takes it. The
// URL is an argument of that command, which any local user can read: it
// must hold no secret. The browser is no part of resolving: it gets
// awsrun's environment without the resolving marker.
func openBrowser(url string, env map[string]string, goos string, stderr io.Writer) error {
	var errs []error
	for _, cmd := range browserCommands(env, goos) {
		args := withURL(cmd, url)
		c := exec.Command(args[0], args[1:]...)
		c.Env = withoutResolving(os.Environ())
		c.Stdout, c.Stderr = io.Discard, stderr
		if err := c.Start(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", filepath.Base(cmd[0]), execError(err)))
			continue
		}
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		select {
		case err := <-done:
			if err == nil {
				return nil
			}
			errs = append(errs, fmt.Errorf("%s: %v", filepath.Base(cmd[0]), err))
		case <-time.After(browserWait):
			return nil // a browser of its own, still running: it has the URL
		}
	}
	if len(errs) == 0 {
		return errors.New("BROWSER names no command")
	}
	return fmt.Errorf("cannot open a browser: %w", errors.Join(errs...))
}

// withoutResolving is environ without the marker awsrun-core exports for
// what it starts while resolving.
func withoutResolving(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if k, _, _ := strings.Cut(kv, "="); !strings.EqualFold(k, cli.ResolvingVar) {
			out = append(out, kv)
		}
	}
	return out
}

// execError keeps the reason of a failed start and drops the arguments.
func execError(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}
