// Command presign is the smallest Go exec plugin for kubectl: it presigns
// an EKS token with the AWS SDK, from the credentials in its environment,
// and prints the ExecCredential. BenchmarkEKSToken compares awsrun's warm
// token with it: the floor for any SDK-based plugin, before it has done
// anything about MFA or caching.
//
//	presign CLUSTER
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: presign CLUSTER")
		os.Exit(2)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := sts.NewPresignClient(sts.NewFromConfig(cfg)).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{},
		func(o *sts.PresignOptions) {
			o.ClientOptions = append(o.ClientOptions, sts.WithAPIOptions(
				smithyhttp.SetHeaderValue("x-k8s-aws-id", os.Args[1]),
				smithyhttp.SetHeaderValue("X-Amz-Expires", "900")))
		})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	type status struct {
		ExpirationTimestamp string `json:"expirationTimestamp"`
		Token               string `json:"token"`
	}
	json.NewEncoder(os.Stdout).Encode(struct {
		Kind       string   `json:"kind"`
		APIVersion string   `json:"apiVersion"`
		Spec       struct{} `json:"spec"`
		Status     status   `json:"status"`
	}{"ExecCredential", "client.authentication.k8s.io/v1beta1", struct{}{}, status{
		time.Now().Add(14 * time.Minute).UTC().Format(time.RFC3339),
		"k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(out.URL)),
	}})
}
