package warm

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/awsrun/awsrun/cache"
)

// EKSToken is a bearer token for an EKS cluster: a presigned STS
// GetCallerIdentity URL that signs the cluster's name.
type EKSToken struct {
	Token   string
	Expires time.Time // when STS stops honouring it
}

// String omits the token, so a stray %v is safe.
func (t EKSToken) String() string { return "EKS token until " + t.Expires.UTC().Format(time.RFC3339) }

// GoString is String, so %#v is safe too.
func (t EKSToken) GoString() string { return t.String() }

// EKSTokenMargin is how long a cached token must still be valid to be
// served: kubectl gets it with at least this long to make its request.
const EKSTokenMargin = time.Minute

// EKSTokenID names the cache entry of the token for cluster made with the
// credentials of the cache entry step. The access key id is part of it:
// credentials fetched anew for the same step never find a token the old
// ones signed.
func EKSTokenID(step, accessKeyID, cluster string) string {
	b := make([]byte, 0, 256)
	for _, p := range []string{"awsrun/eks-token/1", step, accessKeyID, cluster} {
		b = append(strconv.AppendQuote(b, p), '\n') // as fmt's %q: the name may not change
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// LookupEKSToken reads the token id names; false when it is missing,
// unreadable, or expires within EKSTokenMargin.
func LookupEKSToken(s Store, id string) (EKSToken, bool) {
	e, ok := s.Get(id, EKSTokenMargin)
	if !ok || e.Kind != cache.KindEKSToken || len(e.Data) == 0 {
		return EKSToken{}, false
	}
	return EKSToken{Token: string(e.Data), Expires: e.Expires}, true
}

// RememberEKSToken caches t under id. profile is the profile whose
// credentials signed it, by which --clear --profile forgets it; label says
// whose token it is, for --list.
func RememberEKSToken(s Store, id string, t EKSToken, profile, label string) error {
	return s.Put(id, &cache.Entry{Kind: cache.KindEKSToken, Label: label, Profile: profile, Expires: t.Expires, Data: []byte(t.Token)})
}
