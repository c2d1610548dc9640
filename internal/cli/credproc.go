package cli

import "time"

// ExportCredentialProcess is the --export format of the AWS
// credential_process protocol.
const ExportCredentialProcess = "credential-process"

// CredentialProcessTTL is how long credentials printed for
// credential_process must still be valid. botocore (the AWS CLI, boto3)
// refreshes credentials that expire within 15 minutes: shorter-lived ones
// would make it run awsrun again on every API call.
const CredentialProcessTTL = 15 * time.Minute
