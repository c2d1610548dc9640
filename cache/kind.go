package cache

// Kind says what an entry holds. The launcher, awsrun-core and creds share
// these names, so no caller compares bare strings.
type Kind string

// The kinds of entry awsrun writes.
const (
	KindSource   Kind = "source"    // an SDK provider's credentials (SSO, web identity, …)
	KindSession  Kind = "session"   // an MFA session (GetSessionToken)
	KindRole     Kind = "role"      // a role hop (AssumeRole)
	KindIndex    Kind = "index"     // a warm index entry: which step an invocation ends in
	KindMFACode  Kind = "mfa-code"  // the last one-time code sent for a device
	KindEKSToken Kind = "eks-token" // an EKS bearer token for one cluster, made with a step's credentials
)

// Credentials reports whether entries of the kind hold credentials (an EKS
// token is a bearer credential), as opposed to bookkeeping (index entries,
// used codes) that --list leaves out.
func (k Kind) Credentials() bool {
	switch k {
	case KindSource, KindSession, KindRole, KindEKSToken:
		return true
	}
	return false
}

// Rebuildable reports whether every entry of the kind costs the user
// nothing to lose: an index entry is written again by the next cold run, a
// used code's record only matters for the 30 seconds the code is valid, an
// EKS token is made again from the step's credentials. Those are written
// without an fsync; everything else (an MFA session costs a code to
// replace, a role hop may, a source a browser sign-in) is synced before it
// is renamed into place, so that a power cut cannot lose it once awsrun
// has used it — unless the writer marks the entry itself rebuildable
// (Entry.Rebuildable: a role hop made from long-term keys without a code).
func (k Kind) Rebuildable() bool {
	switch k {
	case KindIndex, KindMFACode, KindEKSToken:
		return true
	}
	return false
}
