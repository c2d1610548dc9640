package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/awsrun/awsrun/creds/warm"
)

func TestCheckEKS(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr bool
	}{
		{[]string{"--export", "eks-token", "--eks-cluster", "prod"}, false},
		{[]string{"--export", "eks-token", "--eks-cluster", "my_cluster-2.eu"}, false},
		{[]string{"--export", "eks-token"}, true},
		{[]string{"--eks-cluster", "prod", "--export", "json"}, true},
		{[]string{"--eks-cluster", "prod", "--", "kubectl", "get", "pods"}, true},
		{[]string{"--export", "eks-token", "--eks-cluster", "prod", "kubectl"}, true},
		{[]string{"--export", "eks-token", "--eks-cluster", "-prod"}, true},
		{[]string{"--export", "eks-token", "--eks-cluster", "prod\nx-other: 1"}, true},
		{[]string{"--export", "eks-token", "--eks-cluster", "a b"}, true},
		{[]string{"--export", "eks-token", "--eks-cluster", string(make([]byte, 101))}, true},
	}
	for _, tt := range tests {
		o, err := Parse(tt.args)
		if err == nil {
			err = o.Check(nil)
		}
		var ue UsageError
		if (err != nil) != tt.wantErr || (err != nil && !errors.As(err, &ue)) {
			t.Errorf("%q: err = %v, want a usage error: %t", tt.args, err, tt.wantErr)
		}
	}
}

func TestExecCredentialVersion(t *testing.T) {
	tests := []struct {
		info    string
		want    string
		wantErr bool
	}{
		{"", "client.authentication.k8s.io/v1beta1", false},
		{`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}`, "client.authentication.k8s.io/v1", false},
		{`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}`, "client.authentication.k8s.io/v1beta1", false},
		{`{"kind":"ExecCredential","spec":{}}`, "client.authentication.k8s.io/v1beta1", false},
		{`{"apiVersion":"client.authentication.k8s.io/v1alpha1"}`, "", true},
		{`not json`, "", true},
	}
	for _, tt := range tests {
		got, err := ExecCredentialVersion(tt.info)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ExecCredentialVersion(%q) = %q, %v; want %q, err %t", tt.info, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestExecCredential(t *testing.T) {
	tok := warm.EKSToken{Token: "k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20v", Expires: time.Date(2026, 1, 2, 3, 19, 5, 0, time.FixedZone("CET", 3600))}
	var b bytes.Buffer
	if err := ExecCredential(&b, tok, "client.authentication.k8s.io/v1"); err != nil {
		t.Fatal(err)
	}
	want := `{
  "kind": "ExecCredential",
  "apiVersion": "client.authentication.k8s.io/v1",
  "spec": {},
  "status": {
    "expirationTimestamp": "2026-01-02T02:18:05Z",
    "token": "k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20v"
  }
}
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	var v map[string]any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
}
