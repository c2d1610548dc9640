// Package cli is what the two awsrun programs share: the launcher
// (cmd/awsrun), which serves warm launches without the AWS SDK, and
// awsrun-core, which it execs for everything else. Both parse the same
// flags, build the same child environment, print credentials the same way
// and speak with one voice on stderr.
//
// Nothing here links the AWS SDK: the launcher's start-up time depends on
// it.
package cli
