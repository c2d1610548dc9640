package ststest

import (
	"regexp"
	"strings"
)

// arn is a parsed Amazon Resource Name.
type arn struct {
	Partition, Service, Region, Account, Resource string
}

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// partitions are the AWS partitions whose ARNs the fake accepts.
var partitions = map[string]bool{
	"aws":        true,
	"aws-us-gov": true,
	"aws-cn":     true,
	"aws-iso":    true,
	"aws-iso-b":  true,
	"aws-iso-e":  true,
	"aws-iso-f":  true,
	"aws-eusc":   true,
}

// parseARN parses s as an ARN of a known partition with a 12-digit account.
func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return arn{}, false
	}
	a := arn{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	if !partitions[a.Partition] || !accountPattern.MatchString(a.Account) {
		return arn{}, false
	}
	return a, true
}

// parseIAMARN parses an IAM ARN whose resource is of the given type
// ("user", "role", "mfa") and returns it with the resource's last path
// segment, the entity's name.
func parseIAMARN(s, resourceType string) (a arn, name string, ok bool) {
	a, ok = parseARN(s)
	if !ok || a.Service != "iam" || a.Region != "" {
		return arn{}, "", false
	}
	rest, found := strings.CutPrefix(a.Resource, resourceType+"/")
	if !found || rest == "" || strings.HasSuffix(rest, "/") {
		return arn{}, "", false
	}
	return a, rest[strings.LastIndex(rest, "/")+1:], true
}

// regionPartition returns the partition a region belongs to, as the SDK's
// endpoint rules map them.
func regionPartition(region string) string {
	prefixes := []struct{ prefix, partition string }{
		{"us-gov-", "aws-us-gov"},
		{"cn-", "aws-cn"},
		{"us-iso-", "aws-iso"},
		{"us-isob-", "aws-iso-b"},
		{"eu-isoe-", "aws-iso-e"},
		{"us-isof-", "aws-iso-f"},
		{"eusc-", "aws-eusc"},
	}
	for _, p := range prefixes {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}
