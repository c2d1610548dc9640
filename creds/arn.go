package creds

import (
	"fmt"
	"strings"
)

// ARN is the part of an Amazon Resource Name that awsrun needs.
type ARN struct {
	Partition string // aws, aws-us-gov, aws-cn, aws-iso, …
	Service   string
	Account   string
	Resource  string // e.g. role/Admin, mfa/alice
}

// ParseARN splits s into its fields, or says why it is not an ARN.
func ParseARN(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ARN{}, fmt.Errorf("%q is not an ARN (want arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)", s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Account: parts[4], Resource: parts[5]}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, fmt.Errorf("%q is not an ARN (want arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)", s)
	}
	return a, nil
}

// parseRoleARN accepts arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
func parseRoleARN(s string) (ARN, error) {
	a, err := ParseARN(s)
	if err != nil {
		return ARN{}, err
	}
	name, ok := strings.CutPrefix(a.Resource, "role/")
	if a.Service != "iam" || !ok || name == "" || !isAccountID(a.Account) {
		return ARN{}, fmt.Errorf("%q is not an IAM role ARN (want arn:PARTITION:iam::ACCOUNT:role/NAME)", s)
	}
	return a, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// partitionRegions is where STS lives when nothing names a region: the
// partition's first region, whose endpoint every account can reach.
var partitionRegions = map[string]string{
	"aws":        "us-east-1",
	"aws-us-gov": "us-gov-west-1",
	"aws-cn":     "cn-north-1",
	"aws-iso":    "us-iso-east-1",
	"aws-iso-b":  "us-isob-east-1",
	"aws-iso-e":  "eu-isoe-west-1",
	"aws-iso-f":  "us-isof-south-1",
	"aws-eusc":   "eusc-de-east-1",
}

// partition is the ARN's partition, "aws" when it has none.
func partition(arn string) string {
	if a, err := ParseARN(arn); err == nil {
		return a.Partition
	}
	return "aws"
}

// PartitionRegion returns the default STS region of an ARN's partition,
// us-east-1 when the ARN or partition is unknown.
func PartitionRegion(arn string) string {
	if a, err := ParseARN(arn); err == nil {
		if r, ok := partitionRegions[a.Partition]; ok {
			return r
		}
	}
	return "us-east-1"
}
