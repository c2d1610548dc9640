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

// MFASource hands out one-time codes for a chain's MFA devices, from the
// first source that applies: --mfa-code, the profile's mfa_process, a
// prompt on the terminal. It never hands out a code already sent for the
// device: AWS would refuse it. It is the one place codes come from.
type MFASource struct {
	Flag string // --mfa-code
	// FlagFrom names where Flag came from: "--mfa-code" (the default) or
	// AWSRUN_MFA_CODE.
	FlagFrom string
	Process  string     // mfa_process: a shell command that prints the code
	Prompt   PromptFunc // nil: TerminalPrompt
	// Say tells the person at the prompt why they are asked again; nil:
	// TerminalSay when Prompt is nil, else the note channel.
	Say     func(msg string)
	Profile string // the profile asked for, for messages

	used usedCodes
	log  func(format string, args ...any)
	note func(format string, args ...any)
	from string // where the last code Code returned came from
}

// sent names, in an STS refusal of the code Code returned, where the code
// came from, so the hint can say what to check.
func (m *MFASource) sent(c Credentials, err error) (Credentials, error) {
	var se *STSError
	if errors.As(err, &se) && se.CodeFrom == "" {
		se.CodeFrom = m.from
	}
	return c, err
}

// usedCodes is the record of the last code sent per device.
type usedCodes interface {
	lastCode(serial string) string
	rememberCode(serial, code string)
}

// mfa is the code source of the chain c.
func (r *Resolver) mfa(c *Chain) *MFASource {
	return &MFASource{Flag: r.MFACode, FlagFrom: r.MFACodeFrom, Process: c.MFAProcess, Prompt: r.Prompt, Say: r.Say, Profile: c.Profile,
		used: r, log: r.logf, note: r.notef}
}

// promptTries is how often a person is asked for one code: a typo, or a
// code that was just used, is asked again, not the end of the run.
const promptTries = 3

// fromTerminal names the prompt as a code source.
const fromTerminal = "the terminal"

func (m *MFASource) say(msg string) {
	switch {
	case m.Say != nil:
		m.Say(msg)
	case m.Prompt == nil:
		TerminalSay(msg)
	default:
		m.note("%s", msg)
	}
}

// Code returns a fresh six-digit code for the device serial.
func (m *MFASource) Code(ctx context.Context, serial string) (string, error) {
	last := m.used.lastCode(serial)
	for attempt := 0; ; attempt++ {
		code, from, err := m.read(ctx, serial)
		if err != nil {
			return "", err
		}
		typed := from == fromTerminal && attempt < promptTries-1
		if !validCode(code) {
			if typed {
				m.say("that is not a 6-digit code: type the code the device shows")
				continue
			}
			return "", &MFAError{Profile: m.Profile, Serial: serial,
				Err: fmt.Errorf("the MFA code from %s is not 6 digits", from),
				Fix: "give the 6-digit code the device shows now"}
		}
		if code != last {
			m.used.rememberCode(serial, code)
			m.from = from
			return code, nil
		}
		switch {
		case m.Flag != "":
			return "", &MFAError{Profile: m.Profile, Serial: serial,
				Err: errors.New("the MFA code was already used, and AWS accepts each code once"),
				Fix: "wait for the next code and run again"}
		case typed:
			// A person can wait for the next code better than a timer can.
			m.say("that code was just used, and AWS accepts each code once: type the next one the device shows")
			continue
		case from == fromTerminal:
			return "", &MFAError{Profile: m.Profile, Serial: serial,
				Err: errors.New("the code typed was already used, and AWS accepts each code once"),
				Fix: "wait until the device shows a new code, and run again"}
		case attempt >= 2:
			return "", &MFAError{Profile: m.Profile, Serial: serial,
				Err: fmt.Errorf("%s keeps giving a code that was already used", from),
				Fix: "check the device's clock"}
		}
		wait := time.Until(time.Now().Truncate(codeStep).Add(codeStep)) + 500*time.Millisecond
		m.note("the last MFA code was already used; waiting %s for the next one", wait.Round(time.Second))
		if err := sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// read asks the first source that applies; from names it for messages.
func (m *MFASource) read(ctx context.Context, serial string) (code, from string, err error) {
	switch {
	case m.Flag != "":
		return strings.TrimSpace(m.Flag), firstNonEmpty(m.FlagFrom, "--mfa-code"), nil
	case m.Process != "":
		m.log("running mfa_process for %s", serial)
		code, err := runMFAProcess(ctx, m.Process)
		if err != nil {
			return "", "", &MFAError{Profile: m.Profile, Serial: serial, Err: err,
				Fix: "check mfa_process in the profile: it must print the current 6-digit code"}
		}
		return code, "mfa_process", nil
	}
	prompt := m.Prompt
	if prompt == nil {
		prompt = TerminalPrompt
	}
	code, err = prompt(ctx, serial)
	if errors.Is(err, ErrNoTerminal) {
		return "", "", &MFAError{Profile: m.Profile, Serial: serial, Err: err,
			Fix: "set AWSRUN_MFA_CODE=CODE (or pass --mfa-code CODE, which other local users can read), or set mfa_process in [profile " + m.Profile + "] to a command that prints the code"}
	}
	if err != nil {
		var ie *InterruptedError
		if errors.As(err, &ie) {
			return "", "", err
		}
		return "", "", &MFAError{Profile: m.Profile, Serial: serial, Err: err}
	}
	return strings.TrimSpace(code), fromTerminal, nil
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
	out := &cappedBuffer{limit: maxMFAProcessOutput}
	cmd.Stdout = out
	cmd.Stderr = os.Stderr // a hardware key's "touch now" belongs to the user
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if out.over {
			return "", fmt.Errorf("mfa_process printed more than %d bytes; a code is 6 digits", maxMFAProcessOutput)
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("mfa_process gave no code within %s", mfaProcessTimeout)
		}
		return "", fmt.Errorf("mfa_process failed: %v", err)
	}
	return strings.TrimSpace(out.buf.String()), nil
}

// maxMFAProcessOutput bounds what is kept of mfa_process's output: it
// prints one code, and a runaway one must not exhaust memory.
const maxMFAProcessOutput = 4 << 10

// cappedBuffer keeps at most limit bytes; a write past it fails, which
// ends the copy from the process (and the process, on its next write).
// Not an embedded bytes.Buffer: io.Copy would use its ReadFrom, unbounded.
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int
	over  bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.limit {
		b.over = true
		return 0, errors.New("too much output")
	}
	return b.buf.Write(p)
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
	if st := r.codeStore(); st != nil {
		if e, ok := st.Get(codeID(serial), 0); ok {
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
	if st := r.codeStore(); st != nil {
		// Codes are accepted up to a step either side of their own.
		e := &cache.Entry{Kind: cache.KindMFACode, Label: serial, Expires: r.now().Add(3 * codeStep), Data: []byte(code)}
		if err := st.Put(codeID(serial), e); err != nil {
			r.writeFailed(err)
		}
	}
}

// codeStore is where codes are recorded and devices locked: Codes, else
// the cache; nil for neither.
func (r *Resolver) codeStore() Store {
	if r.Codes != nil {
		return r.Codes
	}
	return r.Cache
}

func codeID(serial string) string { return identity(cache.KindMFACode, serial) }

// deviceLockID names the lock of an MFA device; no entry is stored under it.
func deviceLockID(serial string) string { return identity("mfa-device", serial) }

// withCode calls send with a fresh code of the device serial, or with ""
// when serial is "", holding the device's lock from reading the last code
// sent until STS has answered.
func (r *Resolver) withCode(ctx context.Context, c *Chain, serial string, send func(code string) (Credentials, error)) (Credentials, error) {
	if serial == "" {
		return send("")
	}
	unlock, err := r.lockDevice(ctx, c, serial)
	if err != nil {
		return Credentials{}, err
	}
	defer unlock()
	src := r.mfa(c)
	code, err := src.Code(ctx, serial)
	if err != nil {
		return Credentials{}, err
	}
	return src.sent(send(code))
}

// lockDevice takes the MFA device's lock. Step locks keep parallel runs of
// one step to one code; this keeps runs of different steps of one device
// (a session, and a role assumed straight from the keys) from reading the
// same last code and sending the same new one, which AWS refuses the
// second time. Without a cache there is no one to share the device with,
// and a cache that cannot hold a lock costs only this guarantee.
func (r *Resolver) lockDevice(ctx context.Context, c *Chain, serial string) (unlock func(), err error) {
	st := r.codeStore()
	if st == nil {
		return func() {}, nil
	}
	lockCtx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	unlock, err = st.Lock(lockCtx, deviceLockID(serial), func() {
		r.notef("waiting for another awsrun that is using the MFA device %s", serial)
	})
	switch {
	case err == nil:
		return unlock, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("locking the MFA device %s: %w", serial, err)
	case lockCtx.Err() != nil:
		return nil, &ConfigError{Profile: c.Profile, ARN: serial,
			Err: fmt.Errorf("gave up after %s waiting for another awsrun that is using the MFA device", lockWait),
			Fix: "finish or stop the other awsrun (it may wait for an MFA code), or run with --no-cache"}
	}
	return func() {}, nil
}

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
