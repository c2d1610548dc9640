package creds

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Durations AWS accepts.
const (
	DefaultRoleDuration    = time.Hour
	DefaultSessionDuration = 12 * time.Hour
	minDuration            = 15 * time.Minute
	maxRoleDuration        = 12 * time.Hour
	maxSessionDuration     = 36 * time.Hour
	chainedRoleLimit       = time.Hour // AWS caps role chaining at one hour
)

// Chain is a resolved profile: where its credentials come from, and the role
// hops from there to the profile itself.
type Chain struct {
	Profile string // the profile asked for
	Source  Source // the credentials the first hop (or the session) is made with
	Hops    []Hop  // role hops, source side first; empty for a plain user profile

	MFASerial  string // the MFA device that applies to the chain, "" for none
	MFAProcess string // command printing the code, from mfa_process

	Region          string // region the child is told; "" when nothing names one
	SessionRegion   string // STS region for the MFA session
	HopRegion       string // STS region for role hops
	SessionDuration time.Duration

	configFile, credentialsFile string
	// sdk is the SDK configuration LoadChain read the profile with; the STS
	// client is built from it rather than by parsing the files again.
	sdk           *aws.Config
	storedProfile string // the source whose keys are in awsrun's key store
	endpoint      string // what decides the STS endpoint, as text for cache identities
}

// Source is the root of a chain.
type Source struct {
	Profile string
	// Static holds the keys written in the config or credentials file.
	// Empty when Provider is set.
	Static Credentials
	// Provider names the SDK provider that yields the credentials when the
	// profile has no static keys: credential_process, web_identity, sso,
	// login or credential_source.
	Provider Provider
	// RoleARN is the role the provider assumes on its own: web identity's
	// role, or role_arn beside credential_source, credential_process or SSO.
	RoleARN     string
	SessionName string        // RoleSessionName for RoleARN
	Duration    time.Duration // lifetime asked for RoleARN; 0: the provider's default
	// MFASerial is the device whose code the provider's own AssumeRole of
	// RoleARN carries: the source profile's mfa_serial beside its role_arn.
	MFASerial string

	label            string   // the source as -v and --list name it
	tokenFile        string   // web_identity_token_file
	credentialSource string   // credential_source
	command          string   // credential_process
	externalID       string   // external_id, for RoleARN
	inputs           []string // what defines the provider's credentials, for the cache identity
	// volatile: the credentials depend on something the launcher's warm
	// index does not see (a token file's contents, keys in the environment).
	volatile bool
}

// LongTerm reports whether the source is an IAM user's access key, the only
// kind GetSessionToken accepts.
func (s Source) LongTerm() bool { return s.Provider == "" && !s.Static.Temporary() }

// Hop is one AssumeRole step.
type Hop struct {
	Profile     string
	RoleARN     string
	SessionName string
	ExternalID  string
	Duration    time.Duration
	MFASerial   string // the profile's own mfa_serial, "" when it has none
	// Explicit says Duration is what --duration asked for, which the user
	// must hear about when AWS cannot give it.
	Explicit bool
	// Tags, TransitiveTagKeys and SourceIdentity go to the hop's AssumeRole:
	// the profile's session_tags, transitive_session_tags and
	// source_identity.
	Tags              []Tag
	TransitiveTagKeys []string
	SourceIdentity    string
	// inheritsTags and inheritsIdentity say an earlier hop passes the hop's
	// session transitive tags or a source identity: its trust policy must
	// allow them as if the hop passed them itself.
	inheritsTags, inheritsIdentity bool
}

// Target is the last hop, nil for a plain user profile.
func (c *Chain) Target() *Hop {
	if len(c.Hops) == 0 {
		return nil
	}
	return &c.Hops[len(c.Hops)-1]
}

// ARN names what the chain ends in: the target role, else the role its
// source's provider assumes, else the MFA device, else "" — for error
// messages.
func (c *Chain) ARN() string {
	if t := c.Target(); t != nil {
		return t.RoleARN
	}
	return firstNonEmpty(c.Source.RoleARN, c.MFASerial)
}

// Indexable reports whether the launcher may serve the chain's credentials
// from its warm index. The index is keyed on the environment variables and
// config files that name a chain; a source whose credentials follow a token
// file's contents or keys in the environment must go through the full
// resolution every time, so a new token or key is never answered with
// credentials made from the old one.
func (c *Chain) Indexable() bool { return !c.Source.volatile }

// withStaticSource is a copy of the chain whose source is the given keys:
// what a credential_process printed, planned as if written in the files.
func (c *Chain) withStaticSource(keys Credentials) *Chain {
	cc := *c
	cc.Source.Static, cc.Source.Provider = keys, ""
	return &cc
}
