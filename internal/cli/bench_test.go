package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkPrepare is the launcher's preparation of a warm launch,
// awsrun -p role101 -- true, in an environment of a usual size: the flags
// parsed and checked, the environment scrubbed and indexed, the command
// found in PATH, the two AWS files stat'ed and the index id hashed.
func BenchmarkPrepare(b *testing.B) {
	home := b.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile role101]\nregion = eu-west-1\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	environ := []string{"HOME=" + home, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"USER=alice", "LOGNAME=alice", "SHELL=/bin/bash", "TERM=xterm-256color", "LANG=C.UTF-8", "PWD=" + home,
		"EDITOR=vi", "PAGER=less", "LESS=-R", "HISTSIZE=10000", "SHLVL=1", "XDG_RUNTIME_DIR=/run/user/1000",
		"SSH_AUTH_SOCK=/tmp/ssh-XXXX/agent.1", "DISPLAY=:0", "COLORTERM=truecolor", "_=/usr/bin/awsrun"}
	args := []string{"-p", "role101", "--", "true"}
	b.ReportAllocs()
	for b.Loop() {
		inv, err := Prepare(args, environ)
		if err != nil {
			b.Fatal(err)
		}
		if inv.IndexID == "" {
			b.Fatal("no index id")
		}
	}
}
