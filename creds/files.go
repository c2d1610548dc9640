package creds

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// Bounds on the files awsrun and the SDK read whole. The SDK reads each
// with io.ReadAll: a path that is /dev/zero would exhaust memory and a
// FIFO would hang, so awsrun checks every such file first.
const (
	maxSharedFile = 16 << 20 // the config and credentials files
	maxTokenFile  = 1 << 20  // a web identity token, an SSO token cache file, a container token
)

// sdkMayRead reports whether the SDK may read a shared file at path
// whole: missing, the null device, or a regular file within maxSharedFile.
// Anything else is for readBounded to refuse, with the reason, before the
// SDK opens it.
func sdkMayRead(path string) bool {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	return err == nil && (isDevNull(fi) || (fi.Mode().IsRegular() && fi.Size() <= maxSharedFile))
}

// readBounded reads path, which must be a regular file of at most limit
// bytes. It is opened without blocking (a FIFO with no writer would wait
// forever) and checked by its handle, so what is read is what was
// checked. A missing file is fs.ErrNotExist, unwrapped, for the caller
// to decide on; every other refusal is a ConfigError naming the file,
// what is wrong and setting, the variable or key that names it.
func readBounded(path string, limit int64, setting string) ([]byte, error) {
	b, _, err := readBoundedInfo(path, limit, setting)
	return b, err
}

// unreadableFix is the hint for a file that opened but could not be read:
// the fault is below awsrun, in the disk or file system it is on.
func unreadableFix(setting string) string {
	return "the file opened but reading it failed: check the disk or file system it is on (an I/O error, a network or FUSE mount that went away), or point " + setting + " at a copy elsewhere"
}

// readBoundedInfo is readBounded that also returns what the handle that
// was read says of the file (nil for the null device).
func readBoundedInfo(path string, limit int64, setting string) ([]byte, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fs.ErrNotExist
	}
	if err != nil {
		return nil, nil, &ConfigError{Err: fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err)),
			Fix: "check the file's permissions, or point " + setting + " at another file"}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, &ConfigError{Err: fmt.Errorf("cannot read %s: %v", path, err), Fix: unreadableFix(setting)}
	}
	switch {
	case fi.IsDir():
		return nil, nil, &ConfigError{Err: fmt.Errorf("%s is a directory, not a file", path),
			Fix: "point " + setting + " at a file"}
	case isDevNull(fi):
		return nil, nil, nil // the usual way to say "no such file": empty
	case !fi.Mode().IsRegular():
		return nil, nil, &ConfigError{Err: fmt.Errorf("%s is not a regular file (%s)", path, fileType(fi.Mode())),
			Fix: "point " + setting + " at a regular file: awsrun and the AWS SDK read it whole"}
	case fi.Size() > limit:
		return nil, nil, &ConfigError{Err: fmt.Errorf("%s is %s, more than the %s awsrun reads", path, fmtSize(fi.Size()), fmtSize(limit)),
			Fix: "point " + setting + " at the right file"}
	}
	if err := clearNonblock(f); err != nil {
		return nil, nil, &ConfigError{Err: fmt.Errorf("cannot read %s: %v", path, err), Fix: unreadableFix(setting)}
	}
	// A buffer of the size Stat gave, and one read more to see the end:
	// io.ReadAll would grow its buffer by doubling, copying each time.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(f, limit+1))
	b := buf.Bytes()
	if err != nil {
		return nil, nil, &ConfigError{Err: fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err)), Fix: unreadableFix(setting)}
	}
	if int64(len(b)) > limit { // grew after the check
		return nil, nil, &ConfigError{Err: fmt.Errorf("%s is more than the %s awsrun reads", path, fmtSize(limit)),
			Fix: "point " + setting + " at the right file"}
	}
	return b, fi, nil
}

// ReadSharedFile reads the shared config or credentials file at path as
// awsrun reads it before the SDK does: a regular file of at most 16 MiB,
// opened without blocking on a FIFO, checked by its handle. setting
// names the variable that points at it, for the hint. It returns the
// file's mode bits (0600 for the null device, which reads as empty); a
// missing file is fs.ErrNotExist, unwrapped; any other refusal is a
// *ConfigError with a fix.
func ReadSharedFile(path, setting string) ([]byte, fs.FileMode, error) {
	b, fi, err := readBoundedInfo(path, maxSharedFile, setting)
	if err != nil {
		return nil, 0, err
	}
	if fi == nil {
		return b, 0o600, nil
	}
	return b, fi.Mode().Perm(), nil
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

// LooseFileError is a config or credentials file another user could
// change, from which awsrun will not run a command (mfa_process,
// credential_process): that user could make it run anything as you.
type LooseFileError struct {
	Profile, ARN string
	File, Key    string
	Reason       string // "writable by group or others (mode 0666)", "owned by uid 1001"
}

func (e *LooseFileError) Error() string {
	return subject(e.Profile, e.ARN) + fmt.Sprintf("not running %s from %s: the file is %s, so another user could make it run any command as you", e.Key, e.File, e.Reason)
}

// Hint says how to make the file the user's own again.
func (e *LooseFileError) Hint() string {
	if strings.HasPrefix(e.Reason, "owned by") {
		return "copy " + e.File + " to a file of your own (chmod go-w), and point AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE at it"
	}
	return "chmod go-w " + e.File
}
