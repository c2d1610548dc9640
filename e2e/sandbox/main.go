// Command sandbox runs awsrun's main job end to end on this machine, with
// no AWS account, in the tests' world (internal/testworld): a fake STS on
// loopback (creds/ststest), a generated ~/.aws in a temporary HOME, an IAM
// user with a virtual MFA device, and a role that demands MFA.
//
//	go run ./e2e/sandbox                 # awsrun -p role101 -- whoami, twice
//	go run ./e2e/sandbox -- env          # any command instead of whoami
//	go run ./e2e/sandbox -awsrun /usr/bin/awsrun   # an installed awsrun instead of the tests' build
//
// With a terminal, awsrun asks for the code and the sandbox shows the code
// the virtual device displays; without one, mfa_process supplies it. The
// second run is served from awsrun's encrypted cache: no prompt, no STS call.
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

	bin := *installed
	if bin == "" {
		dir, err := testworld.Programs()
		if err != nil {
			return failf("%v", err)
		}
		bin = filepath.Join(dir, "awsrun")
	}

	command := flag.Args()
	if len(command) == 0 {
		command = []string{self, "whoami"}
	}
	// The terminal's variables stay; the world's win over the rest.
	env := append(append(os.Environ(), w.Env...), secretEnv+"="+dev.Secret)
	fmt.Fprintf(os.Stderr, "sandbox: fake STS at %s; user101 (%s) may assume role101 with MFA\n", srv.URL, user.AccessKeyID)
	status := 0
	for run := 1; run <= 2; run++ {
		before := len(srv.Calls())
		switch {
		case *prompt && cached(bin, env, "role101"):
			fmt.Fprintf(os.Stderr, "sandbox: run %d; role101's credentials are cached: awsrun will not ask for a code\n", run)
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
		calls := srv.Calls()[before:]
		var names []string
		for _, c := range calls {
			if c.Action != "GetCallerIdentity" {
				names = append(names, c.Action)
			}
		}
		fmt.Fprintf(os.Stderr, "sandbox: run %d exited %d; STS calls for credentials: %s\n\n", run, status, orNone(names))
		if status != 0 {
			return status
		}
	}
	return status
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

func hasTerminal() bool {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none (served from the cache)"
	}
	return strings.Join(s, ", ")
}

func failf(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "sandbox: "+format+"\n", args...)
	return 1
}
