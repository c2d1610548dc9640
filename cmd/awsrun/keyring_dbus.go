//go:build !darwin && !windows

package main

import "github.com/awsrun/awsrun/cache"

// osKeyring is nil here: the Secret Service client speaks D-Bus, which links
// the network stack and, with cgo, the dynamic loader — about a millisecond
// of every launch. awsrun-core mirrors a key it keeps in the OS keyring
// into the kernel keyring, where the launcher finds it.
var osKeyring cache.Keyring
