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
