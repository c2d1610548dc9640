//go:build unix

package creds

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// TerminalAsk asks q on the controlling terminal as TerminalPrompt asks
// for a code, and returns the line typed without its line end (nothing
// else is trimmed). With no terminal it returns a *NoTerminalError.
func TerminalAsk(ctx context.Context, q Question) (string, error) {
	if q.Max <= 0 {
		q.Max = maxCodeLine
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", &NoTerminalError{What: q.What}
	}
	defer tty.Close()
	fd := int(tty.Fd())
	if _, err := unix.IoctlGetTermios(fd, ioctlGetTermios); err != nil {
		return "", &NoTerminalError{What: q.What}
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGTSTP)
	defer signal.Stop(sigs)

	p := &prompt{tty: tty, fd: fd, q: q, cont: make(chan os.Signal, 1)}
	signal.Notify(p.cont, syscall.SIGCONT)
	defer signal.Stop(p.cont)
	for {
		if err := p.waitForeground(ctx, sigs); err != nil {
			return "", err
		}
		if err := p.ask(); err != nil {
			return "", err
		}
		code, again, err := p.read(ctx, sigs)
		if !again {
			return code, err
		}
	}
}

// prompt is one question on the terminal.
type prompt struct {
	tty   *os.File
	fd    int
	q     Question
	saved *unix.Termios // the modes to put back; nil while echo is untouched

	toldBackground bool
	cont           chan os.Signal // SIGCONT: awsrun was continued after a stop
	lines          chan codeLine  // from the one reader; nil until it starts
}

// underJobControl reports whether a shell in awsrun's session can continue
// it after a stop: its parent is in the same session. The kernel does not
// stop an orphaned process group for Ctrl-Z; awsrun, which catches it to put
// the terminal back first, must not stop itself there either.
func underJobControl() bool {
	ppid := unix.Getppid()
	psid, err := unix.Getsid(ppid)
	if err != nil {
		return false
	}
	sid, err := unix.Getsid(0)
	return err == nil && psid == sid
}

// foreground reports whether awsrun's process group owns the terminal:
// only then may it change the terminal's modes and read from it.
func (p *prompt) foreground() bool {
	pgrp, err := unix.IoctlGetInt(p.fd, unix.TIOCGPGRP)
	return err != nil || pgrp == unix.Getpgrp()
}

// waitForeground returns once awsrun is in the foreground. Until then it
// stops itself as a read from the terminal would (SIGTTIN), so the shell
// says the job waits for input, and looks again when it is continued. A
// process group no shell controls (orphaned) is not stopped by SIGTTIN:
// then no one can bring awsrun to the foreground, and it says so.
func (p *prompt) waitForeground(ctx context.Context, sigs <-chan os.Signal) error {
	for !p.foreground() {
		if !p.toldBackground {
			p.toldBackground = true
			fmt.Fprintf(p.tty, "\r\nawsrun: waiting in the background for %s: bring the job to the foreground (fg) to type it\r\n", p.q.background())
		}
		drain(p.cont)
		_ = unix.Kill(unix.Getpid(), unix.SIGTTIN)
		select {
		case <-p.cont:
		case s := <-sigs:
			if s != syscall.SIGTSTP {
				return &InterruptedError{Signal: int(s.(syscall.Signal))}
			}
		case <-ctx.Done():
			return p.q.late()
		case <-time.After(time.Second):
			if len(p.cont) == 0 && !p.foreground() {
				return &NoTerminalError{What: p.q.What}
			}
		}
	}
	return nil
}

// drain forgets a continue that came before the stop about to be asked.
func drain(c <-chan os.Signal) {
	select {
	case <-c:
	default:
	}
}

// background is what a job in the background waits for, for its note.
func (q Question) background() string {
	if q.What == "the MFA code" {
		return "an MFA code"
	}
	return q.What
}

// late is the answer not typed before the deadline.
func (q Question) late() error {
	return fmt.Errorf("%s was not typed in time", q.What)
}

// ask turns echo off (unless the question shows what is typed) and writes
// the question.
func (p *prompt) ask() error {
	tio, err := unix.IoctlGetTermios(p.fd, ioctlGetTermios)
	if err != nil {
		return &NoTerminalError{What: p.q.What}
	}
	saved := *tio
	if !p.q.Echo {
		tio.Lflag &^= unix.ECHO
	}
	tio.Lflag |= unix.ICANON | unix.ISIG
	tio.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(p.fd, ioctlSetTermios, tio); err != nil {
		return fmt.Errorf("turning off echo on the terminal: %w", err)
	}
	p.saved = &saved
	fmt.Fprint(p.tty, p.q.Text)
	return nil
}

// restore puts the terminal's modes back as they were before ask; typed
// is whether a line was read, whose end the terminal showed if it echoed.
func (p *prompt) restore(typed bool) {
	if p.saved != nil {
		_ = unix.IoctlSetTermios(p.fd, ioctlSetTermios, p.saved)
		p.saved = nil
	}
	if !typed || !p.q.Echo {
		fmt.Fprint(p.tty, "\r\n")
	}
}

// read waits for the typed line. again is true after a stop and continue
// (Ctrl-Z, fg): the caller asks anew.
func (p *prompt) read(ctx context.Context, sigs <-chan os.Signal) (code string, again bool, err error) {
	if p.lines == nil {
		// One reader for the whole prompt: a second would race the first
		// for the line typed after fg.
		p.lines = make(chan codeLine, 1)
		go readLine(p.tty, p.lines, p.q)
	}
	select {
	case l := <-p.lines:
		p.restore(true)
		if l.err != nil {
			return "", false, fmt.Errorf("reading %s from the terminal: %w", p.q.What, l.err)
		}
		return string(l.b), false, nil
	case s := <-sigs:
		p.restore(false)
		if s == syscall.SIGTSTP {
			// Stop as Ctrl-Z asks, with echo back on for the shell, and
			// ask again once continued.
			if !underJobControl() {
				return "", true, nil // no shell would ever continue awsrun
			}
			drain(p.cont)
			_ = unix.Kill(unix.Getpid(), unix.SIGSTOP)
			select {
			case <-p.cont:
				return "", true, nil
			case <-ctx.Done():
				return "", false, p.q.late()
			}
		}
		return "", false, &InterruptedError{Signal: int(s.(syscall.Signal))}
	case <-ctx.Done():
		p.restore(false)
		return "", false, p.q.late()
	}
}

// TerminalSay writes one line to the terminal the prompt uses, and nothing
// when there is none.
func TerminalSay(msg string) {
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	defer tty.Close()
	fmt.Fprintln(tty, msg)
}
