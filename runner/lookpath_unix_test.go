//go:build unix

package runner

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// writeFile creates a file with the given mode (chmod'ed, so umask does not
// interfere) and returns its path.
func writeFile(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLookPath(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	other := filepath.Join(root, "other")
	noexec := filepath.Join(root, "noexec")
	for _, d := range []string{bin, other, noexec, filepath.Join(other, "tool")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const script = "#!/bin/sh\nexit 0\n"
	writeFile(t, filepath.Join(bin, "tool"), script, 0o755)
	writeFile(t, filepath.Join(other, "later"), script, 0o755)
	writeFile(t, filepath.Join(noexec, "tool"), script, 0o644)
	writeFile(t, filepath.Join(noexec, "later"), script, 0o644)
	writeFile(t, filepath.Join(noexec, "plain"), script, 0o644)
	if err := os.Symlink(filepath.Join(bin, "tool"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "gone"), filepath.Join(root, "dangling")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		cmd      string
		env      []string
		want     string
		wantCode int // 0: found; 126, 127: the error's exit status
		wantMsg  string
	}{
		{name: "in PATH", cmd: "tool", env: []string{"PATH=" + bin}, want: bin + "/tool"},
		{name: "first PATH entry that has it", cmd: "tool", env: []string{"PATH=/nonexistent:" + bin + ":" + noexec}, want: bin + "/tool"},
		{name: "trailing slash in PATH", cmd: "tool", env: []string{"PATH=" + bin + "/"}, want: bin + "/tool"},
		{name: "first PATH variable wins", cmd: "tool", env: []string{"PATH=" + bin, "PATH=" + other}, want: bin + "/tool"},
		{name: "directory of that name skipped", cmd: "tool", env: []string{"PATH=" + other + ":" + bin}, want: bin + "/tool"},
		{name: "not executable skipped for a later one", cmd: "later", env: []string{"PATH=" + noexec + ":" + other}, want: other + "/later"},
		{name: "missing", cmd: "awsrun-no-such-command", env: []string{"PATH=" + bin + ":" + other}, wantCode: 127, wantMsg: "awsrun-no-such-command: command not found"},
		{name: "empty name", cmd: "", env: []string{"PATH=" + bin}, wantCode: 127, wantMsg: ": command not found"},
		{name: "PATH from env, not ours", cmd: "tool", env: []string{"HOME=/"}, wantCode: 127},
		{name: "only found not executable", cmd: "plain", env: []string{"PATH=" + bin + ":" + noexec}, wantCode: 126, wantMsg: noexec + "/plain: permission denied"},
		{name: "unset PATH is /bin:/usr/bin", cmd: "sh", env: []string{"HOME=/"}, want: "/bin/sh"},
		{name: "slash: used as is", cmd: bin + "/tool", env: []string{"PATH="}, want: bin + "/tool"},
		{name: "slash: PATH not searched", cmd: "bin/later", env: []string{"PATH=" + other}, wantCode: 127},
		{name: "slash: symlink", cmd: root + "/link", want: root + "/link"},
		{name: "slash: missing", cmd: root + "/missing", wantCode: 127, wantMsg: root + "/missing: no such file or directory"},
		{name: "slash: dangling symlink", cmd: root + "/dangling", wantCode: 127},
		{name: "slash: not executable", cmd: noexec + "/plain", wantCode: 126, wantMsg: noexec + "/plain: permission denied"},
		{name: "slash: directory", cmd: bin, wantCode: 126, wantMsg: bin + ": is a directory"},
		{name: "slash: directory with slash", cmd: bin + "/", wantCode: 126},
		{name: "slash: through a file", cmd: bin + "/tool/x", wantCode: 126, wantMsg: bin + "/tool/x: not a directory"},
	}
	// Our own PATH has the commands the env passed in lacks.
	t.Setenv("PATH", bin+":"+other+":/bin:/usr/bin")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LookPath(tt.cmd, tt.env)
			if tt.wantCode == 0 {
				if err != nil || got != tt.want {
					t.Fatalf("LookPath(%q) = %q, %v; want %q", tt.cmd, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("LookPath(%q) = %q, want an error", tt.cmd, got)
			}
			if code := ExitCode(err); code != tt.wantCode {
				t.Errorf("LookPath(%q): %T %v: exit %d, want %d", tt.cmd, err, err, code, tt.wantCode)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("LookPath(%q): %q, want %q", tt.cmd, err, tt.wantMsg)
			}
			var nf *CommandNotFoundError
			var ne *NotExecutableError
			if !errors.As(err, &nf) && !errors.As(err, &ne) {
				t.Errorf("LookPath(%q): %T, want *CommandNotFoundError or *NotExecutableError", tt.cmd, err)
			}
		})
	}
}

func TestLookPathEmptyElementIsCurrentDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "here"), "#!/bin/sh\n", 0o755)
	t.Chdir(dir)
	for _, path := range []string{"", ":/nonexistent", "/nonexistent:", "/nonexistent::/x"} {
		got, err := LookPath("here", []string{"PATH=" + path})
		if err != nil || got != "./here" {
			t.Errorf("PATH=%q: LookPath = %q, %v; want ./here", path, got, err)
		}
	}
	if got, err := LookPath("here", []string{"PATH=/nonexistent"}); err == nil {
		t.Errorf("PATH=/nonexistent: LookPath = %q, want not found", got)
	}
}
