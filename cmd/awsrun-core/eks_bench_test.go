package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkEKSToken measures what kubectl waits for each time it runs its
// exec plugin: awsrun's warm eks-token (the launcher alone, reading the
// cached token) against, in the same rounds, the smallest Go program that
// presigns a token with the SDK from credentials in its environment
// (testdata/presign: the floor for an SDK-based plugin that did nothing
// about MFA) and, when the AWS CLI is installed, `aws eks get-token`.
// When kubectl is installed it also times whole `kubectl get --raw
// /version` commands against a local TLS API server that checks each token
// with the fake STS, with awsrun and with the AWS CLI as the plugin. Run it
// with
//
//	go test -run '^$' -bench BenchmarkEKSToken -benchtime 30x ./cmd/awsrun-core
//
// Each row reports its median and, measured in the same rounds, that of
// the awsrun row it compares with (awsrun-ms, or kubectl+awsrun-ms for the
// kubectl row of the AWS CLI) and the ratio (x-…: how many times awsrun's
// time it takes).
func BenchmarkEKSToken(b *testing.B) {
	if testing.Short() {
		b.Skip("builds binaries")
	}
	w := newWorldB(b)
	dir := b.TempDir()
	awsrun := filepath.Join(dir, "awsrun")
	build(b, dir, "", "github.com/awsrun/awsrun/cmd/awsrun", "github.com/awsrun/awsrun/cmd/awsrun-core")
	presign := filepath.Join(dir, "presign")
	build(b, presign, "", "github.com/awsrun/awsrun/cmd/awsrun-core/testdata/presign")

	args := []string{"-p", "role101", "--export", "eks-token", "--eks-cluster", "prod"}
	warm := exec.Command(awsrun, append([]string{"-t", w.code()}, args...)...)
	warm.Env = w.env
	if out, err := warm.CombinedOutput(); err != nil {
		b.Fatalf("warming the cache: %v\n%s", err, out)
	}
	// The warm token must need neither awsrun-core nor STS.
	core := filepath.Join(dir, "awsrun-core")
	if err := os.Rename(core, core+".away"); err != nil {
		b.Fatal(err)
	}
	check := exec.Command(awsrun, args...)
	check.Env = w.env
	out, err := check.CombinedOutput()
	os.Rename(core+".away", core)
	if err != nil {
		b.Fatalf("a warm eks-token needed awsrun-core: %v\n%s", err, out)
	}

	// The other plugins sign with role101's credentials from the
	// environment, as they would after an `eval $(awsrun --export env)`.
	roleEnv := exportedEnv(b, w, awsrun)

	sink := newSink(b)
	type benchCase struct {
		name string
		env  []string
		argv []string
		base string // the row it is timed against in the same rounds
	}
	cases := []benchCase{
		{"awsrun", w.env, append([]string{awsrun}, args...), ""},
		{"sdk-presign", roleEnv, []string{presign, "prod"}, "awsrun"},
	}
	aws, awsErr := exec.LookPath("aws")
	if awsErr == nil {
		cases = append(cases, benchCase{"aws-eks-get-token", roleEnv, []string{aws, "eks", "get-token", "--cluster-name", "prod"}, "awsrun"})
	}
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		server, ca, _ := w.apiServer(b, "prod")
		kube := func(name, base string, env []string, command string, plugin ...string) {
			cfg := w.write(b, "kube/"+name, kubeconfigFor(server, ca, command, plugin))
			env = append(append([]string{}, env...), "KUBECONFIG="+cfg)
			cases = append(cases, benchCase{name, env, []string{kubectl, "get", "--raw", "/version"}, base})
		}
		kube("kubectl+awsrun", "awsrun", w.env, awsrun, args...)
		if awsErr == nil {
			kube("kubectl+aws-eks-get-token", "kubectl+awsrun", roleEnv, aws, "eks", "get-token", "--cluster-name", "prod")
		}
	}
	trials := map[string]trial{}
	for _, c := range cases {
		trials[c.name] = sink.command(c.name, c.env, c.argv...)
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			run := []trial{trials[c.name]}
			if c.base != "" {
				run = append(run, trials[c.base])
			}
			m := measure(b, run...)
			med := reportMedian(b, m[c.name])
			if c.base != "" {
				bm := median(m[c.base])
				b.ReportMetric(bm, c.base+"-ms")
				b.ReportMetric(med/bm, "x-"+c.base)
			}
			if !strings.HasPrefix(c.name, "kubectl") { // kubectl's own RSS says nothing of the plugin
				reportRSS(b, peakRSS(b, func() ([]string, []string) { return c.argv, c.env }))
			}
		})
	}
}

// exportedEnv is the world's environment with role101's cached
// credentials as AWS_* variables, read through awsrun --export json.
func exportedEnv(b *testing.B, w *world, awsrun string) []string {
	cmd := exec.Command(awsrun, "-p", "role101", "--export", "json")
	cmd.Env = w.env
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("--export json: %v", err)
	}
	var c struct{ AccessKeyId, SecretAccessKey, SessionToken, Region string }
	if err := json.Unmarshal(out, &c); err != nil {
		b.Fatal(err)
	}
	return append(append([]string{}, w.env...),
		"AWS_ACCESS_KEY_ID="+c.AccessKeyId, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey, "AWS_SESSION_TOKEN="+c.SessionToken,
		"AWS_REGION="+c.Region, "AWS_DEFAULT_REGION="+c.Region)
}

// kubeconfigFor is a kubeconfig whose user runs command with args as its
// exec plugin, against server.
func kubeconfigFor(server, ca, command string, args []string) string {
	quoted, _ := json.Marshal(args) // a JSON array is a YAML flow sequence
	cmd, _ := json.Marshal(command)
	return `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: ` + server + `
    certificate-authority-data: ` + ca + `
contexts:
- name: prod
  context:
    cluster: prod
    user: prod
current-context: prod
users:
- name: prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ` + string(cmd) + `
      args: ` + string(quoted) + `
      interactiveMode: IfAvailable
`
}
