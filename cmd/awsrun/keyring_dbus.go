//go:build !windows

package main

import "github.com/awsrun/awsrun/cache"

// osKeyring is nil here. On Linux and the BSDs the Secret Service client
// speaks D-Bus, which links the network stack and, with cgo, the dynamic
// loader — about a millisecond of every launch: awsrun-core mirrors a key
// it keeps in the OS keyring into the kernel keyring. On macOS the
// Keychain client runs /usr/bin/security, a process spawn on every
// launch: awsrun-core mirrors the key into the 0600 key file. The launcher
// finds the key where it is mirrored.
var osKeyring cache.Keyring
