package creds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/config"
	"gopkg.in/ini.v1"
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

// LoadOptions say where the shared config lives and what the command line
// overrides.
type LoadOptions struct {
	ConfigFile      string        // default $AWS_CONFIG_FILE, else ~/.aws/config
	CredentialsFile string        // default $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials
	Region          string        // --region; beats the environment and the profile
	Duration        time.Duration // --duration; 0: the profile's duration_seconds, else 1h
	SessionDuration time.Duration // --session-duration; 0: 12h
	Getenv          func(string) string
	// Keys looks a profile's long-term keys up in awsrun's key store: ok
	// is false when it holds none. Nil: keys come from the files only.
	Keys func(profile string) (keys Credentials, ok bool, err error)
}

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
	storedProfile               string // the source whose keys are in awsrun's key store
	endpoint                    string // what decides the STS endpoint, as text for cache identities
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
	Provider string
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

// LoadChain resolves profile from the shared config and credentials files
// with the SDK's own loader. The raw files are read once more only for
// what the SDK does not expose: mfa_process, and the source_profile names
// that explain a cycle or a missing profile.
func LoadChain(ctx context.Context, profile string, o LoadOptions) (*Chain, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	configFile := firstNonEmpty(o.ConfigFile, getenv("AWS_CONFIG_FILE"), config.DefaultSharedConfigFilename())
	credsFile := firstNonEmpty(o.CredentialsFile, getenv("AWS_SHARED_CREDENTIALS_FILE"), config.DefaultSharedCredentialsFilename())

	if profile == "" || strings.ContainsFunc(profile, unicode.IsControl) {
		return nil, &ConfigError{Profile: profile, Err: errors.New("profile name is empty or holds control characters"),
			Hint: "pass --profile NAME as it appears in [profile NAME]"}
	}
	raw, err := loadRaw(configFile, credsFile)
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.Profile = profile
		}
		return nil, err
	}
	if err := raw.checkChain(profile); err != nil {
		return nil, err
	}
	storedProfile, stored, inStore, err := storedKeys(raw, profile, o.Keys)
	if err != nil {
		return nil, err
	}
	if !inStore {
		storedProfile = ""
	}
	credsFiles, done, err := credentialsFiles(credsFile, storedProfile)
	if err != nil {
		return nil, err
	}
	defer done()

	sc, err := sdkParse(func() (config.SharedConfig, error) {
		return config.LoadSharedConfigProfile(ctx, profile, func(lo *config.LoadSharedConfigOptions) {
			lo.ConfigFiles = []string{configFile}
			lo.CredentialsFiles = credsFiles
		})
	})
	if errors.Is(err, errSDKParserPanic) {
		return nil, &ConfigError{Profile: profile, Err: fmt.Errorf("the SDK cannot parse %s or %s", configFile, credsFile),
			Hint: `look for a value that is a lone quote (key = ") and finish or remove it`}
	}
	if err != nil {
		return nil, sdkConfigError(profile, configFile, credsFile, err)
	}

	c := &Chain{
		Profile:         profile,
		configFile:      configFile,
		credentialsFile: credsFile,
		storedProfile:   storedProfile,
	}
	// Walk from the target towards the source. The SDK has linked every
	// source_profile; a profile that holds its own credentials ends the walk.
	var path []*config.SharedConfig // target first
	cur := &sc
	for {
		path = append(path, cur)
		if cur.RoleARN == "" || cur.Source == nil {
			break
		}
		cur = cur.Source
	}
	root := path[len(path)-1]
	roles := path[:len(path)-1]
	if root.RoleARN != "" {
		// A role the SDK assumes on its own (web identity, credential_source,
		// credential_process with role_arn) is part of the source.
		c.Source.Provider = providerKind(root)
	}
	c.Source.Profile = root.Profile
	if c.Source.Provider == "" {
		switch {
		case root.Credentials.HasKeys() && root.RoleARN != "":
			// The SDKs disagree here (one assumes the role, others refuse);
			// running silently as the user would be the worst answer.
			return nil, &ConfigError{Profile: root.Profile, ARN: root.RoleARN,
				Err:  errors.New("the profile has role_arn and keys but no source_profile or credential_source"),
				Hint: fmt.Sprintf("add source_profile = %s to assume the role with the profile's own keys, or move the keys to a profile of their own", root.Profile)}
		case inStore && root.Profile == storedProfile:
			c.Source.Static = stored
		case root.Credentials.HasKeys():
			c.Source.Static = Credentials{
				AccessKeyID:     root.Credentials.AccessKeyID,
				SecretAccessKey: root.Credentials.SecretAccessKey,
				SessionToken:    root.Credentials.SessionToken,
			}
		case providerKind(root) != "":
			c.Source.Provider = providerKind(root)
		default:
			return nil, noSourceError(profile, root, roles, credsFile)
		}
	}
	if c.Source.Provider != "" {
		if err := c.Source.describe(ctx, root, len(roles) == 0, o, getenv); err != nil {
			return nil, err
		}
	}

	for i := len(roles) - 1; i >= 0; i-- {
		p := roles[i]
		if _, err := parseRoleARN(p.RoleARN); err != nil {
			return nil, &ConfigError{Profile: p.Profile, Err: fmt.Errorf("role_arn: %w", err),
				Hint: "set role_arn = arn:aws:iam::123456789012:role/NAME in [profile " + p.Profile + "] of " + configFile}
		}
		h := Hop{
			Profile:     p.Profile,
			RoleARN:     p.RoleARN,
			SessionName: p.RoleSessionName,
			ExternalID:  p.ExternalID,
			Duration:    DefaultRoleDuration,
			MFASerial:   p.MFASerial,
		}
		if p.RoleDurationSeconds != nil {
			h.Duration = *p.RoleDurationSeconds
		}
		if i == 0 && o.Duration != 0 {
			h.Duration = o.Duration
		}
		if h.Duration < minDuration || h.Duration > maxRoleDuration {
			return nil, &ConfigError{Profile: p.Profile, ARN: p.RoleARN,
				Err:  fmt.Errorf("role duration %s is out of range (15m to 12h)", fmtDuration(h.Duration)),
				Hint: "pass --duration between 15m and 12h, or fix duration_seconds (900 to 43200)"}
		}
		if h.SessionName == "" {
			h.SessionName = DefaultSessionName(getenv)
		} else if !validSessionName(h.SessionName) {
			return nil, &ConfigError{Profile: p.Profile, ARN: p.RoleARN,
				Err:  fmt.Errorf("role_session_name %q is not valid", h.SessionName),
				Hint: "use 2 to 64 characters of letters, digits and +=,.@_-"}
		}
		c.Hops = append(c.Hops, h)
	}

	// The MFA device, mfa_process and region apply from the nearest profile
	// that names them: the target first, then towards the source.
	for _, p := range path {
		if c.MFASerial == "" && p.MFASerial != "" {
			c.MFASerial = p.MFASerial
		}
		if c.MFAProcess == "" {
			c.MFAProcess = raw.value(p.Profile, "mfa_process")
		}
		if c.Region == "" {
			c.Region = p.Region
		}
	}
	if c.MFASerial != "" {
		if _, err := ParseARN(c.MFASerial); err != nil {
			return nil, &ConfigError{Profile: profile, ARN: c.ARN(), Err: fmt.Errorf("mfa_serial: %w", err),
				Hint: "set mfa_serial to the device ARN, e.g. arn:aws:iam::123456789012:mfa/alice"}
		}
	}

	explicit := firstNonEmpty(o.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))
	c.Region = firstNonEmpty(explicit, c.Region)
	anchor := c.MFASerial
	if t := c.Target(); t != nil {
		anchor = t.RoleARN
	}
	c.HopRegion = firstNonEmpty(c.Region, PartitionRegion(anchor))
	// The MFA session belongs to the source, so profiles that share a source
	// share one session whatever their own regions.
	c.SessionRegion = firstNonEmpty(explicit, root.Region, PartitionRegion(firstNonEmpty(c.MFASerial, anchor)))

	c.SessionDuration = DefaultSessionDuration
	if o.SessionDuration != 0 {
		c.SessionDuration = o.SessionDuration
	}
	if c.SessionDuration < minDuration || c.SessionDuration > maxSessionDuration {
		return nil, &ConfigError{Profile: profile, ARN: c.ARN(),
			Err:  fmt.Errorf("session duration %s is out of range (15m to 36h)", fmtDuration(c.SessionDuration)),
			Hint: "pass --session-duration between 15m and 36h"}
	}

	c.endpoint = endpointInputs(ctx, sc, getenv)
	return c, nil
}

// providerKind names the SDK provider of a profile without static keys, in
// the SDK's own order of precedence.
func providerKind(p *config.SharedConfig) string {
	switch {
	case p.CredentialSource != "":
		return "credential_source"
	case p.WebIdentityTokenFile != "":
		return "web_identity"
	case p.SSOSessionName != "" || p.SSOStartURL != "" || p.SSOAccountID != "" || p.SSORegion != "" || p.SSORoleName != "":
		return "sso"
	case p.LoginSession != "":
		return "login"
	case p.CredentialProcess != "":
		return "credential_process"
	}
	return ""
}

func noSourceError(profile string, root *config.SharedConfig, roles []*config.SharedConfig, credsFile string) error {
	arn := ""
	if len(roles) > 0 {
		arn = roles[len(roles)-1].RoleARN
	}
	if root.Profile == profile && root.RoleARN == "" {
		return &ConfigError{Profile: profile,
			Err:  errors.New("profile has no credentials: no role_arn, no keys, no credential source"),
			Hint: "give it role_arn and source_profile, or aws_access_key_id and aws_secret_access_key in " + credsFile}
	}
	return &ConfigError{Profile: profile, ARN: arn,
		Err:  fmt.Errorf("source profile %s has no credentials", root.Profile),
		Hint: fmt.Sprintf("add aws_access_key_id and aws_secret_access_key to [%s] in %s", root.Profile, credsFile)}
}

// sdkConfigError words what the SDK's loader refused. Parse errors are
// reduced to the file name: the files hold secrets, and an echoed line
// could carry one.
func sdkConfigError(profile, configFile, credsFile string, err error) error {
	var notExist config.SharedConfigProfileNotExistError
	var assume config.SharedConfigAssumeRoleError
	var load config.SharedConfigLoadError
	switch {
	case errors.As(err, &assume):
		return &ConfigError{Profile: profile, ARN: assume.RoleARN,
			Err:  fmt.Errorf("source profile %s has no usable credentials", assume.Profile),
			Hint: fmt.Sprintf("add aws_access_key_id and aws_secret_access_key to [%s] in %s", assume.Profile, credsFile)}
	case errors.As(err, &notExist):
		return &ConfigError{Profile: profile, Err: fmt.Errorf("profile %s not found in %s or %s", notExist.Profile, configFile, credsFile),
			Hint: "awsrun --list shows the profiles it can see"}
	case errors.As(err, &load):
		return &ConfigError{Profile: profile, Err: fmt.Errorf("cannot parse %s", load.Filename),
			Hint: "check the file's INI syntax: [profile NAME] sections of key = value lines"}
	}
	if _, after, ok := strings.Cut(err.Error(), "partial credentials found for profile "); ok {
		name, _, _ := strings.Cut(after, "\n")
		return &ConfigError{Profile: profile, Err: fmt.Errorf("profile %s has only one of aws_access_key_id and aws_secret_access_key", name),
			Hint: fmt.Sprintf("give [%s] both keys in %s, or neither", name, credsFile)}
	}
	// One line, whatever the SDK's wording.
	msg := strings.Join(strings.Fields(strings.TrimPrefix(err.Error(), "error fetching config from profile, ")), " ")
	return &ConfigError{Profile: profile, Err: errors.New(msg)}
}

// rawConfig is the files as plain INI, for keys the SDK does not expose.
type rawConfig struct {
	config, credentials *ini.File
	configFile          string
	credentialsFile     string
}

func loadRaw(configFile, credsFile string) (*rawConfig, error) {
	// Values are kept whole (mfa_process is a shell command, "#" and all);
	// key names are lowercased, as the SDK does. sdkValue cuts comments.
	// AllowNonUniqueSections keeps a repeated section apart instead of
	// comparing each new name with every section before it, which is
	// quadratic in the number of profiles (21 ms of parsing at 5,000);
	// sections reads the last repeat first, as the SDK merges them.
	opts := ini.LoadOptions{Loose: true, IgnoreInlineComment: true, InsensitiveKeys: true, SkipUnrecognizableLines: true,
		AllowBooleanKeys: true, AllowNonUniqueSections: true}
	r := &rawConfig{configFile: configFile, credentialsFile: credsFile}
	var err error
	if r.config, err = ini.LoadSources(opts, configFile); err != nil {
		return nil, rawError(configFile, err)
	}
	if r.credentials, err = ini.LoadSources(opts, credsFile); err != nil {
		return nil, rawError(credsFile, err)
	}
	return r, nil
}

// rawError words a file the raw reader refused. The parser's message is
// not repeated: it quotes the line, which may hold a secret.
func rawError(file string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &ConfigError{Err: fmt.Errorf("cannot read %s", file), Hint: "check the file's permissions"}
	}
	return &ConfigError{Err: fmt.Errorf("cannot parse %s", file),
		Hint: "check the file's INI syntax: [profile NAME] sections of key = value lines, no line that opens a quote it does not close"}
}

// sections are the raw sections that define profile, config file first.
func (r *rawConfig) sections(profile string) []*ini.Section {
	var out []*ini.Section
	names := []string{"profile " + profile}
	if profile == "default" {
		names = append(names, "default")
	}
	for _, n := range names {
		out = appendLastFirst(out, r.config, n)
	}
	return appendLastFirst(out, r.credentials, profile)
}

// appendLastFirst appends f's sections named name, the last in the file
// first: where a section is repeated, its later keys win, as in the SDK.
func appendLastFirst(out []*ini.Section, f *ini.File, name string) []*ini.Section {
	secs, _ := f.SectionsByName(name)
	for i := len(secs) - 1; i >= 0; i-- {
		out = append(out, secs[i])
	}
	return out
}

func (r *rawConfig) value(profile, key string) string {
	for _, s := range r.sections(profile) {
		if s.HasKey(key) {
			return strings.TrimSpace(s.Key(key).String())
		}
	}
	return ""
}

// sdkValue is value as the SDK reads it: cut at an inline comment.
func (r *rawConfig) sdkValue(profile, key string) string {
	v := r.value(profile, key)
	for _, mark := range []string{" #", " ;", "\t#", "\t;"} {
		v, _, _ = strings.Cut(v, mark)
	}
	return strings.TrimSpace(v)
}

// checkChain follows source_profile from profile and reports a missing
// profile or a cycle with the whole path, before the SDK would.
func (r *rawConfig) checkChain(profile string) error {
	seen := map[string]bool{}
	path := []string{profile}
	for name := profile; ; {
		if len(r.sections(name)) == 0 {
			if name == profile {
				return &ConfigError{Profile: profile,
					Err:  fmt.Errorf("profile %s not found in %s or %s", profile, r.configFile, r.credentialsFile),
					Hint: r.profileHint()}
			}
			return &ConfigError{Profile: profile,
				Err:  fmt.Errorf("source profile %s not found (chain %s)", name, strings.Join(path, " → ")),
				Hint: fmt.Sprintf("add [profile %s] to %s, or fix source_profile", name, r.configFile)}
		}
		seen[name] = true
		hasKeys := r.sdkValue(name, "aws_access_key_id") != "" && r.sdkValue(name, "aws_secret_access_key") != ""
		if name != profile && hasKeys {
			return nil
		}
		next := r.sdkValue(name, "source_profile")
		if next == "" || (next == name && hasKeys) {
			return nil
		}
		path = append(path, next)
		if seen[next] {
			return &ConfigError{Profile: profile,
				Err:  fmt.Errorf("source_profile cycle: %s", strings.Join(path, " → ")),
				Hint: "end the chain at a profile with aws_access_key_id and aws_secret_access_key"}
		}
		name = next
	}
}

// profileNames lists the profiles of both files, config file order first.
func (r *rawConfig) profileNames() []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && n != ini.DefaultSection && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, s := range r.config.Sections() {
		if n, ok := strings.CutPrefix(s.Name(), "profile "); ok {
			add(strings.TrimSpace(n))
		} else if s.Name() == "default" {
			add("default")
		}
	}
	for _, s := range r.credentials.Sections() {
		add(s.Name())
	}
	return names
}

// profileHint lists a few profile names: names are not secrets, and seeing
// them beats guessing.
func (r *rawConfig) profileHint() string {
	names := r.profileNames()
	switch {
	case len(names) == 0:
		return fmt.Sprintf("no profiles found: create %s (see awsrun --help)", r.configFile)
	case len(names) > 8:
		return fmt.Sprintf("known profiles: %s, … (%d in all)", strings.Join(names[:8], ", "), len(names))
	}
	return "known profiles: " + strings.Join(names, ", ")
}

// endpointInputs is everything the SDK looks at to choose the STS endpoint,
// as one string. It is hashed into cache identities, so credentials from a
// test endpoint never serve real AWS; resolving the endpoint itself is left
// to the SDK when a client is built.
func endpointInputs(ctx context.Context, sc config.SharedConfig, getenv func(string) string) string {
	var b strings.Builder
	for _, k := range []string{"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
		"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_STS_REGIONAL_ENDPOINTS"} {
		fmt.Fprintf(&b, "%s=%s;", k, getenv(k))
	}
	svc, _, _ := sc.GetServiceBaseEndpoint(ctx, "STS")
	ignore, _, _ := sc.GetIgnoreConfiguredEndpoints(ctx)
	fmt.Fprintf(&b, "base=%s;sts=%s;ignore=%t;fips=%d;dualstack=%d", sc.BaseEndpoint, svc, ignore, sc.UseFIPSEndpoint, sc.UseDualStackEndpoint)
	return b.String()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// DefaultSessionName is the RoleSessionName used when a profile sets none:
// awsrun- and the local user, cut to what STS accepts, so CloudTrail shows
// who assumed the role.
func DefaultSessionName(getenv func(string) string) string {
	name := firstNonEmpty(getenv("USER"), getenv("USERNAME"), getenv("LOGNAME"))
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = filepath.Base(u.Username) // DOMAIN\name on Windows
		}
	}
	var b strings.Builder
	b.WriteString("awsrun-")
	for _, r := range name {
		if isSessionNameRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.TrimRight(s, "-")
}

func isSessionNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r)
}

func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !isSessionNameRune(r) {
			return false
		}
	}
	return true
}

func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// ProfileInfo is one profile as --list shows it.
type ProfileInfo struct {
	Name          string
	RoleARN       string
	SourceProfile string
	MFASerial     string
}

// ListProfiles returns the profiles of the config and credentials files,
// config file order first.
func ListProfiles(o LoadOptions) ([]ProfileInfo, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	raw, err := loadRaw(firstNonEmpty(o.ConfigFile, getenv("AWS_CONFIG_FILE"), config.DefaultSharedConfigFilename()),
		firstNonEmpty(o.CredentialsFile, getenv("AWS_SHARED_CREDENTIALS_FILE"), config.DefaultSharedCredentialsFilename()))
	if err != nil {
		return nil, err
	}
	var out []ProfileInfo
	for _, name := range raw.profileNames() {
		out = append(out, ProfileInfo{
			Name:          name,
			RoleARN:       raw.value(name, "role_arn"),
			SourceProfile: raw.value(name, "source_profile"),
			MFASerial:     raw.value(name, "mfa_serial"),
		})
	}
	return out, nil
}
