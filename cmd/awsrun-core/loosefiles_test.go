package main

import (
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestCommandsFromFilesOthersMayChange is another user who may write the
// config or credentials file and sets mfa_process or credential_process in
// it: awsrun must not run their command. Plain values of such a file are
// still read, and --doctor says what is wrong.
func TestCommandsFromFilesOthersMayChange(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("ACLs, not mode bits, guard these files on Windows")
	}
	tests := []struct {
		name, file string // file: which of the two holds the command
		mode       os.FileMode
		otherOwner bool
		key        string
	}{
		{name: "config others may write, mfa_process", file: ".aws/config", mode: 0o666, key: "mfa_process"},
		{name: "config the group may write, mfa_process", file: ".aws/config", mode: 0o620, key: "mfa_process"},
		{name: "credentials others may write, credential_process", file: ".aws/credentials", mode: 0o646, key: "credential_process"},
		{name: "config of another user, credential_process", file: ".aws/config", mode: 0o644, otherOwner: true, key: "credential_process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "")
			pwned := filepath.Join(w.home, "pwned")
			attack := "touch " + pwned + "; echo 123456"
			var config, credentials string
			switch tt.key {
			case "mfa_process":
				config = "[profile role101]\nrole_arn = " + roleARN + "\nsource_profile = user101\nmfa_serial = " + serial + "\nregion = eu-west-1\nmfa_process = " + attack + "\n"
			case "credential_process":
				section := "[profile evil]\n"
				if tt.file == ".aws/credentials" {
					section = "[evil]\n"
				}
				text := section + "credential_process = " + attack + "\n"
				if tt.file == ".aws/config" {
					config = "[profile role101]\nrole_arn = " + roleARN + "\nsource_profile = user101\nmfa_serial = " + serial + "\n" + text
				} else {
					b, _ := os.ReadFile(filepath.Join(w.home, ".aws/credentials"))
					credentials = string(b) + text
				}
			}
			if config != "" {
				w.write(t, ".aws/config", config)
			}
			if credentials != "" {
				w.write(t, ".aws/credentials", credentials)
			}
			path := filepath.Join(w.home, tt.file)
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			if tt.otherOwner {
				uid := otherUID(t)
				if err := os.Chown(path, uid, -1); err != nil {
					t.Fatal(err)
				}
			}
			profile := "role101"
			if tt.key == "credential_process" {
				profile = "evil"
			}
			r := w.run(t, "-p", profile, "--", "true")
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if r.code != 125 || len(lines) != 2 || !strings.Contains(lines[0], "profile "+profile) ||
				!strings.Contains(lines[0], "not running "+tt.key+" from "+path) {
				t.Errorf("exit %d, stderr %q; want 125 and one line refusing %s from %s", r.code, r.stderr, tt.key, path)
			}
			wantHint := "awsrun: hint: chmod go-w " + path
			if tt.otherOwner {
				wantHint = "awsrun: hint: copy " + path
			}
			if len(lines) == 2 && !strings.HasPrefix(lines[1], wantHint) {
				t.Errorf("hint %q, want %q…", lines[1], wantHint)
			}
			if _, err := os.Stat(pwned); err == nil {
				t.Errorf("the other user's %s ran", tt.key)
			}
			d := w.run(t, "-p", profile, "--doctor")
			if d.code != 125 || !strings.Contains(d.stderr, "not running "+tt.key) {
				t.Errorf("--doctor: exit %d, stderr %q; want the refusal", d.code, d.stderr)
			}
		})
	}

	// Plain values of a loose file are still read; --doctor reports it.
	t.Run("plain values", func(t *testing.T) {
		w := newWorld(t, "")
		path := filepath.Join(w.home, ".aws/config")
		if err := os.Chmod(path, 0o666); err != nil {
			t.Fatal(err)
		}
		if r := w.run(t, "-p", "role101", "-t", w.code(), "--", "true"); r.code != 0 {
			t.Fatalf("a run with a loose config and no command in it: exit %d: %s", r.code, r.stderr)
		}
		d := w.run(t, "-p", "role101", "--doctor")
		if !strings.Contains(d.stdout, path+" is writable by group or others (mode 0666)") || !strings.Contains(d.stdout, "chmod go-w "+path) {
			t.Errorf("--doctor does not report the loose file: exit %d\n%s%s", d.code, d.stdout, d.stderr)
		}
	})
}

// otherUID is a second user's uid, for a file awsrun must not trust: it
// needs root to give a file away.
func otherUID(t *testing.T) int {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("giving a file to a second user needs root (CI and the sandbox run as root)")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody to own the file: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	return uid
}
