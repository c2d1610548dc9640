//go:build !linux && !darwin

package warm

// fmtFingerprint: fingerprint reads the file here; it never used fmt.
func fmtFingerprint(path string) string { return fingerprint(path) }
