package runner

import (
	"bytes"
	"os"
	"strings"
	"syscall"
)

// maxEnviron bounds what Environ reads: the kernel limits argv and the
// environment together to a quarter of the stack limit, far below this.
const maxEnviron = 16 << 20

// Environ is the environment this process was started with, exactly as the
// kernel handed it: every entry, duplicates included, in order. os.Environ
// drops later duplicates of a name, and awsrun passes everything but the
// removed names through unchanged (README: Environment). It falls back to
// os.Environ if
// /proc/self/environ cannot be read.
//
// The file is read with plain system calls, not through an *os.File: the
// first os.File of a process starts Go's network poller, which then costs
// every later open of the warm launch an epoll registration.
func Environ() []string {
	b, ok := readProcEnviron()
	if !ok || len(b) == 0 {
		return os.Environ()
	}
	// One string for the whole block, and the entries slices of it: two
	// allocations, not one per variable.
	s := string(bytes.TrimSuffix(b, []byte{0}))
	env := make([]string, 0, strings.Count(s, "\x00")+1)
	for kv := range strings.SplitSeq(s, "\x00") {
		env = append(env, kv)
	}
	return env
}

func readProcEnviron() ([]byte, bool) {
	fd, err := syscall.Open("/proc/self/environ", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	b := make([]byte, 0, 8192)
	for {
		if len(b) == cap(b) {
			if cap(b) >= maxEnviron {
				return nil, false
			}
			b = append(b, make([]byte, cap(b))...)[:len(b)]
		}
		n, err := syscall.Read(fd, b[len(b):cap(b)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, false
		}
		if n == 0 {
			return b, true
		}
		b = b[:len(b)+n]
	}
}
