//go:build unix

package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestKeysAddOnTheTerminalThenRun types a key into awsrun --keys add on a
// terminal — the secret and the new passphrase unechoed — and then runs
// the role with the stored key, the passphrase asked once more.
func TestKeysAddOnTheTerminalThenRun(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newKeysFixture(t)
	const passphrase = "e2e passphrase, typed"

	s := f.keysAdd(t, ctx)
	s.expect(regexp.QuoteMeta("New passphrase for the awsrun key store " + f.Path(".local/share/awsrun/keys.age") + ": "))
	s.waitEchoOff()
	s.send(passphrase + "\r")
	s.expect(regexp.QuoteMeta("Repeat the passphrase: "))
	s.waitEchoOff()
	if runtime.GOOS == "linux" {
		// The process that holds the passphrase: not in its argv.
		cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/cmdline")
		if err != nil || bytes.Contains(cmdline, []byte(passphrase)) || !bytes.Contains(cmdline, []byte("--keys")) {
			s.errorf("argv %q (%v)", cmdline, err)
		}
	}
	s.send(passphrase + "\r")
	s.expect(`stored the key AKIA…\w{4} of user101 in the key store`)
	s.waitExit(0)
	for what, secret := range map[string]string{"secret key": f.User.SecretAccessKey, "passphrase": passphrase} {
		if strings.Contains(s.text(), secret) {
			s.errorf("the %s was echoed", what)
		}
		filepath.WalkDir(f.Home, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
					t.Errorf("the %s is readable in %s", what, p)
				}
			}
			return nil
		})
	}

	run := f.awsrun(t, ctx, "--profile", "role101", "--", testBin, helperArg, "whoami")
	run.expect(regexp.QuoteMeta("Passphrase for the awsrun key store "))
	run.waitEchoOff()
	run.send(passphrase + "\r")
	run.answerMFA(serial, f.Code())
	run.expect(`arn=(` + assumedRole + `)`)
	run.waitExit(0)
	if calls := f.credentialCalls(); len(calls) == 0 || calls[0].AccessKeyID != f.User.AccessKeyID {
		run.errorf("STS calls %+v, want the first signed with the stored key", calls)
	}
}

// TestKeysPassphrasePromptCtrlC: Ctrl-C at the key store's passphrase
// prompt ends awsrun as SIGINT would (130), with no error line, and puts
// echo back.
func TestKeysPassphrasePromptCtrlC(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newKeysFixture(t)

	s := f.keysAdd(t, ctx)
	s.expect(regexp.QuoteMeta("New passphrase for the awsrun key store "))
	s.waitEchoOff()
	s.send("\x03")
	s.waitExit(130)
	if strings.Contains(s.text(), "awsrun: error") {
		s.errorf("Ctrl-C printed an error line")
	}
	if !s.echoing() {
		s.errorf("awsrun left the terminal without echo")
	}
}

// TestKeysTypedPassphraseIsTakenAsTyped: a passphrase typed with spaces
// around it is the one AWSRUN_KEYS_PASSPHRASE gives, spaces included.
func TestKeysTypedPassphraseIsTakenAsTyped(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	f := newKeysFixture(t)
	const passphrase = "  spaced passphrase "

	s := f.keysAdd(t, ctx)
	s.expect(regexp.QuoteMeta("New passphrase for the awsrun key store "))
	s.waitEchoOff()
	s.send(passphrase + "\r")
	s.expect(regexp.QuoteMeta("Repeat the passphrase: "))
	s.waitEchoOff()
	s.send(passphrase + "\r")
	s.expect(`stored the key AKIA…\w{4} of user101 in the key store`)
	s.waitExit(0)

	f.env = append(f.env, "AWSRUN_KEYS_PASSPHRASE="+passphrase)
	stdout, stderr, code := runDetached(t, f, "--keys", "list")
	if code != 0 || !strings.Contains(stdout, "user101") {
		t.Errorf("--keys list with the passphrase as typed: exit %d\n%s%s", code, stdout, stderr)
	}
}

// newKeysFixture is the seed world with user101's keys out of the
// credentials file and a file key store inside its HOME, cheap to open.
func newKeysFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.Write(t, ".aws/credentials", "[user101]\n")
	f.env = append(f.env, "AWSRUN_KEYS_STORE=file", "AWSRUN_KEYS_WORK_FACTOR=10",
		"XDG_DATA_HOME="+f.Path(".local/share"))
	return f
}

// keysAdd starts awsrun --keys add -p user101 on a terminal and types
// user101's key id and, once echo is off, its secret.
func (f *fixture) keysAdd(t *testing.T, ctx context.Context) *session {
	t.Helper()
	s := f.awsrun(t, ctx, "--keys", "add", "-p", "user101")
	s.expect(regexp.QuoteMeta("Access key id for user101: "))
	s.send(f.User.AccessKeyID + "\r")
	s.expect(regexp.QuoteMeta("Secret access key for user101 (not shown): "))
	s.waitEchoOff()
	s.send(f.User.SecretAccessKey + "\r")
	return s
}
