// Package cache is awsrun's encrypted credential store: one file per entry
// under the XDG cache directory, each sealed with a key that never lives there.
//
// Guarantees:
//
//   - Encrypted: everything about an entry — its id, kind, label, profile,
//     expiry and data — is sealed with AES-256-GCM under a random nonce. The
//     associated data is the format version byte and the file's name, so a
//     file moved or copied under another entry's name does not open. The only
//     plaintext on disk is the version byte, the nonce and the file names.
//   - Keyed names: a file's name is an HMAC-SHA256 of the caller's id under
//     a subkey of the cache key (HKDF), so a dictionary of device or role
//     ARNs cannot be matched against the names without the key. Entries are
//     sealed under another subkey.
//   - Never written: no secret, ARN, profile name or key byte appears in a
//     file name, in the cache directory, or in an error. The 32-byte key, one
//     per user, is kept in the OS keyring, else the Linux kernel user
//     keyring, else a 0600 file under the config directory, never beside the
//     entries. The kernel keyring's copy of an OS keyring key can only be
//     found and read, and expires.
//   - One key: a key store that does not answer in time, or that holds a key
//     refused for its permissions, may hold the key, so no other is made;
//     reads never make one. A key made while entries exist, or kept in a
//     file because the kernel keyring is blocked, is reported (Options.Warn).
//   - Private: the cache directory is 0700 and must belong to the effective
//     user, and no directory above it may be writable by another user unless
//     sticky (ssh's StrictModes); entry, temporary and lock files are 0600,
//     set explicitly. A missing directory is made only where the effective
//     user owns the parent, and at most two levels deep.
//   - Held by handle: the directory is opened once (os.Root) after it is
//     checked, and every file is opened inside it without following a link
//     or blocking on a FIFO, and used only if it is a regular file. Renaming
//     or linking something else in its place afterwards changes nothing.
//   - Atomic: an entry is written to a temporary file in the same directory,
//     synced and renamed into place, so a reader — or a process started after
//     a crash — sees the old entry or the new one, never a part of either.
//     (The directory itself is not synced: a rename lost to a power cut
//     leaves the old entry, a miss at worst.)
//   - Forgiving reads: a missing, truncated, garbled, tampered, swapped,
//     foreign-key, old-version or expiring entry is a miss, never an error.
//   - Locked: [Store.Lock] takes a per-entry advisory lock (flock, or
//     LockFileEx on Windows, on "<name>.lock") that the OS releases when its
//     holder dies; key creation is serialized across processes by a lock on
//     "key.lock".
package cache
