package creds

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Bounds on the files awsrun and the SDK read whole. The SDK reads each
// with io.ReadAll: a path that is /dev/zero would exhaust memory and a
// FIFO would hang, so awsrun checks every such file first.
const (
	maxSharedFile = 16 << 20 // the config and credentials files
	maxTokenFile  = 1 << 20  // a web identity token, an SSO token cache file, a container token
)

// readBounded reads path, which must be a regular file of at most limit
// bytes. It is opened without blocking (a FIFO with no writer would wait
// forever) and checked by its handle, so what is read is what was
// checked. A missing file is fs.ErrNotExist, unwrapped, for the caller
// to decide on; every other refusal is a ConfigError naming the file,
// what is wrong and setting, the variable or key that names it.
func readBounded(path string, limit int64, setting string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err)),
			Fix: "check the file's permissions, or point " + setting + " at another file"}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("cannot read %s: %v", path, err), Fix: "check the file"}
	}
	switch {
	case fi.IsDir():
		return nil, &ConfigError{Err: fmt.Errorf("%s is a directory, not a file", path),
			Fix: "point " + setting + " at a file"}
	case isDevNull(fi):
		return nil, nil // the usual way to say "no such file": empty
	case !fi.Mode().IsRegular():
		return nil, &ConfigError{Err: fmt.Errorf("%s is not a regular file (%s)", path, fileType(fi.Mode())),
			Fix: "point " + setting + " at a regular file: awsrun and the AWS SDK read it whole"}
	case fi.Size() > limit:
		return nil, &ConfigError{Err: fmt.Errorf("%s is %s, more than the %s awsrun reads", path, fmtSize(fi.Size()), fmtSize(limit)),
			Fix: "point " + setting + " at the right file"}
	}
	if err := clearNonblock(f); err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("cannot read %s: %v", path, err), Fix: "check the file"}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err)), Fix: "check the file"}
	}
	if int64(len(b)) > limit { // grew after the check
		return nil, &ConfigError{Err: fmt.Errorf("%s is more than the %s awsrun reads", path, fmtSize(limit)),
			Fix: "point " + setting + " at the right file"}
	}
	return b, nil
}

// isDevNull is the null device, which reads as empty.
func isDevNull(fi fs.FileInfo) bool {
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(fi, null)
}

func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}

func fmtSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", (n+1023)>>10)
}
