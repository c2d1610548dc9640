//go:build unix

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/awsrun/awsrun/internal/testworld"
)

var (
	// awsrunBin is the binary under test, built once by TestMain.
	awsrunBin string
	// testBin is this test binary, which awsrun runs as helper programs.
	testBin string
)

// helperArg as the first argument makes the test binary a helper program
// instead of running tests (go test itself only passes -test.* flags).
const helperArg = "awsrun-e2e-helper"

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == helperArg {
		os.Exit(helper(os.Args[2], os.Args[3:]))
	}
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	// Every command, not only awsrun: the programs it is made of are
	// installed side by side, and so they are here.
	dir, err := testworld.Programs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	awsrunBin = filepath.Join(dir, "awsrun")
	if testBin, err = os.Executable(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return m.Run()
}

// helperCommand is the argv that runs the helper program name.
func helperCommand(name string, args ...string) []string {
	return append([]string{testBin, helperArg, name}, args...)
}

// helper runs the test binary as one of the small programs the tests need
// and returns its exit status.
func helper(name string, args []string) int {
	switch name {
	case "whoami":
		return whoami(args)
	case "exec-env":
		return execEnv(args)
	case "sdk-whoami":
		return sdkWhoami() // server_test.go
	}
	fmt.Fprintf(os.Stderr, "e2e helper: unknown helper %q\n", name)
	return 2
}

// whoami is a child of awsrun that prints the credentials it was given and
// the identity STS says they have, as any SDK-based tool would see it:
//
//	AWS_ACCESS_KEY_ID=ASIA…
//	AWSRUN_PROFILE=role101
//	arn=arn:aws:sts::123456789012:assumed-role/role101/…
//
// It signs for $AWS_REGION, else for args[0], else for us-east-1: the fake
// STS, like AWS, rejects a key of one partition used in another's region.
func whoami(args []string) int {
	region := os.Getenv("AWS_REGION")
	if region == "" && len(args) > 0 {
		region = args[0]
	}
	if region == "" {
		region = "us-east-1"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Printf("AWS_ACCESS_KEY_ID=%s\nAWSRUN_PROFILE=%s\n", os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWSRUN_PROFILE"))
	arn, err := testworld.CallerARN(ctx, region)
	if err != nil {
		fmt.Printf("whoami: %v\n", err)
		return 3
	}
	fmt.Printf("arn=%s\n", arn)
	return 0
}

// execEnv replaces itself with args[1:] run with exactly the environment in
// the file args[0] (NUL-separated entries), duplicates included: os/exec
// would merge duplicates, and the tests need a parent that has some. It
// runs in a helper process, never in the process running the tests.
func execEnv(args []string) int {
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: exec-env ENVFILE COMMAND [ARG...]")
		return 2
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "exec-env:", err)
		return 2
	}
	env := splitNUL(b)
	err = syscall.Exec(args[1], args[1:], env)
	fmt.Fprintln(os.Stderr, "exec-env:", err)
	return 2
}

// splitNUL splits a NUL-terminated list, as env -0 writes it.
func splitNUL(b []byte) []string {
	var out []string
	for _, e := range bytes.Split(b, []byte{0}) {
		out = append(out, string(e))
	}
	if len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}
