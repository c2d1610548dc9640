package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// These tests hold awsrun's tokens and the fake STS against the real
// tools: kubectl reads awsrun's ExecCredential, and tokens made by the AWS
// CLI and by a plain SDK program pass the fake's checks as awsrun's do.
// Each is skipped where its tool is not installed.

// roleEnv is the world's environment plus role101's credentials, fetched
// with the SDK, as AWS_* variables: what another exec plugin would sign
// with.
func (w *world) roleEnv(t *testing.T) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client := sts.New(sts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(w.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(w.user.AccessKeyID, w.user.SecretAccessKey, "")})
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("other-tool"),
		SerialNumber: aws.String(serial), TokenCode: aws.String(w.code())})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	return append(append([]string{}, w.env...),
		"AWS_ACCESS_KEY_ID="+*c.AccessKeyId, "AWS_SECRET_ACCESS_KEY="+*c.SecretAccessKey, "AWS_SESSION_TOKEN="+*c.SessionToken,
		"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1")
}

func runTool(t *testing.T, env []string, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, stderr.String())
	}
	return stdout.String()
}

// TestOtherToolsTokensPassTheFake: the fake STS is no easier on awsrun
// than on the tools people use today.
func TestOtherToolsTokensPassTheFake(t *testing.T) {
	t.Parallel()
	w := newWorld(t, "")
	env := w.roleEnv(t)
	const want = "arn:aws:sts::" + acct + ":assumed-role/role101/other-tool"

	t.Run("sdk", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "presign")
		build(t, bin, "", "github.com/awsrun/awsrun/cmd/awsrun-core/testdata/presign")
		ec := parseExecCredential(t, result{stdout: runTool(t, env, bin, "prod")})
		if arn := w.whoIs(t, ec.Status.Token, "prod"); arn != want {
			t.Errorf("SDK token authenticates as %s", arn)
		}
	})
	t.Run("aws-cli", func(t *testing.T) {
		aws, err := exec.LookPath("aws")
		if err != nil {
			t.Skip("the AWS CLI is not installed")
		}
		ec := parseExecCredential(t, result{stdout: runTool(t, env, aws, "eks", "get-token", "--cluster-name", "prod", "--output", "json")})
		if arn := w.whoIs(t, ec.Status.Token, "prod"); arn != want {
			t.Errorf("AWS CLI token authenticates as %s", arn)
		}
	})
}

// apiServer is a Kubernetes API server that authenticates bearer tokens as
// EKS does, through the fake STS, and answers /version. It speaks TLS:
// kubectl runs no exec plugin for a plain-HTTP server. ca is its
// certificate, PEM in base64, for the kubeconfig.
func (w *world) apiServer(t testing.TB, cluster string) (url, ca string, verified *atomic.Int32) {
	t.Helper()
	verified = new(atomic.Int32)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok {
			if _, err := w.srv.VerifyEKSToken(r.Context(), token, cluster); err == nil {
				verified.Add(1)
				rw.Header().Set("Content-Type", "application/json")
				fmt.Fprint(rw, `{"major":"1","minor":"32","gitVersion":"v1.32.0-eks-fake","platform":"linux/amd64"}`)
				return
			}
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(rw, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}`)
	}))
	t.Cleanup(srv.Close)
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return srv.URL, base64.StdEncoding.EncodeToString(cert), verified
}

// kubeconfig is the README's exec stanza, pointed at server.
func kubeconfig(server, ca, awsrun, apiVersion, cluster string) string {
	return `apiVersion: v1
kind: Config
clusters:
- name: ` + cluster + `
  cluster:
    server: ` + server + `
    certificate-authority-data: ` + ca + `
contexts:
- name: ` + cluster + `
  context:
    cluster: ` + cluster + `
    user: ` + cluster + `
current-context: ` + cluster + `
users:
- name: ` + cluster + `
  user:
    exec:
      apiVersion: ` + apiVersion + `
      command: ` + awsrun + `
      args: [--export, eks-token, --eks-cluster, ` + cluster + `]
      env:
      - name: AWS_PROFILE
        value: role101
      interactiveMode: IfAvailable
`
}

func TestKubectlUsesTheToken(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not installed")
	}
	w := newWorld(t, "")
	_, mfaRuns := w.mfaProcess(t)
	server, ca, verified := w.apiServer(t, "prod")
	for _, v := range []string{"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"} {
		t.Run(v[strings.LastIndex(v, "/")+1:], func(t *testing.T) {
			before := verified.Load()
			cfg := w.write(t, "kube/config-"+v[strings.LastIndex(v, "/")+1:], kubeconfig(server, ca, binary(t), v, "prod"))
			env := append(append([]string{}, w.env...), "KUBECONFIG="+cfg)
			out := runTool(t, env, kubectl, "get", "--raw", "/version", "--request-timeout", "30s")
			if !strings.Contains(out, "v1.32.0-eks-fake") || verified.Load() == before {
				t.Fatalf("kubectl: %q, %d tokens verified", out, verified.Load()-before)
			}
		})
	}
	if n := mfaRuns(); n != 1 {
		t.Errorf("two kubectl commands cost %d MFA codes, want 1", n)
	}
	// A kubeconfig naming another cluster than the server's is refused.
	cfg := w.write(t, "kube/config-wrong", kubeconfig(server, ca, binary(t), "client.authentication.k8s.io/v1", "staging"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kubectl, "get", "--raw", "/version", "--request-timeout", "30s")
	cmd.Env = append(append([]string{}, w.env...), "KUBECONFIG="+cfg)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "Unauthorized") {
		t.Errorf("a staging token was accepted by prod: %v: %s", err, out)
	}
	_ = os.Remove(cfg)
}
