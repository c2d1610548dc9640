//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO named as the credentials file, with no writer, would block an
// open or a read for ever: --keys refuses it at once, as runs do.
func TestKeysRefuseACredentialsFileThatIsAFIFO(t *testing.T) {
	w := newKeysWorld(t)
	fifo := filepath.Join(t.TempDir(), "credentials")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	w.env = append(w.env, "AWS_SHARED_CREDENTIALS_FILE="+fifo)
	r := w.run(t, "--keys", "import", "-p", "user101")
	if r.code != 125 || !strings.Contains(r.stderr, "awsrun: error: profile user101: "+fifo+" is not a regular file (a FIFO)") ||
		!strings.Contains(r.stderr, "awsrun: hint: point AWS_SHARED_CREDENTIALS_FILE at a regular file") {
		t.Errorf("--keys import: exit %d, %q", r.code, r.stderr)
	}
	r = w.run(t, "--keys", "add", "-p", "user101")
	if r.code == -1 || strings.Contains(r.stderr, "panic") {
		t.Errorf("--keys add: exit %d, %q", r.code, r.stderr)
	}
	if r = w.run(t, "--keys", "list"); r.code != 0 {
		t.Errorf("--keys list: exit %d, %q", r.code, r.stderr)
	}
}
