// Command sandbox runs awsrun's main job end to end on this machine, with
// no AWS account, in the tests' world (internal/testworld): a fake STS on
// loopback (creds/ststest), a generated ~/.aws in a temporary HOME, an IAM
// user with a virtual MFA device, and a role that demands MFA.
//
//	go run ./e2e/sandbox                 # awsrun -p role101 -- whoami, twice
//	go run ./e2e/sandbox -- bash         # a shell in the sandbox, awsrun first in PATH
//	go run ./e2e/sandbox -awsrun /usr/bin/awsrun   # an installed awsrun instead of a fresh build
//
// With a terminal, awsrun asks for the code and the sandbox shows the code
// the virtual device displays; without one, mfa_process supplies it. The
// second run is served from awsrun's encrypted cache: no prompt, no STS call.
// A command after -- runs once in the sandbox's environment (files, cache,
// key store and AWS endpoints all the sandbox's), not under awsrun.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/internal/testworld"
)

const secretEnv = "AWSRUN_SANDBOX_TOTP_SECRET"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "totp": // mfa_process: print the virtual device's code
			code, err := totp.GenerateCode(os.Getenv(secretEnv), time.Now())
			if err != nil {
				fmt.Fprintln(os.Stderr, "sandbox totp:", err)
				os.Exit(1)
			}
			fmt.Println(code)
			return
		case "whoami": // the default child: who do these credentials say I am?
			os.Exit(whoami())
		}
	}
	os.Exit(sandbox())
}

func sandbox() int {
	prompt := flag.Bool("prompt", hasTerminal(), "let awsrun prompt on the terminal (default when there is one); otherwise mfa_process answers")
	keep := flag.Bool("keep", false, "keep the temporary HOME and print its path")
	installed := flag.String("awsrun", "", "run this `awsrun` (an installed one, with awsrun-core beside it or in PATH) instead of building both")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: go run ./e2e/sandbox [-prompt=false] [-keep] [-awsrun PATH] [-- COMMAND [ARG...]]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	home, err := os.MkdirTemp("", "awsrun-sandbox-")
	if err != nil {
		return failf("%v", err)
	}
	if *keep {
		fmt.Fprintf(os.Stderr, "sandbox: HOME is %s\n", home)
	} else {
		defer os.RemoveAll(home)
	}
	self, err := os.Executable()
	if err != nil {
		return failf("%v", err)
	}
	mfaProcess := ""
	if !*prompt {
		mfaProcess = fmt.Sprintf("mfa_process = %q totp\n", self)
	}
	// The tests' world: user101, its MFA device and role101 in a fake STS,
	// ~/.aws written into home.
	config := fmt.Sprintf("[profile role101]\nrole_arn = %s\nsource_profile = user101\nmfa_serial = %s\nregion = us-east-1\n%s",
		testworld.RoleARN, testworld.Serial, mfaProcess)
	w, err := testworld.NewIn(home, testworld.Options{Config: config, User: os.Getenv("USER")})
	if err != nil {
		return failf("%v", err)
	}
	srv, user, dev := w.Srv, w.User, w.Dev
	defer srv.Close()
	// 12h, the most IAM allows, so examples such as -d 2h work here.
	srv.SetRolePolicy(testworld.RoleARN, ststest.RolePolicy{Principals: []string{user.ARN}, RequireMFA: true, MaxSessionDuration: 12 * time.Hour})
	fed := srv.NewFederation()
	defer fed.Close()

	bin := *installed
	if bin == "" {
		dir, err := testworld.Programs()
		if err != nil {
			return failf("%v", err)
		}
		bin = filepath.Join(dir, "awsrun")
	}

	// The terminal's variables stay; the world's and the sandbox's win
	// over the rest.
	env := append(append(os.Environ(), w.Env...), sandboxEnv(home, srv.URL, srv.IAMURL(), fed.URL)...)
	env = append(env, secretEnv+"="+dev.Secret,
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	fmt.Fprintf(os.Stderr, "sandbox: fake STS at %s, fake IAM at %s, fake sign-in federation at %s; user101 (%s) may assume role101 with MFA\n",
		srv.URL, srv.IAMURL(), fed.URL, user.AccessKeyID)

	if command := flag.Args(); len(command) > 0 {
		// The command runs in the sandbox, not under awsrun: a shell there
		// takes the README's commands as they are (no AWSRUN_PROFILE, so
		// no --nested), with this awsrun first in PATH.
		fmt.Fprintf(os.Stderr, "sandbox: $ %s   (awsrun is %s; try awsrun -p role101 -- env; the MFA device's code: %s totp)\n",
			strings.Join(command, " "), bin, self)
		path, err := lookPath(command[0], env)
		if err != nil {
			return failf("%s: not found in the sandbox's PATH", command[0])
		}
		cmd := exec.Command(path, command[1:]...)
		cmd.Args[0] = command[0]
		cmd.Env = env
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		err = cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			return ee.ExitCode()
		case err != nil:
			return failf("running %s: %v", command[0], err)
		}
		return 0
	}
	command := []string{self, "whoami"}
	status := 0
	for run := 1; run <= 2; run++ {
		before := len(srv.Calls())
		switch {
		case *prompt && cached(bin, env, "role101"):
			fmt.Fprintf(os.Stderr, "sandbox: run %d; role101's credentials are cached: awsrun should not need a code\n", run)
		case *prompt:
			fmt.Fprintf(os.Stderr, "sandbox: run %d; awsrun will ask for a code: the virtual MFA device shows %s\n", run, dev.Code(time.Now()))
		default:
			fmt.Fprintf(os.Stderr, "sandbox: run %d; mfa_process supplies the code\n", run)
		}
		args := append([]string{"-v", "--profile", "role101", "--"}, command...)
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
		fmt.Fprintf(os.Stderr, "sandbox: $ awsrun %s\n", strings.Join(args, " "))
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			status = ee.ExitCode()
		case err != nil:
			return failf("running awsrun: %v", err)
		}
		fmt.Fprintf(os.Stderr, "sandbox: %s\n\n", summary(run, status, srv.Calls()[before:]))
		if status != 0 {
			return status
		}
	}
	return status
}

// sandboxEnv is what the sandbox sets on top of the caller's environment:
// every place awsrun reads or writes (files, the cache and its key, the
// long-term key store) inside home, and every AWS endpoint awsrun may call
// on the fakes, so nothing inside the sandbox touches the caller's files,
// keyring or AWS account.
func sandboxEnv(home, stsURL, iamURL, federationURL string) []string {
	return []string{
		"HOME=" + home,
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"),
		"AWS_ENDPOINT_URL_STS=" + stsURL,
		"AWS_ENDPOINT_URL_IAM=" + iamURL,
		"AWSRUN_FEDERATION_ENDPOINT=" + federationURL,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWSRUN_KEY_STORE=file",
		"AWSRUN_KEYS_STORE=file",
	}
}

// cached reports whether awsrun --list --json shows usable role
// credentials for profile: the next run will not prompt.
func cached(bin string, env []string, profile string) bool {
	cmd := exec.Command(bin, "--list", "--json")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	var l struct {
		Entries []struct {
			Kind    string `json:"kind"`
			Label   string `json:"label"`
			Refresh bool   `json:"refresh"`
		} `json:"entries"`
	}
	if json.Unmarshal(out, &l) != nil {
		return false
	}
	for _, e := range l.Entries {
		if e.Kind == "role" && (e.Label == profile || strings.HasPrefix(e.Label, profile+" ")) && !e.Refresh {
			return true
		}
	}
	return false
}

// whoami prints the identity the injected credentials have, as the child
// of awsrun sees it.
func whoami() int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	arn, err := testworld.CallerARN(ctx, os.Getenv("AWS_REGION"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "whoami:", err)
		return 1
	}
	key := os.Getenv("AWS_ACCESS_KEY_ID")
	fmt.Printf("Arn:        %s\nAccessKey:  %s…\nExpiration: %s\nProfile:    %s\n",
		arn, key[:min(8, len(key))], os.Getenv("AWS_CREDENTIAL_EXPIRATION"), os.Getenv("AWSRUN_PROFILE"))
	return 0
}

// lookPath finds name in the PATH of env, where the sandbox's awsrun
// comes first.
func lookPath(name string, env []string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		return name, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

func hasTerminal() bool {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// summary is the line after a run: its exit status and the STS calls
// that made credentials. Calls that make none are left out: the child's
// (or the doctor's clock check) GetCallerIdentity, and requests that
// named no action. Only a run that worked was served from the cache.
func summary(run, status int, calls []ststest.Call) string {
	var names []string
	for _, c := range calls {
		if c.Action != "" && c.Action != "GetCallerIdentity" {
			names = append(names, c.Action)
		}
	}
	list := strings.Join(names, ", ")
	switch {
	case len(names) == 0 && status == 0:
		list = "none (served from the cache)"
	case len(names) == 0:
		list = "none"
	}
	return fmt.Sprintf("run %d exited %d; STS calls for credentials: %s", run, status, list)
}

func failf(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "sandbox: "+format+"\n", args...)
	return 1
}
