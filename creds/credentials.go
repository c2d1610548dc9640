package creds

import "github.com/awsrun/awsrun/creds/warm"

// Credentials are AWS credentials: long-term keys or temporary ones. The
// type lives in creds/warm so that the launcher reads cached credentials
// without linking the SDK.
type Credentials = warm.Credentials
