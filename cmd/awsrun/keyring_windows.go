package main

import (
	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/cache/oskeyring"
)

// osKeyring is the OS keyring client: the Credential Manager is a system
// call (CredReadW), reached without a process or the network stack.
var osKeyring cache.Keyring = oskeyring.Keyring{}
