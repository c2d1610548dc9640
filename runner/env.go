package runner

import (
	"runtime"
	"strings"
)

// Removed lists the variables stripped from the inherited environment (every
// occurrence): anything that carries AWS credentials or tells an SDK where to
// find other ones, which would otherwise mix with or override those awsrun
// sets. The MFA code given to awsrun in AWSRUN_MFA_CODE and the key store's
// passphrase in AWSRUN_KEYS_PASSPHRASE are its own: awsrun has read them
// before the command starts.
var Removed = []string{
	"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY",
	"AWS_ACCESS_KEY", // the Java SDK v1's other names of the two above,
	"AWS_SECRET_KEY", // which it prefers to a credentials endpoint
	"AWS_SESSION_TOKEN",
	"AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION",
	"AWS_PROFILE",
	"AWS_DEFAULT_PROFILE",
	"AWS_ROLE_ARN",
	"AWS_ROLE_SESSION_NAME",
	"AWS_WEB_IDENTITY_TOKEN_FILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWSRUN_MFA_CODE",        // an MFA code given to awsrun, not to the command
	"AWSRUN_RESOLVING",       // awsrun's guard against running itself while resolving
	"AWSRUN_KEYS_PASSPHRASE", // the key store's passphrase, read before the command starts
}

// Var is one variable to set in the child.
type Var struct{ Name, Value string }

// Env returns parent minus every occurrence of the variables in Removed and of
// the names in set, followed by set in the given order. Everything else passes
// through unchanged and in order, duplicates and entries without '=' included.
// On Windows names compare case-insensitively, as Windows compares them.
func Env(parent []string, set []Var) []string {
	return env(parent, set, runtime.GOOS == "windows")
}

// env is Env with the platform's name comparison chosen by the caller, so
// that tests on any system cover both.
func env(parent []string, set []Var, windows bool) []string {
	key := func(name string) string {
		if windows {
			return strings.ToUpper(name)
		}
		return name
	}
	drop := make(map[string]bool, len(Removed)+len(set))
	for _, name := range Removed {
		drop[key(name)] = true
	}
	for _, v := range set {
		drop[key(v.Name)] = true
	}

	out := make([]string, 0, len(parent)+len(set))
	for _, kv := range parent {
		if name, ok := envName(kv, windows); ok && drop[key(name)] {
			continue
		}
		out = append(out, kv)
	}
	for _, v := range set {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

// envName returns the name of an environment entry, and false for an entry
// without '=', which defines no variable that getenv(3) could return.
func envName(kv string, windows bool) (string, bool) {
	i := strings.IndexByte(kv, '=')
	if windows && i == 0 {
		// Windows keeps per-drive directories as "=C:=C:\dir": the name
		// starts with '='.
		i = strings.IndexByte(kv[1:], '=')
		if i >= 0 {
			i++
		}
	}
	if i < 0 {
		return "", false
	}
	return kv[:i], true
}

// getenv returns the value of name in env as the child will see it: on Unix
// the first entry, the one getenv(3) finds; on Windows the last, the one the
// subprocess gets once duplicates are merged.
func getenv(env []string, name string, windows bool) (string, bool) {
	value, found := "", false
	for _, kv := range env {
		n, ok := envName(kv, windows)
		if !ok || !(n == name || windows && strings.EqualFold(n, name)) {
			continue
		}
		value, found = kv[len(n)+1:], true
		if !windows {
			break
		}
	}
	return value, found
}
