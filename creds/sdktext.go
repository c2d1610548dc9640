package creds

import "strings"

// sdkText is wording of the AWS SDK (or of STS, through it) that awsrun
// matches because no typed error carries the fact. An SDK upgrade may
// change any of it: this table is the one place to check, and
// TestSDKTextStillMatches provokes the loader's and providers' wording
// through the SDK itself.
type sdkText string

const (
	// The shared-config loader.
	textPartialCredentials     sdkText = "partial credentials found for profile " // one key of the pair
	textFetchingConfig         sdkText = "error fetching config from profile, "   // prefix of its errors
	textCredentialSourceValues sdkText = "credential_source values"               // an unknown credential_source

	// The credential providers.
	textGetIdentity      sdkText = "get identity"                   // the signer could not get the source's credentials
	textProcessOutput    sdkText = "parse failed of process output" // credential_process printed no JSON
	textUnreadableFile   sdkText = "unable to read file"            // web identity token file
	textSSOToken         sdkText = "SSO token"                      // no sign-in, or an expired one
	textMissingSSO       sdkText = "missing required configuration" // an SSO profile without its settings
	textEmptyEnvironment sdkText = "empty"                          // credential_source = Environment, no keys set

	// STS's messages.
	textMFAFailed          sdkText = "MultiFactorAuthentication" // a wrong or reused code
	textMaxSessionDuration sdkText = "MaxSessionDuration"        // more than the role allows
	textDurationSeconds    sdkText = "DurationSeconds"           // more than role chaining allows
)

// sdkNoise are the prefixes the SDK's layers add that say nothing to the
// user.
var sdkNoise = []sdkText{"get identity: ", "get credentials: ", "failed to refresh cached credentials, "}

// in reports whether s holds the text.
func (t sdkText) in(s string) bool { return strings.Contains(s, string(t)) }

// inErr reports whether err's message holds the text.
func (t sdkText) inErr(err error) bool { return err != nil && t.in(err.Error()) }

// trimNoise drops the SDK's prefixes from msg.
func trimNoise(msg string) string {
	for _, p := range sdkNoise {
		msg = strings.TrimPrefix(msg, string(p))
	}
	return msg
}
