package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

// ExportEKSToken is the --export format that prints a kubectl
// ExecCredential with an EKS token instead of credentials.
const ExportEKSToken = "eks-token"

// The ExecCredential versions kubectl speaks; it names the one it wants in
// KUBERNETES_EXEC_INFO.
const (
	execCredentialV1      = "client.authentication.k8s.io/v1"
	execCredentialV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// eksClusterName reports whether name is a cluster name as EKS allows it
// (1–100 letters, digits, hyphens and underscores, starting with a letter
// or digit), widened to the dots of clusters named by
// aws-iam-authenticator's cluster ID: ^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$.
// It is sent as a header: nothing else may pass. A loop, not a regexp:
// compiling that one (the bounded repeat unrolls) cost every launch
// 0.2 ms of package init.
func eksClusterName(name string) bool {
	if len(name) == 0 || len(name) > 100 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// checkEKS refuses --export eks-token without a cluster, a cluster without
// --export eks-token, a name no cluster can have, and a KUBERNETES_EXEC_INFO
// awsrun cannot answer — before any MFA prompt.
func (o *Options) checkEKS(env map[string]string) error {
	switch {
	case o.Export == ExportEKSToken && o.EKSCluster == "":
		return UsageError{errors.New("--export eks-token needs --eks-cluster NAME, the cluster the token is for")}
	case o.Export != ExportEKSToken && o.EKSCluster != "":
		return UsageError{errors.New("--eks-cluster goes with --export eks-token")}
	case o.EKSCluster != "" && !eksClusterName(o.EKSCluster):
		return UsageError{fmt.Errorf("--eks-cluster %q is not a cluster name (1-100 letters, digits, '-', '_' or '.')", o.EKSCluster)}
	case o.Export == ExportEKSToken:
		_, err := ExecCredentialVersion(env["KUBERNETES_EXEC_INFO"])
		return err
	}
	return nil
}

// ExecCredentialVersion is the ExecCredential apiVersion kubectl asks for
// in KUBERNETES_EXEC_INFO (execInfo): v1beta1 when it names none, as
// kubectl before 1.22 and other clients do.
func ExecCredentialVersion(execInfo string) (string, error) {
	if execInfo == "" {
		return execCredentialV1beta1, nil
	}
	var info struct {
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal([]byte(execInfo), &info); err != nil {
		return "", &ExecInfoError{fmt.Errorf("KUBERNETES_EXEC_INFO is not JSON: %w", err)}
	}
	switch info.APIVersion {
	case execCredentialV1, execCredentialV1beta1:
		return info.APIVersion, nil
	case "":
		return execCredentialV1beta1, nil
	}
	return "", &ExecInfoError{fmt.Errorf("KUBERNETES_EXEC_INFO asks for an ExecCredential of %q; awsrun writes %s and %s", info.APIVersion, execCredentialV1, execCredentialV1beta1)}
}

// ExecInfoError is a KUBERNETES_EXEC_INFO awsrun cannot answer.
type ExecInfoError struct{ Err error }

func (e *ExecInfoError) Error() string { return e.Err.Error() }
func (e *ExecInfoError) Unwrap() error { return e.Err }

// Hint says where the version kubectl asks for comes from.
func (e *ExecInfoError) Hint() string {
	return "set the apiVersion of the kubeconfig's exec section to " + execCredentialV1 + " (or v1beta1); kubectl passes it in KUBERNETES_EXEC_INFO"
}

// ExecCredential prints t as kubectl's exec plugins answer: an
// ExecCredential of apiVersion whose expirationTimestamp is a minute
// before the token stops working, so kubectl asks again in time.
func ExecCredential(w io.Writer, t warm.EKSToken, apiVersion string) error {
	type status struct {
		ExpirationTimestamp string `json:"expirationTimestamp"`
		Token               string `json:"token"`
	}
	return writeJSON(w, struct {
		Kind       string   `json:"kind"`
		APIVersion string   `json:"apiVersion"`
		Spec       struct{} `json:"spec"`
		Status     status   `json:"status"`
	}{
		Kind:       "ExecCredential",
		APIVersion: apiVersion,
		Status: status{
			ExpirationTimestamp: t.Expires.Add(-warm.EKSTokenMargin).UTC().Format(time.RFC3339),
			Token:               t.Token,
		},
	})
}
