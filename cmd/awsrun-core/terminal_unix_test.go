//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// noTerminal starts cmd in a session of its own: no controlling terminal,
// as in CI.
func noTerminal(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
