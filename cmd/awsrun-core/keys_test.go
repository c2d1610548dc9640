package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/ststest"
)

const testPassphrase = "pass phrase for tests"

// keysWorld is the seeds' world with the fake IAM, the key store forced
// to the passphrase file, and a server clock the test moves on so that
// every MFA session gets a fresh code without waiting 30 seconds.
type keysWorld struct {
	*world
	clock   *testClock
	setCode func(string)
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func newKeysWorld(t *testing.T) *keysWorld {
	t.Helper()
	w := &keysWorld{world: newWorld(t, ""), clock: &testClock{t: time.Now()}}
	w.srv.SetClock(w.clock.Now)
	w.env = append(w.env,
		"AWS_ENDPOINT_URL_IAM="+w.srv.IAMURL(),
		"XDG_DATA_HOME="+filepath.Join(w.home, ".local", "share"),
		"AWSRUN_KEYS_STORE=file",
		"AWSRUN_KEYS_PASSPHRASE="+testPassphrase,
		"AWSRUN_KEYS_WORK_FACTOR=10",
		"AWSRUN_KEYS_PROPAGATION_WAIT=20s")
	w.setCode, _ = w.mfaProcess(t)
	// IAM self-service needs MFA in this account, as in many.
	w.srv.RequireMFAForIAM(w.user, true)
	return w
}

// nextCode moves the server clock to the next code window and has
// mfa_process print that window's code.
func (w *keysWorld) nextCode() {
	w.clock.mu.Lock()
	w.clock.t = w.clock.t.Add(30 * time.Second)
	w.clock.mu.Unlock()
	w.setCode(w.code())
}

func (w *keysWorld) credsFile() string { return filepath.Join(w.home, ".aws", "credentials") }

func (w *keysWorld) readCreds(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(w.credsFile())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// mustRun runs awsrun and fails the test unless it exits 0.
func (w *keysWorld) mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := w.run(t, args...)
	if r.code != 0 {
		t.Fatalf("awsrun %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// roleWorks runs a child with role101's credentials and checks who STS
// says it is.
func (w *keysWorld) roleWorks(t *testing.T) {
	t.Helper()
	r := w.mustRun(t, "-p", "role101", "--export", "json")
	var v struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatal(err)
	}
	if got := callerOf(t, w.world, v.AccessKeyId, v.SecretAccessKey, v.SessionToken); !strings.Contains(got, "assumed-role/role101/") {
		t.Fatalf("role101's credentials are %q", got)
	}
}

// assertNowhereOnDisk walks the whole HOME for secret.
func assertNowhereOnDisk(t *testing.T, root, secret string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the secret is readable in %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestKeysImportKeepsTheRestOfTheFileAndLeavesNoPlaintext(t *testing.T) {
	w := newKeysWorld(t)
	id, secret := w.user.AccessKeyID, w.user.SecretAccessKey
	before := "# my keys\r\n[ci]\r\naws_access_key_id=AKIACIXXXXXXXXXXXXXX\r\naws_secret_access_key = ci/secret\r\naws_session_token = FwoGZXIvYXdz+tok==\r\n\r\n" +
		"[user101]  ; the user\r\n  region = eu-west-1\r\naws_access_key_id   =\t" + id + "\r\n; keep me\r\naws_secret_access_key=" + secret + "   # inline\r\n[z]\r\nx=1"
	w.write(t, ".aws/credentials", before)
	r := w.mustRun(t, "--keys", "list")
	if !strings.Contains(r.stdout, "user101") || !strings.Contains(r.stdout, "plain text "+w.credsFile()) || strings.Contains(r.stdout, id) {
		t.Errorf("--keys list before import = %q", r.stdout)
	}
	r = w.mustRun(t, "--keys", "import", "-p", "user101")
	if !strings.Contains(r.stderr, "AKIA…") || strings.Contains(r.stderr, id) {
		t.Errorf("stderr = %q, want the masked key id", r.stderr)
	}
	after := w.readCreds(t)
	today := time.Now().UTC().Format("2006-01-02")
	want := "# my keys\r\n[ci]\r\naws_access_key_id=AKIACIXXXXXXXXXXXXXX\r\naws_secret_access_key = ci/secret\r\naws_session_token = FwoGZXIvYXdz+tok==\r\n\r\n" +
		"[user101]  ; the user\r\n  region = eu-west-1\r\n# aws_access_key_id and aws_secret_access_key of [user101] are in awsrun's key store (file) since " + today + ": awsrun --keys list\r\n; keep me\r\n[z]\r\nx=1"
	if after != want {
		t.Errorf("credentials file after import:\n%q\nwant\n%q", after, want)
	}
	assertNowhereOnDisk(t, w.home, secret)
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(w.credsFile()), ".credentials-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	fi, _ := os.Stat(w.credsFile())
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %v", fi.Mode())
	}

	w.roleWorks(t)

	r = w.mustRun(t, "--keys", "list")
	if !strings.Contains(r.stdout, "user101") || !strings.Contains(r.stdout, id[:4]+"…"+id[len(id)-4:]) || strings.Contains(r.stdout, id) {
		t.Errorf("--keys list = %q", r.stdout)
	}
	r = w.mustRun(t, "--keys", "list", "--json")
	var list []struct{ Profile, Access_Key_ID, Store string }
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list) != 2 || list[0].Profile != "user101" || !strings.HasPrefix(list[0].Store, "file ") ||
		list[1].Profile != "ci" || !strings.HasPrefix(list[1].Store, "plain text ") {
		t.Errorf("--keys list --json = %q (%v)", r.stdout, err)
	}

	// Importing again says the keys are already in the store.
	r = w.run(t, "--keys", "import", "-p", "user101")
	if r.code != 125 || !strings.Contains(r.stderr, "the keys of [user101] are already in the key store") || !strings.Contains(r.stderr, "awsrun: hint: ") {
		t.Errorf("second import: exit %d, %q", r.code, r.stderr)
	}
	// Keys back in the file as well: an error naming both places.
	w.write(t, ".aws/credentials", fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n", id, secret))
	r = w.run(t, "-p", "role101", "--", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "both in "+w.credsFile()) || !strings.Contains(r.stderr, "key store") {
		t.Errorf("keys in both places: exit %d, %q", r.code, r.stderr)
	}
}

func TestKeysImportRefusesAmbiguousFilesAndChangesNothing(t *testing.T) {
	w := newKeysWorld(t)
	text := fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n[user101]\nregion = x\n", w.user.AccessKeyID, w.user.SecretAccessKey)
	w.write(t, ".aws/credentials", text)
	r := w.run(t, "--keys", "import", "-p", "user101")
	if r.code != 125 || !strings.Contains(r.stderr, "appears twice") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	if w.readCreds(t) != text {
		t.Error("the file changed")
	}
	if _, err := os.Stat(filepath.Join(w.home, ".local/share/awsrun/keys.age")); err == nil {
		t.Error("a key store was written")
	}
}

func TestKeysAddFromStdinThenRun(t *testing.T) {
	w := newKeysWorld(t)
	w.write(t, ".aws/credentials", "[user101]\n")
	r := w.runStdin(t, w.user.AccessKeyID+"\n"+w.user.SecretAccessKey+"\n", "--keys", "add", "-p", "user101")
	if r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	assertNowhereOnDisk(t, w.home, w.user.SecretAccessKey)
	w.roleWorks(t)
	if calls := w.srv.Calls(); calls[0].Action != "GetSessionToken" || calls[0].AccessKeyID != w.user.AccessKeyID {
		t.Errorf("first call %+v, want GetSessionToken with the added key", calls[0])
	}

	r = w.runStdin(t, "AKIABAD\n", "--keys", "add", "-p", "other")
	if r.code != 125 || !strings.Contains(r.stderr, "two lines") {
		t.Errorf("one line on stdin: exit %d, %q", r.code, r.stderr)
	}
	r = w.runStdin(t, "not-a-key\nsecret-that-is-long-enough\n", "--keys", "add", "-p", "other")
	if r.code != 125 || !strings.Contains(r.stderr, "access key id is not") || strings.Contains(r.stderr, "secret-that") {
		t.Errorf("a bad id: exit %d, %q", r.code, r.stderr)
	}
	r = w.mustRun(t, "--keys", "remove", "-p", "user101")
	r = w.run(t, "-p", "role101", "--no-cache", "--", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "user101") {
		t.Errorf("after remove: exit %d, %q", r.code, r.stderr)
	}
}

func TestKeysWrongPassphrase(t *testing.T) {
	w := newKeysWorld(t)
	w.mustRun(t, "--keys", "import", "-p", "user101")
	w.env = append(w.env, "AWSRUN_KEYS_PASSPHRASE=not the passphrase")
	r := w.run(t, "-p", "role101", "--", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "awsrun: error: profile user101: key store ") || !strings.Contains(r.stderr, "wrong passphrase") ||
		!strings.Contains(r.stderr, "awsrun: hint:") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "not the passphrase") || strings.Contains(r.stderr, testPassphrase) {
		t.Errorf("a passphrase in the error: %q", r.stderr)
	}
	if n := len(w.srv.Calls()); n != 0 {
		t.Errorf("%d STS calls with the store locked", n)
	}
}

func TestKeysRotateInStoreThroughTheMFASession(t *testing.T) {
	w := newKeysWorld(t)
	w.mustRun(t, "--keys", "import", "-p", "user101")
	w.roleWorks(t) // caches an MFA session made with the old key
	old := w.user.AccessKeyID
	w.nextCode()
	w.srv.ResetCalls()

	r := w.mustRun(t, "--keys", "rotate", "-p", "role101")
	keysNow := w.srv.AccessKeys(w.user)
	if len(keysNow) != 1 || keysNow[0] == old {
		t.Fatalf("IAM holds %v after rotation, want one new key", keysNow)
	}
	newID := keysNow[0]
	if !strings.Contains(r.stderr, "rotated the key of user101") {
		t.Errorf("stderr = %q", r.stderr)
	}
	for _, c := range w.srv.Calls() {
		if c.Action == "CreateAccessKey" && c.AccessKeyID == old {
			t.Error("CreateAccessKey was signed with the long-term key, not the MFA session")
		}
	}
	newSecret, _ := w.srv.KeySecret(newID)
	assertNowhereOnDisk(t, w.home, newSecret)

	// Runs use the new key: the old key's session is forgotten, a new one
	// is made (one new code) with the new key.
	w.nextCode()
	w.srv.ResetCalls()
	w.roleWorks(t)
	calls := w.srv.Calls()
	if calls[0].Action != "GetSessionToken" || calls[0].AccessKeyID != newID {
		t.Errorf("first call after rotation %+v, want GetSessionToken with %s", calls[0], newID)
	}
}

func TestKeysRotateInTheCredentialsFileRewritesInPlace(t *testing.T) {
	w := newKeysWorld(t)
	text := fmt.Sprintf("# top\r\n[user101]\r\naws_access_key_id = %s # id\r\naws_secret_access_key = %s\r\n[other]\r\nx = 1\r\n", w.user.AccessKeyID, w.user.SecretAccessKey)
	w.write(t, ".aws/credentials", text)
	w.mustRun(t, "--keys", "rotate", "-p", "role101")
	keysNow := w.srv.AccessKeys(w.user)
	if len(keysNow) != 1 || keysNow[0] == w.user.AccessKeyID {
		t.Fatalf("IAM holds %v", keysNow)
	}
	secret, _ := w.srv.KeySecret(keysNow[0])
	want := fmt.Sprintf("# top\r\n[user101]\r\naws_access_key_id = %s # id\r\naws_secret_access_key = %s\r\n[other]\r\nx = 1\r\n", keysNow[0], secret)
	if got := w.readCreds(t); got != want {
		t.Errorf("credentials file:\n%q\nwant\n%q", got, want)
	}
	if _, err := os.Stat(filepath.Join(w.home, ".local/share/awsrun/keys.age")); err == nil {
		t.Error("rotation of file keys wrote a key store")
	}
	w.nextCode()
	w.roleWorks(t)
}

func TestKeysRotateStopsAtTheTwoKeyLimit(t *testing.T) {
	w := newKeysWorld(t)
	other, _ := w.srv.NewAccessKey(w.user)
	before := w.readCreds(t)
	r := w.run(t, "--keys", "rotate", "-p", "role101")
	if r.code != 125 || !strings.Contains(r.stderr, "two keys") || !strings.Contains(r.stderr, other) || !strings.Contains(r.stderr, w.user.AccessKeyID) {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	if n := w.srv.CallCount("CreateAccessKey"); n != 0 {
		t.Errorf("%d CreateAccessKey calls", n)
	}
	if w.readCreds(t) != before || len(w.srv.AccessKeys(w.user)) != 2 {
		t.Error("something changed")
	}
}

func TestKeysRotateWithoutMFAIsDeniedWithAHint(t *testing.T) {
	w := newKeysWorld(t)
	r := w.run(t, "--keys", "rotate", "-p", "user101") // user101 has no mfa_serial
	if r.code != 125 || !strings.Contains(r.stderr, "AccessDenied") || !strings.Contains(r.stderr, "hint: many accounts allow IAM self-service only with MFA") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	if len(w.srv.AccessKeys(w.user)) != 1 {
		t.Error("IAM keys changed")
	}
}

func TestKeysRotateWithADeniedDeleteKeepsTheNewKey(t *testing.T) {
	w := newKeysWorld(t)
	w.mustRun(t, "--keys", "import", "-p", "user101")
	w.srv.DenyIAMAction(w.user, "DeleteAccessKey", true)
	old := w.user.AccessKeyID
	r := w.run(t, "--keys", "rotate", "-p", "role101")
	keysNow := w.srv.AccessKeys(w.user)
	if len(keysNow) != 2 {
		t.Fatalf("IAM holds %v", keysNow)
	}
	newID := keysNow[1]
	if r.code != 125 || !strings.Contains(r.stderr, "DeleteAccessKey") || !strings.Contains(r.stderr, newID+" (new, in use") ||
		!strings.Contains(r.stderr, old+" (old, still active") || !strings.Contains(r.stderr, "aws iam delete-access-key --access-key-id "+old) {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	w.nextCode()
	w.srv.ResetCalls()
	w.roleWorks(t)
	if c := w.srv.Calls()[0]; c.AccessKeyID != newID {
		t.Errorf("runs sign with %s, want the new key %s", c.AccessKeyID, newID)
	}
}

func TestKeysRotateWhenSTSNeverAcceptsTheNewKey(t *testing.T) {
	w := newKeysWorld(t)
	w.mustRun(t, "--keys", "import", "-p", "user101")
	w.srv.SetKeyPropagationDelay(time.Hour)
	w.env = append(w.env, "AWSRUN_KEYS_PROPAGATION_WAIT=2s")
	r := w.run(t, "--keys", "rotate", "-p", "role101")
	if r.code != 125 || !strings.Contains(r.stderr, "did not accept the new key") || !strings.Contains(r.stderr, "deleted again") ||
		!strings.Contains(r.stderr, w.user.AccessKeyID+" (in use") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	if got := w.srv.AccessKeys(w.user); len(got) != 1 || got[0] != w.user.AccessKeyID {
		t.Errorf("IAM holds %v, want only the old key", got)
	}
	w.roleWorks(t)
}

// A rotation killed after storing the new key and before deleting the old
// one leaves the new key working locally, and the next rotation names
// both keys.
func TestKeysRotateKilledBetweenTheSteps(t *testing.T) {
	w := newKeysWorld(t)
	w.srv.InjectFault(ststest.Fault{Action: "DeleteAccessKey", Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), "--keys", "rotate", "-p", "role101")
	cmd.Env = w.env
	noTerminal(cmd)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	old := w.user.AccessKeyID
	for !strings.Contains(w.readCreds(t), "AKIA") || strings.Contains(w.readCreds(t), old) {
		if ctx.Err() != nil {
			t.Fatalf("the new key was never stored: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The new key is in the file; DeleteAccessKey is waiting in the fault.
	cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
	cmd.Wait()
	w.srv.ClearFaults()

	keysNow := w.srv.AccessKeys(w.user)
	if len(keysNow) != 2 {
		t.Fatalf("IAM holds %v, want the old and the new key", keysNow)
	}
	w.nextCode()
	w.roleWorks(t)
	w.nextCode()
	r := w.run(t, "--keys", "rotate", "-p", "role101")
	if r.code != 125 || !strings.Contains(r.stderr, "two keys") || !strings.Contains(r.stderr, "delete-access-key --access-key-id "+old) {
		t.Errorf("rotation after the kill: exit %d, %q", r.code, r.stderr)
	}
}

// runStdin runs awsrun with stdin from text (not a terminal).
func (w *keysWorld) runStdin(t *testing.T, text string, args ...string) result {
	t.Helper()
	return launch(t, binary(t), w.env, strings.NewReader(text), args...)
}

// IAM is eventually consistent: rotation waits, saying so, until STS
// accepts the new key.
func TestKeysRotateWaitsUntilSTSAcceptsTheNewKey(t *testing.T) {
	w := newKeysWorld(t)
	w.mustRun(t, "--keys", "import", "-p", "user101")
	w.srv.SetKeyPropagationDelay(time.Minute)
	done := make(chan struct{})
	defer close(done)
	go func() {
		// Once STS has refused the new key, a minute passes on its clock.
		for {
			for _, c := range w.srv.Calls() {
				if c.Action == "GetCallerIdentity" && c.ErrorCode == "InvalidClientTokenId" {
					w.clock.mu.Lock()
					w.clock.t = w.clock.t.Add(time.Minute)
					w.clock.mu.Unlock()
					return
				}
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	r := w.mustRun(t, "--keys", "rotate", "-p", "role101")
	if !strings.Contains(r.stderr, "waiting for STS to accept it") {
		t.Errorf("stderr = %q", r.stderr)
	}
	var refused, accepted bool
	for _, c := range w.srv.Calls() {
		if c.Action == "GetCallerIdentity" {
			refused = refused || c.ErrorCode == "InvalidClientTokenId"
			accepted = accepted || (refused && c.ErrorCode == "")
		}
	}
	if !refused || !accepted {
		t.Errorf("GetCallerIdentity calls: refused %t, then accepted %t", refused, accepted)
	}
	if got := w.srv.AccessKeys(w.user); len(got) != 1 || got[0] == w.user.AccessKeyID {
		t.Errorf("IAM holds %v", got)
	}
}

// With keys in the passphrase file store, a profile whose keys are in the
// credentials file runs without being asked for the passphrase.
func TestKeysFileProfilesNeedNoPassphrase(t *testing.T) {
	w := newKeysWorld(t)
	if r := w.runStdin(t, "AKIAOTHEROTHEROTHER1\nsecretsecretsecretsecret\n", "--keys", "add", "-p", "other"); r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.stderr)
	}
	var env []string
	for _, e := range w.env {
		if !strings.HasPrefix(e, "AWSRUN_KEYS_PASSPHRASE=") {
			env = append(env, e)
		}
	}
	w.env = env
	r := w.run(t, "-p", "role101", "--", "true")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// A profile whose keys are stored needs it, and says how to give it.
	w.write(t, ".aws/config", "[profile other]\nregion = us-east-1\n")
	r = w.run(t, "-p", "other", "--", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "AWSRUN_KEYS_PASSPHRASE") {
		t.Errorf("stored profile without a terminal: exit %d, %q", r.code, r.stderr)
	}
}

// TestKeysMovedButStoreNotFound: after an import, a run that finds no key
// store (another XDG_DATA_HOME) says the keys were moved there, not to
// put them back in the file, and names where it looked.
func TestKeysMovedButStoreNotFound(t *testing.T) {
	w := newKeysWorld(t)
	w.write(t, ".aws/credentials", fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n", w.user.AccessKeyID, w.user.SecretAccessKey))
	w.mustRun(t, "--keys", "import", "-p", "user101")
	other := filepath.Join(w.home, "elsewhere")
	w.env = append(w.env, "XDG_DATA_HOME="+other)
	r := w.run(t, "-p", "role101", "--", "true")
	errLine, hint, _ := strings.Cut(r.stderr, "awsrun: hint: ")
	if r.code != 125 || !strings.Contains(errLine, "awsrun --keys import moved them") || !strings.Contains(errLine, "user101") ||
		!strings.Contains(hint, filepath.Join(other, "awsrun")) || !strings.Contains(hint, "XDG_DATA_HOME") ||
		!strings.Contains(hint, "awsrun --keys list") || strings.Contains(r.stderr, "add aws_access_key_id") {
		t.Errorf("run with the key store elsewhere: exit %d\n%s", r.code, r.stderr)
	}
}

// TestKeysImportSaysWhatIsMissing: a profile with no section in the
// credentials file is said to have none (a role's hint names its source),
// and a section without keys holds none.
func TestKeysImportSaysWhatIsMissing(t *testing.T) {
	w := newKeysWorld(t)
	w.write(t, ".aws/credentials", "[user101]\nregion = eu-west-1\n")
	for _, tt := range []struct {
		args       []string
		want, hint string
	}{
		{[]string{"-p", "role101"}, "has no [role101] section", "awsrun --keys import -p user101"},
		{nil, "has no [default] section", "awsrun --keys import -p PROFILE"},
		{[]string{"-p", "user101"}, "[user101] in " + w.credsFile() + " holds no keys", "awsrun --keys add -p user101"},
	} {
		r := w.run(t, append([]string{"--keys", "import"}, tt.args...)...)
		errLine, hint, _ := strings.Cut(r.stderr, "awsrun: hint: ")
		if r.code != 125 || !strings.Contains(errLine, tt.want) || !strings.Contains(hint, tt.hint) {
			t.Errorf("--keys import %v: exit %d, %q; want %q, hint %q", tt.args, r.code, r.stderr, tt.want, tt.hint)
		}
	}
}

// TestKeysAddForAnUnknownProfileWarns: the key is stored, and stderr says
// that no profile of that name exists for runs to find it through.
func TestKeysAddForAnUnknownProfileWarns(t *testing.T) {
	w := newKeysWorld(t)
	w.write(t, ".aws/credentials", "[user101]\n")
	r := w.runStdin(t, w.user.AccessKeyID+"\n"+w.user.SecretAccessKey+"\n", "--keys", "add", "-p", "user202")
	if r.code != 0 || !strings.Contains(r.stderr, "awsrun: warning: profile user202 is in neither") {
		t.Errorf("add for an unknown profile: exit %d, %q", r.code, r.stderr)
	}
	r = w.mustRun(t, "--keys", "list")
	if !strings.Contains(r.stdout, "user202") {
		t.Errorf("--keys list = %q, want user202 stored", r.stdout)
	}
	r = w.runStdin(t, w.user.AccessKeyID+"\n"+w.user.SecretAccessKey+"\n", "--keys", "add", "-p", "user101")
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Errorf("add for a known profile: exit %d, %q", r.code, r.stderr)
	}
}

// TestDoctorWithALockedKeyStore: with the source's keys in keys.age and no
// passphrase nor terminal, the doctor reports the store as locked and
// goes on with the report, then fails as a run would.
func TestDoctorWithALockedKeyStore(t *testing.T) {
	w := newKeysWorld(t)
	w.write(t, ".aws/credentials", fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n", w.user.AccessKeyID, w.user.SecretAccessKey))
	w.mustRun(t, "--keys", "import", "-p", "user101")
	w.env = append(w.env, "AWSRUN_KEYS_PASSPHRASE=")
	w.srv.ResetCalls()
	r := w.run(t, "--doctor", "-p", "role101")
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != 125 || len(lines) != 2 || !strings.HasPrefix(lines[0], "awsrun: error: profile role101 (") || !strings.Contains(lines[0], "key store is locked") ||
		!strings.Contains(lines[1], "AWSRUN_KEYS_PASSPHRASE") {
		t.Errorf("exit %d, stderr %q; want 125, the locked store naming the profile, and a hint", r.code, r.stderr)
	}
	for _, want := range []string{"key store is locked", "clock: ", "codes from: "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, c := range w.srv.Calls() {
		if c.AccessKeyID != "" {
			t.Errorf("the doctor signed a call (%s) with %s", c.Action, c.AccessKeyID)
		}
	}
}

func TestKeysRotateRefusesABadPropagationWaitBeforeIAM(t *testing.T) {
	w := newKeysWorld(t)
	w.env = append(w.env, "AWSRUN_KEYS_PROPAGATION_WAIT=2 minutes")
	before := w.readCreds(t)
	r := w.run(t, "--keys", "rotate", "-p", "role101")
	if r.code != 125 || !strings.Contains(r.stderr, "awsrun: error: profile role101: AWSRUN_KEYS_PROPAGATION_WAIT=\"2 minutes\"") ||
		!strings.Contains(r.stderr, "awsrun: hint: set AWSRUN_KEYS_PROPAGATION_WAIT to a duration") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	for _, action := range []string{"ListAccessKeys", "CreateAccessKey", "DeleteAccessKey"} {
		if n := w.srv.CallCount(action); n != 0 {
			t.Errorf("%d %s calls before the variable was checked", n, action)
		}
	}
	if w.readCreds(t) != before || len(w.srv.AccessKeys(w.user)) != 1 {
		t.Error("something changed")
	}
}

// The SDK's own reason for not reading a section is in the error, not a
// guess that it reads it differently.
func TestKeysImportSaysWhyTheSDKCannotReadTheSection(t *testing.T) {
	w := newKeysWorld(t)
	text := fmt.Sprintf("[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\ncredential_source = Nope\n", w.user.AccessKeyID, w.user.SecretAccessKey)
	w.write(t, ".aws/credentials", text)
	r := w.run(t, "--keys", "import", "-p", "user101")
	if r.code != 125 || !strings.Contains(r.stderr, "awsrun: error: profile user101: the AWS SDK cannot read [user101] in ") ||
		!strings.Contains(r.stderr, "requires role_arn") || !strings.Contains(r.stderr, "awsrun: hint:") {
		t.Errorf("exit %d, %q", r.code, r.stderr)
	}
	if w.readCreds(t) != text {
		t.Error("the credentials file changed")
	}
}
