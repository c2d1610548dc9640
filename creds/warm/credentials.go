package warm

import (
	"encoding/json"
	"fmt"
	"time"
)

// Credentials are AWS credentials: long-term keys (no expiration) or
// temporary ones with a session token.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time // zero for long-term keys
}

// Temporary reports whether c carries a session token.
func (c Credentials) Temporary() bool { return c.SessionToken != "" }

// String masks the key id and omits every secret, so a stray %v is safe.
func (c Credentials) String() string { return MaskKeyID(c.AccessKeyID) }

// GoString is String, so %#v is safe too.
func (c Credentials) GoString() string { return c.String() }

// MaskKeyID shows the first four and last four characters of an access key
// id: enough to tell keys apart, useless to an attacker.
func MaskKeyID(id string) string {
	if len(id) <= 8 {
		return "…"
	}
	return id[:4] + "…" + id[len(id)-4:]
}

// TimeLeft is how long the credentials stay valid after now.
func (c Credentials) TimeLeft(now time.Time) time.Duration {
	if c.Expiration.IsZero() {
		return 0
	}
	return c.Expiration.Sub(now)
}

// wireCredentials is the cache payload layout, with the field names that
// the credential_process protocol uses.
type wireCredentials struct {
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	SessionToken    string    `json:"SessionToken"`
	Expiration      time.Time `json:"Expiration"`
}

// Encode is the cache payload of c.
func Encode(c Credentials) []byte {
	b, err := json.Marshal(wireCredentials(c))
	if err != nil {
		panic(fmt.Sprintf("warm: encoding credentials: %v", err)) // plain strings and a time: cannot fail
	}
	return b
}

// wireKeys are wireCredentials' JSON keys, in the order Encode writes them.
var wireKeys = []string{"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}

// Decode reads a payload Encode wrote; false for anything else.
func Decode(b []byte) (Credentials, bool) {
	w, ok := decodePlain(b)
	if !ok {
		if err := json.Unmarshal(b, &w); err != nil {
			return Credentials{}, false
		}
	}
	if w.AccessKeyID == "" || w.SecretAccessKey == "" {
		return Credentials{}, false
	}
	return Credentials(w), true
}

// decodePlain reads a payload exactly as Encode writes it, without
// reflection (plainObject); false sends it to encoding/json.
func decodePlain(b []byte) (wireCredentials, bool) {
	var v [4]string
	if !plainObject(b, wireKeys, v[:]) {
		return wireCredentials{}, false
	}
	w := wireCredentials{AccessKeyID: v[0], SecretAccessKey: v[1], SessionToken: v[2]}
	// What time.Time's UnmarshalJSON does with a JSON string.
	if err := w.Expiration.UnmarshalText([]byte(v[3])); err != nil {
		return wireCredentials{}, false
	}
	return w, true
}
