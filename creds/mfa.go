package creds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/awsrun/awsrun/cache"
)

// codeStep is the TOTP period: a new code every 30 seconds.
const codeStep = 30 * time.Second

// mfaProcessTimeout bounds mfa_process; a hardware key that waits for a
// touch answers well within it.
const mfaProcessTimeout = 2 * time.Minute

// PromptFunc asks a person for the current code of the MFA device serial.
type PromptFunc func(ctx context.Context, serial string) (string, error)

// code returns a fresh six-digit code for the chain's MFA device, from the
// first source that applies: --mfa-code, mfa_process, the terminal. A code
// equal to the last one sent for the device is never returned: AWS would
// refuse it.
func (r *Resolver) code(ctx context.Context, c *Chain) (string, error) {
	return r.codeFor(ctx, c, c.MFASerial)
}

// codeFor is code for a given device: a source profile's own mfa_serial
// may name another device than the chain's.
func (r *Resolver) codeFor(ctx context.Context, c *Chain, serial string) (string, error) {
	last := r.lastCode(serial)
	for attempt := 0; ; attempt++ {
		code, from, err := r.readCode(ctx, c, serial)
		if err != nil {
			return "", err
		}
		if !validCode(code) {
			return "", &MFAError{Profile: c.Profile, Serial: serial,
				Err:  fmt.Errorf("the MFA code from %s is not 6 digits", from),
				Hint: "give the 6-digit code the device shows now"}
		}
		if code != last {
			r.rememberCode(serial, code)
			return code, nil
		}
		switch {
		case from == "--mfa-code":
			return "", &MFAError{Profile: c.Profile, Serial: serial,
				Err:  errors.New("the MFA code was already used, and AWS accepts each code once"),
				Hint: "wait for the next code and run again"}
		case attempt >= 2:
			return "", &MFAError{Profile: c.Profile, Serial: serial,
				Err:  fmt.Errorf("%s keeps giving a code that was already used", from),
				Hint: "check the device's clock"}
		}
		wait := time.Until(time.Now().Truncate(codeStep).Add(codeStep)) + 500*time.Millisecond
		r.notef("the last MFA code was already used; waiting %s for the next one", wait.Round(time.Second))
		if err := sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

func (r *Resolver) readCode(ctx context.Context, c *Chain, serial string) (code, from string, err error) {
	switch {
	case r.MFACode != "":
		return strings.TrimSpace(r.MFACode), "--mfa-code", nil
	case c.MFAProcess != "":
		r.logf("running mfa_process for %s", serial)
		code, err := runMFAProcess(ctx, c.MFAProcess)
		if err != nil {
			return "", "", &MFAError{Profile: c.Profile, Serial: serial, Err: err,
				Hint: "check mfa_process in the profile: it must print the current 6-digit code"}
		}
		return code, "mfa_process", nil
	}
	prompt := r.Prompt
	if prompt == nil {
		prompt = TerminalPrompt
	}
	code, err = prompt(ctx, serial)
	if errors.Is(err, ErrNoTerminal) {
		return "", "", &MFAError{Profile: c.Profile, Serial: serial, Err: err,
			Hint: "pass --mfa-code CODE, or set mfa_process in [profile " + c.Profile + "] to a command that prints the code"}
	}
	if err != nil {
		var ie *InterruptedError
		if errors.As(err, &ie) {
			return "", "", err
		}
		return "", "", &MFAError{Profile: c.Profile, Serial: serial, Err: err}
	}
	return strings.TrimSpace(code), "the terminal", nil
}

func runMFAProcess(ctx context.Context, command string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, mfaProcessTimeout)
	defer cancel()
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd.exe", "/C", command)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", command)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr // a hardware key's "touch now" belongs to the user
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("mfa_process gave no code within %s", mfaProcessTimeout)
		}
		return "", fmt.Errorf("mfa_process failed: %v", err)
	}
	return strings.TrimSpace(out.String()), nil
}

func validCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// lastCode is the code last sent for serial, by this process or, through
// the cache, by any other.
func (r *Resolver) lastCode(serial string) string {
	if c, ok := r.codes[serial]; ok {
		return c
	}
	if r.Cache != nil {
		if e, ok := r.Cache.Get(codeID(serial), 0); ok {
			return string(e.Data)
		}
	}
	return ""
}

func (r *Resolver) rememberCode(serial, code string) {
	if r.codes == nil {
		r.codes = map[string]string{}
	}
	r.codes[serial] = code
	if r.Cache != nil {
		// Codes are accepted up to a step either side of their own.
		e := &cache.Entry{Kind: "mfa-code", Label: serial, Expires: r.now().Add(3 * codeStep), Data: []byte(code)}
		r.put(codeID(serial), e)
	}
}

func codeID(serial string) string { return identity("mfa-code", serial) }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
