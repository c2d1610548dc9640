//go:build unix

package cache

import (
	"os"

	"golang.org/x/sys/unix"
)

// An entryReader reads many entry files of the directory, for Inventory,
// with plain system calls on one handle of the directory: open, fstat,
// read, close. An os.File opened through the root costs a try at the
// network poller (an epoll_ctl that fails for a regular file) and a
// finalizer on top, for each file, and --list reads thousands. The checks
// are readSmall's: no link followed (O_NOFOLLOW), a FIFO opened without
// blocking, a regular file of at most maxFileSize bytes read whole.
type entryReader struct {
	dir *os.File
	fd  int
}

func (s *Store) entryReader() (*entryReader, error) {
	d, err := s.root.Open(".")
	if err != nil {
		return nil, err
	}
	return &entryReader{dir: d, fd: int(d.Fd())}, nil
}

// read reads the entry file name, which is a valid id: one component,
// no separator, so that it names a file of this directory only.
func (r *entryReader) read(name string) ([]byte, bool) {
	if !validID(name) {
		return nil, false
	}
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = unix.Openat(r.fd, name, unix.O_RDONLY|unix.O_CLOEXEC|openFlags, 0)
		return err
	})
	if err != nil {
		return nil, false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if retryEINTR(func() error { return unix.Fstat(fd, &st) }) != nil ||
		st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size <= 0 || st.Size > maxFileSize {
		return nil, false
	}
	// One byte more than the size so a file that grew since Fstat shows up.
	buf := make([]byte, st.Size+1)
	n := 0
	for int64(n) < st.Size {
		var m int
		if err := retryEINTR(func() (err error) { m, err = unix.Read(fd, buf[n:]); return err }); err != nil || m == 0 {
			return nil, false
		}
		n += m
	}
	if int64(n) != st.Size {
		return nil, false
	}
	return buf[:n], true
}

func (r *entryReader) close() { r.dir.Close() }

func retryEINTR(f func() error) error {
	for {
		if err := f(); err != unix.EINTR {
			return err
		}
	}
}
