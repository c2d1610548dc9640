//go:build !unix

package main

import "os/exec"

// noTerminal is a no-op where there are no controlling terminals to lose.
func noTerminal(cmd *exec.Cmd) {}
