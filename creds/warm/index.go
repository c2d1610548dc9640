package warm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/awsrun/awsrun/cache"
)

// Store is the part of the cache the warm path uses; *cache.Store
// implements it.
type Store interface {
	Get(id string, margin time.Duration) (*cache.Entry, bool)
	Put(id string, e *cache.Entry) error
}

// Invocation is what awsrun was asked for, as far as credentials go.
type Invocation struct {
	Profile         string
	Region          string // --region, as typed
	Duration        string // --duration, as typed
	SessionDuration string // --session-duration, as typed
	Getenv          func(string) string
}

// env lists the variables that can change which credentials a profile
// yields: where the files are, who the user is (the default session name),
// regions, endpoints, and what SDK providers of a source read.
// TestIndexReadsEveryVariableTheSDKDoes compares it with the SDK's source.
var env = []string{
	"HOME", "USERPROFILE", "USER", "USERNAME", "LOGNAME",
	"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
	"AWS_REGION", "AWS_DEFAULT_REGION",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	"AWS_ENDPOINT_URL_SSO_OIDC", "AWS_ENDPOINT_URL_SIGNIN", "AWS_LOGIN_CACHE_DIRECTORY",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_STS_REGIONAL_ENDPOINTS",
	"AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
}

// IndexID names the index entry of an invocation: a hash of everything
// outside the cache that decides its credentials. It is "" — no index —
// when the AWS files cannot be located as the SDK would (see HomeDir): the
// launcher then leaves the invocation to awsrun-core, and awsrun-core
// does not index it.
func IndexID(in Invocation) string {
	files := []string{ConfigFile(in.Getenv), CredentialsFile(in.Getenv)}
	for _, f := range files {
		if !filepath.IsAbs(f) {
			return ""
		}
	}
	// The hashed text is one line per input, key=%q as fmt writes it, as
	// it always was: a changed byte would make every index entry a miss.
	// On the heap (a size known only now): a 2 KiB array in this frame
	// grew the launcher's main goroutine stack once more.
	b := make([]byte, 0, 1024+len(in.Profile)+len(files[0])+len(files[1]))
	b = appendField(b, "version", "awsrun/warm/1")
	b = appendField(b, "profile", in.Profile)
	b = appendField(b, "region", in.Region)
	b = appendField(b, "duration", in.Duration)
	b = appendField(b, "session-duration", in.SessionDuration)
	for _, k := range env {
		b = appendField(b, k, in.Getenv(k))
	}
	for _, f := range files {
		b = appendField(b, f, fingerprint(f))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// appendField appends the line k=%q of v.
func appendField(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, '=')
	b = strconv.AppendQuote(b, v)
	return append(b, '\n')
}

// ConfigFile is the shared config file the SDK reads: $AWS_CONFIG_FILE,
// else ~/.aws/config; "" when neither is known.
func ConfigFile(getenv func(string) string) string {
	return awsFile(getenv, "AWS_CONFIG_FILE", "config")
}

// CredentialsFile is the shared credentials file the SDK reads:
// $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials; "" when neither
// is known.
func CredentialsFile(getenv func(string) string) string {
	return awsFile(getenv, "AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

func awsFile(getenv func(string) string, variable, name string) string {
	if f := getenv(variable); f != "" {
		return f
	}
	home := HomeDir(getenv)
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".aws", name)
}

// HomeDir is the home directory the SDK puts ~/.aws in, as far as it can be
// known without the SDK: os.UserHomeDir's answer (USERPROFILE on Windows,
// whatever HOME says; $home on Plan 9; HOME elsewhere), or "" when that is
// unset. The SDK then falls back to the user database (the passwd entry),
// which the launcher does not link: "" means no warm index, so a config
// edit can never be missed because the two programs looked at other files.
func HomeDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows":
		return getenv("USERPROFILE")
	case "plan9":
		return getenv("home")
	}
	return getenv("HOME")
}

// Target is what an index entry points at.
type Target struct {
	Step    string `json:"step"`    // the cache entry of the last credential step
	Region  string `json:"region"`  // the region the child is told, "" for none
	Profile string `json:"profile"` // the profile the chain resolved
}

// Hit is a warm launch's answer.
type Hit struct {
	Target
	Credentials Credentials
}

// Lookup follows the index entry to the credentials it points at; false
// when either entry is missing, unreadable, or expires within margin.
func Lookup(s Store, indexID string, margin time.Duration) (Hit, bool) {
	ie, ok := s.Get(indexID, margin)
	if !ok {
		return Hit{}, false
	}
	t, ok := decodeTarget(ie.Data)
	if !ok || t.Step == "" {
		return Hit{}, false
	}
	ce, ok := s.Get(t.Step, margin)
	if !ok {
		return Hit{}, false
	}
	c, ok := Decode(ce.Data)
	if !ok {
		return Hit{}, false
	}
	c.Expiration = ce.Expires
	return Hit{Target: t, Credentials: c}, true
}

// targetKeys are Target's JSON keys, in the order Remember writes them.
var targetKeys = []string{"step", "region", "profile"}

// decodeTarget reads an index entry's payload: as Remember writes it
// without reflection (plainObject), anything else with encoding/json.
func decodeTarget(b []byte) (Target, bool) {
	var v [3]string
	if plainObject(b, targetKeys, v[:]) {
		return Target{Step: v[0], Region: v[1], Profile: v[2]}, true
	}
	var t Target
	if err := json.Unmarshal(b, &t); err != nil {
		return Target{}, false
	}
	return t, true
}

// IndexLifetime is how long an index entry lives: as long as the longest
// credentials it can point at (a 36h MFA session), so that it outlives
// every refresh of the entry it names. The entry's own expiry decides
// whether its credentials are used.
const IndexLifetime = 36 * time.Hour

// Remember records that the invocation indexID ends in t.
func Remember(s Store, indexID string, t Target) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.Put(indexID, &cache.Entry{Kind: cache.KindIndex, Label: t.Profile, Profile: t.Profile, Expires: time.Now().Add(IndexLifetime), Data: data})
}

// RefreshMargin is how long cached credentials must still be valid to be
// used: a command started with them gets at least this long.
const RefreshMargin = 5 * time.Minute
