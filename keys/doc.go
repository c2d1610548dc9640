// Package keys is awsrun's store of long-term IAM user access keys, the
// secrets that never expire and so must not sit in a plain text
// ~/.aws/credentials.
//
// An entry is a profile's access key id, its secret access key and when it
// was stored. Entries live in one of two places:
//
//   - the OS keyring, when one answers within a short timeout: the macOS
//     Keychain, a Secret Service over D-Bus, or the Windows Credential
//     Manager. These are durable; the Linux kernel keyring, which is gone at
//     reboot, is never used.
//   - otherwise one file, $XDG_DATA_HOME/awsrun/keys.age, encrypted with
//     age's scrypt (passphrase) recipient. The passphrase is asked on the
//     terminal, never echoed, at most once per process, or taken from
//     AWSRUN_KEYS_PASSPHRASE. No key to the file is ever written beside it.
//
// AWSRUN_KEYS_STORE=keyring or file forces one. The file is written
// atomically (a temporary file in the same directory, fsync, rename), 0600
// in a 0700 directory, under an advisory lock; reads are bounded. No
// secret appears in an error.
//
// The awsrun launcher never imports this package: warm runs never reach
// the store.
package keys
