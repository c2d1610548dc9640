//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package e2e

import "golang.org/x/sys/unix"

const ioctlGetTermios = unix.TIOCGETA
