//go:build unix

package cli

import "syscall"

func closeOnExec(fd int) { syscall.CloseOnExec(fd) }
