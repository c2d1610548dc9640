// Package cache is awsrun's encrypted credential store: one file per entry
// under the XDG cache directory, each sealed with a key that never lives there.
//
// Guarantees:
//
//   - Encrypted: everything about an entry — its kind, label, profile, expiry
//     and data —
//     is sealed with AES-256-GCM under a random nonce. The associated data is
//     the format version byte and the file's name, so a file moved or copied
//     under another entry's name does not open. The only plaintext on disk is
//     the version byte, the nonce and the file names, which are hashes the
//     caller computes.
//   - Never written: no secret, ARN, profile name or key byte appears in a
//     file name, in the cache directory, or in an error. The 32-byte key is
//     kept in the OS keyring, else the Linux kernel user keyring, else a 0600
//     file under the config directory, never beside the entries.
//   - Private: the cache directory is 0700 and must belong to the effective
//     user; entry, temporary and lock files are 0600, set explicitly.
//   - Atomic: an entry is written to a temporary file in the same directory,
//     synced and renamed into place, so a reader — or a process started after
//     a crash — sees the old entry or the new one, never a part of either.
//     (The directory itself is not synced: a rename lost to a power cut
//     leaves the old entry, a miss at worst.)
//   - Forgiving reads: a missing, truncated, garbled, tampered, swapped,
//     foreign-key, old-version or expiring entry is a miss, never an error.
//   - Locked: [Store.Lock] takes a per-entry advisory lock (flock on
//     "<id>.lock") that the OS releases when its holder dies; key creation is
//     serialized across processes by a lock on "key.lock".
package cache
