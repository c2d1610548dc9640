//go:build darwin || windows

package main

import (
	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/cache/oskeyring"
)

// osKeyring is the OS keyring client: the Keychain and the Credential
// Manager are reached without the network stack.
var osKeyring cache.Keyring = oskeyring.Keyring{}
