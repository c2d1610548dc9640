package creds

import "github.com/awsrun/awsrun/creds/warm"

// Credentials are AWS credentials: long-term keys or temporary ones. The
// type lives in creds/warm so that the launcher reads cached credentials
// without linking the SDK.
type Credentials = warm.Credentials

// MaskKeyID shows the first and last four characters of an access key id.
func MaskKeyID(id string) string { return warm.MaskKeyID(id) }
