package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/pquerna/otp/totp"
)

// serverChildren are the programs the test binary becomes, as children of
// awsrun --server (or as its mfa_process), by AWSRUN_TEST_ROLE.
var serverChildren = map[string]func() int{
	"sdkloop": sdkLoop,
	"probe":   probe,
	"poll":    poll,
	"totp":    printTOTP,
}

// sdkLoop is a long job built on the AWS SDK for Go: it loads the default
// configuration, as any Go tool does, and calls GetCallerIdentity every
// quarter second for $SDKLOOP_FOR. Any failure ends it with status 1. It
// prints how many calls it made and how many access keys it was given.
func sdkLoop() int {
	d, err := time.ParseDuration(os.Getenv("SDKLOOP_FOR"))
	if err != nil {
		fmt.Println("SDKLOOP_FOR:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Println("LoadDefaultConfig:", err)
		return 1
	}
	client := sts.NewFromConfig(cfg)
	keys := map[string]bool{}
	calls, arn := 0, ""
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			fmt.Printf("call %d failed: %v\n", calls+1, err)
			return 1
		}
		calls++
		arn = aws.ToString(out.Arn)
		c, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			fmt.Println("credentials:", err)
			return 1
		}
		if c.Source != "CredentialsEndpointProvider" {
			fmt.Println("credentials from", c.Source)
			return 1
		}
		keys[c.AccessKeyID] = true
	}
	fmt.Printf("calls=%d keys=%d arn=%s\n", calls, len(keys), arn)
	return 0
}

// probe reports, one per line, what a child of awsrun --server sees: the
// credential variables it has, the sockets it inherited, and how the
// endpoint answers without, with a wrong and with the right token.
func probe() int {
	var static []string
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE",
		"AWS_ACCESS_KEY", "AWS_SECRET_KEY"} {
		if _, ok := os.LookupEnv(v); ok {
			static = append(static, v)
		}
	}
	fmt.Printf("static=%s\n", strings.Join(static, ","))
	fmt.Printf("profile=%s\nregion=%s\nmarker=%s\n", os.Getenv("AWSRUN_PROFILE"), os.Getenv("AWS_REGION"), os.Getenv("AWSRUN_REGION"))
	uri, token := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"), os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	fmt.Printf("uri=%s\ntokenlen=%d\n", uri, len(token))
	// Before any connection of its own: every socket now was inherited.
	fds, _ := os.ReadDir("/proc/self/fd")
	var sockets []string
	for _, fd := range fds {
		if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(target, "socket:") {
			sockets = append(sockets, fd.Name())
		}
	}
	fmt.Printf("fds=%d sockets=%s\n", len(fds), strings.Join(sockets, ","))
	for _, try := range []struct{ name, auth string }{{"noauth", "-"}, {"wrong", token + "x"}, {"right", token}} {
		status, _ := getEndpoint(uri, try.auth)
		fmt.Printf("%s=%d\n", try.name, status)
	}
	return 0
}

// poll asks the endpoint every 100ms for $POLL_FOR and prints each change
// of answer: "200", or "503 CODE: MESSAGE". It stops early once it has seen
// an error and then a 200 again.
func poll() int {
	d, err := time.ParseDuration(os.Getenv("POLL_FOR"))
	if err != nil {
		fmt.Println("POLL_FOR:", err)
		return 2
	}
	uri, token := os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"), os.Getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	last, failed := "", false
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		status, body := getEndpoint(uri, token)
		line := fmt.Sprint(status)
		if status != http.StatusOK {
			var e struct{ Code, Message string }
			_ = json.Unmarshal(body, &e)
			line = fmt.Sprintf("%d %s: %s", status, e.Code, e.Message)
			failed = true
		}
		if line != last {
			fmt.Println(line)
			last = line
		}
		if failed && status == http.StatusOK {
			return 0
		}
	}
	return 0
}

// getEndpoint GETs uri with auth as the Authorization header ("-": none).
func getEndpoint(uri, auth string) (int, []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return -1, nil
	}
	if auth != "-" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1, []byte(err.Error())
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, body
}

// printTOTP is an mfa_process: the current code of the secret $TOTP_SECRET.
func printTOTP() int {
	code, err := totp.GenerateCode(os.Getenv("TOTP_SECRET"), time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(code)
	return 0
}
