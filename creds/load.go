package creds

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
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
	// KeyStore names where Keys looked (a file's path, the keyring), for
	// messages; nil or "": the default places are named.
	KeyStore func() string
}

func (o LoadOptions) getenv() func(string) string {
	if o.Getenv == nil {
		return os.Getenv
	}
	return o.Getenv
}

// files are the shared config and credentials files, as the SDK finds them.
func (o LoadOptions) files() (configFile, credsFile string) {
	getenv := o.getenv()
	return firstNonEmpty(o.ConfigFile, getenv("AWS_CONFIG_FILE"), config.DefaultSharedConfigFilename()),
		firstNonEmpty(o.CredentialsFile, getenv("AWS_SHARED_CREDENTIALS_FILE"), config.DefaultSharedCredentialsFilename())
}

// LoadChain resolves profile from the shared config and credentials files
// with the SDK's own loader, in named phases: check the name; read the raw
// files for what the SDK does not expose (mfa_process, and the
// source_profile names that explain a cycle or a missing profile); load
// the profile with the SDK; then, from the SDK's linked profiles, the
// source, the role hops, the settings that apply from the nearest profile,
// the regions, the session's lifetime and the STS endpoint.
func LoadChain(ctx context.Context, profile string, o LoadOptions) (*Chain, error) {
	getenv := o.getenv()
	configFile, credsFile := o.files()
	if profile == "" || strings.ContainsFunc(profile, unicode.IsControl) {
		return nil, &ConfigError{Profile: profile, Err: errors.New("profile name is empty or holds control characters"),
			Fix: "pass --profile NAME as it appears in [profile NAME]"}
	}
	// The SDK's parse of the files and awsrun's own are independent unless
	// a source's keys come from the key store: both start at once, the
	// SDK's in the background, and the SDK's is made again in that case.
	// With thousands of profiles each takes tens of milliseconds.
	type shared struct {
		sc  config.SharedConfig
		sdk aws.Config
		err error
	}
	// The SDK reads the files whole: it starts early only on files awsrun
	// would let it read (loadRaw refuses the others with the reason), or a
	// FIFO would hang it and /dev/zero exhaust memory in the background.
	var early chan shared
	if sdkMayRead(configFile) && sdkMayRead(credsFile) {
		early = make(chan shared, 1)
		go func() {
			sc, sdk, err := loadShared(ctx, profile, configFile, credsFile, "")
			early <- shared{sc, sdk, err}
		}()
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
	var got shared
	if early != nil {
		got = <-early
	} else {
		got.sc, got.sdk, got.err = loadShared(ctx, profile, configFile, credsFile, "")
	}
	sc, sdk, err := got.sc, got.sdk, got.err
	if storedProfile != "" {
		sc, sdk, err = loadShared(ctx, profile, configFile, credsFile, storedProfile)
	}
	if err != nil {
		var ce *ConfigError
		var moved *movedKeysError
		if errors.As(err, &ce) && errors.As(err, &moved) && o.KeyStore != nil {
			ce.Fix = movedKeysFix(o.KeyStore())
		}
		return nil, err
	}

	c := &Chain{Profile: profile, configFile: configFile, credentialsFile: credsFile, sdk: &sdk, storedProfile: storedProfile}
	path := linked(&sc)
	if err := raw.checkNumbers(path); err != nil {
		return nil, err
	}
	root, roles := path[len(path)-1], path[:len(path)-1]
	var fromStore *Credentials
	if inStore && root.Profile == storedProfile {
		fromStore = &stored
	}
	if c.Source, err = sourceOf(ctx, profile, root, roles, fromStore, o, configFile, credsFile); err != nil {
		return nil, err
	}
	if c.Hops, err = hopsOf(roles, raw, o, configFile); err != nil {
		return nil, err
	}
	if root.RoleARN != "" && (raw.value(root.Profile, keySessionTags) != "" || raw.value(root.Profile, keyTransitiveTags) != "" || raw.value(root.Profile, keySourceIdentity) != "") {
		return nil, &ConfigError{Profile: root.Profile, ARN: root.RoleARN, Err: errProviderTags,
			Fix: "move the role to a profile of its own with source_profile = " + root.Profile + " and the tags there"}
	}
	if err := c.applyNearest(path, raw); err != nil {
		return nil, err
	}
	names := make([]string, len(path))
	for i, p := range path {
		names[i] = p.Profile
	}
	if err := raw.checkCommands(c, names); err != nil {
		return nil, err
	}
	c.setRegions(firstNonEmpty(o.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")), root)
	if c.SessionDuration, err = sessionDuration(c, o); err != nil {
		return nil, err
	}
	c.endpoint = endpointInputs(ctx, sc, getenv)
	return c, nil
}

// loadShared is the SDK's view of the profile, every source_profile
// linked, and the SDK configuration the STS client is built from: one
// parse of the files serves both. The configuration carries anonymous
// credentials, so that loading never builds the profile's own
// (MFA-prompting) provider; every STS call carries its own. storedProfile
// is the source whose keys are in awsrun's key store, "" for none.
func loadShared(ctx context.Context, profile, configFile, credsFile, storedProfile string) (config.SharedConfig, aws.Config, error) {
	files, done, err := credentialsFiles(credsFile, storedProfile, profile)
	if err != nil {
		return config.SharedConfig{}, aws.Config{}, err
	}
	defer done()
	cfg, err := sdkParse(func() (aws.Config, error) {
		return config.LoadDefaultConfig(ctx,
			config.WithSharedConfigProfile(profile),
			config.WithSharedConfigFiles([]string{configFile}),
			config.WithSharedCredentialsFiles(files),
			config.WithCredentialsProvider(aws.AnonymousCredentials{}),
			config.WithAppID("awsrun"))
	})
	if errors.Is(err, errSDKParserPanic) {
		return config.SharedConfig{}, cfg, parserPanicError(profile, "", configFile, credsFile)
	}
	if err != nil {
		return config.SharedConfig{}, cfg, sdkConfigError(profile, configFile, credsFile, err)
	}
	for _, src := range cfg.ConfigSources {
		if sc, ok := src.(config.SharedConfig); ok {
			return sc, cfg, nil
		}
	}
	return config.SharedConfig{}, cfg, &ConfigError{Profile: profile, Err: fmt.Errorf("the SDK read no profile %s from %s or %s", profile, configFile, credsFile)}
}

// linked walks from the target towards the source, target first. The SDK
// has linked every source_profile; a profile that holds its own credentials
// ends the walk.
func linked(sc *config.SharedConfig) []*config.SharedConfig {
	var path []*config.SharedConfig
	for cur := sc; ; cur = cur.Source {
		path = append(path, cur)
		if cur.RoleARN == "" || cur.Source == nil {
			return path
		}
	}
}

// sourceOf is the root of the chain: static keys (from the files, or
// stored: awsrun's key store's), or an SDK provider (which may assume a
// role of its own: web identity, credential_source, credential_process
// with role_arn).
func sourceOf(ctx context.Context, profile string, root *config.SharedConfig, roles []*config.SharedConfig, stored *Credentials, o LoadOptions, configFile, credsFile string) (Source, error) {
	src := Source{Profile: root.Profile}
	switch {
	case root.RoleARN != "":
		// A role the SDK assumes on its own is part of the source.
		src.Provider = providerKind(root)
	case stored != nil:
		src.Static = *stored
	case root.Credentials.HasKeys():
		src.Static = Credentials{
			AccessKeyID:     root.Credentials.AccessKeyID,
			SecretAccessKey: root.Credentials.SecretAccessKey,
			SessionToken:    root.Credentials.SessionToken,
		}
	default:
		src.Provider = providerKind(root)
	}
	if src.Provider == "" {
		switch {
		case root.RoleARN != "" && (root.Credentials.HasKeys() || stored != nil):
			// The SDKs disagree here (one assumes the role, others refuse);
			// running silently as the user would be the worst answer.
			return src, &ConfigError{Profile: root.Profile, ARN: root.RoleARN,
				Err: errors.New("the profile has role_arn and keys but no source_profile or credential_source"),
				Fix: fmt.Sprintf("add source_profile = %s to assume the role with the profile's own keys, or move the keys to a profile of their own", root.Profile)}
		case src.Static.AccessKeyID == "":
			return src, noSourceError(profile, root, roles, credsFile)
		}
		return src, nil
	}
	return src, src.describe(ctx, root, len(roles) == 0, o, configFile, o.getenv())
}

// hopsOf is one AssumeRole per role profile, source side first.
func hopsOf(roles []*config.SharedConfig, raw *rawConfig, o LoadOptions, configFile string) ([]Hop, error) {
	var hops []Hop
	for i := len(roles) - 1; i >= 0; i-- {
		h, err := readRole(roles[i], i == 0, o, configFile, o.getenv())
		if err != nil {
			return nil, err
		}
		if err := readSessionAttrs(raw, &h, configFile); err != nil {
			return nil, err
		}
		hops = append(hops, h)
	}
	return hops, checkChainTags(hops)
}

// readRole reads the role a profile assumes — role_arn, role_session_name,
// external_id, duration_seconds (or --duration, for the profile asked
// for) and mfa_serial — checked as STS will check them.
func readRole(p *config.SharedConfig, target bool, o LoadOptions, configFile string, getenv func(string) string) (Hop, error) {
	if _, err := parseRoleARN(p.RoleARN); err != nil {
		return Hop{}, &ConfigError{Profile: p.Profile, Err: fmt.Errorf("role_arn: %w", err),
			Fix: "set role_arn = arn:aws:iam::123456789012:role/NAME in [profile " + p.Profile + "] of " + configFile}
	}
	h := Hop{
		Profile:     p.Profile,
		RoleARN:     p.RoleARN,
		SessionName: p.RoleSessionName,
		ExternalID:  p.ExternalID,
		// The SDK's own default for a source's role is 15 minutes;
		// awsrun's, as for every role, 1h.
		Duration:  DefaultRoleDuration,
		MFASerial: p.MFASerial,
	}
	if p.RoleDurationSeconds != nil {
		h.Duration = *p.RoleDurationSeconds
	}
	if target && o.Duration != 0 {
		h.Duration, h.Explicit = o.Duration, true
	}
	if h.Duration < minDuration || h.Duration > maxRoleDuration {
		return Hop{}, &ConfigError{Profile: p.Profile, ARN: p.RoleARN,
			Err: fmt.Errorf("role duration %s is out of range (15m to 12h)", fmtDuration(h.Duration)),
			Fix: "pass --duration between 15m and 12h, or fix duration_seconds (900 to 43200)"}
	}
	if h.SessionName == "" {
		h.SessionName = DefaultSessionName(getenv)
	} else if !validSessionName(h.SessionName) {
		return Hop{}, &ConfigError{Profile: p.Profile, ARN: p.RoleARN,
			Err: fmt.Errorf("role_session_name %q is not valid", h.SessionName),
			Fix: "use 2 to 64 characters of letters, digits and +=,.@_-"}
	}
	return h, nil
}

// applyNearest takes the MFA device, mfa_process and region from the
// nearest profile that names them: the target first, then towards the
// source.
func (c *Chain) applyNearest(path []*config.SharedConfig, raw *rawConfig) error {
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
	if c.MFASerial != "" && !validMFASerial(c.MFASerial) {
		return &ConfigError{Profile: c.Profile, ARN: c.ARN(),
			Err: fmt.Errorf("mfa_serial %q is neither an MFA device ARN nor a hardware token's serial number", c.MFASerial),
			Fix: "set mfa_serial to the device ARN (arn:aws:iam::123456789012:mfa/alice) or the serial number printed on a hardware token (e.g. GAHT12345678)"}
	}
	return nil
}

// validMFASerial is what STS accepts as SerialNumber: a virtual or FIDO
// device's ARN, or a hardware token's serial number, 9 to 256 of
// [\w+=/:,.@-].
func validMFASerial(s string) bool {
	if strings.HasPrefix(s, "arn:") {
		if _, err := ParseARN(s); err != nil {
			return false
		}
	}
	if len(s) < 9 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=/:,.@-", r)) {
			return false
		}
	}
	return true
}

// partitionAnchor is the ARN that tells the chain's partition: the MFA
// device's ARN, else anchor (a hardware token's serial number tells none).
func partitionAnchor(serial, anchor string) string {
	if strings.HasPrefix(serial, "arn:") {
		return serial
	}
	return anchor
}

// setRegions decides the child's region and where STS is called. explicit
// is --region or the environment's, which beat the profile's.
func (c *Chain) setRegions(explicit string, root *config.SharedConfig) {
	c.Region = firstNonEmpty(explicit, c.Region)
	anchor := partitionAnchor(c.MFASerial, c.Source.RoleARN)
	if t := c.Target(); t != nil {
		anchor = t.RoleARN
	}
	c.HopRegion = firstNonEmpty(c.Region, PartitionRegion(anchor))
	// The MFA session belongs to the source, so profiles that share a source
	// share one session whatever their own regions.
	c.SessionRegion = firstNonEmpty(explicit, root.Region, PartitionRegion(partitionAnchor(c.MFASerial, anchor)))
}

// sessionDuration is --session-duration, else 12h, within what
// GetSessionToken accepts.
func sessionDuration(c *Chain, o LoadOptions) (time.Duration, error) {
	d := DefaultSessionDuration
	if o.SessionDuration != 0 {
		d = o.SessionDuration
	}
	if d < minDuration || d > maxSessionDuration {
		return 0, &ConfigError{Profile: c.Profile, ARN: c.ARN(),
			Err: fmt.Errorf("session duration %s is out of range (15m to 36h)", fmtDuration(d)),
			Fix: "pass --session-duration between 15m and 36h"}
	}
	return d, nil
}

// noSourceError is a chain that ends in a profile with nothing to make
// credentials from.
func noSourceError(profile string, root *config.SharedConfig, roles []*config.SharedConfig, credsFile string) error {
	arn := ""
	if len(roles) > 0 {
		arn = roles[len(roles)-1].RoleARN
	}
	if root.Profile == profile && root.RoleARN == "" {
		return &ConfigError{Profile: profile,
			Err: errors.New("profile has no credentials: no role_arn, no keys, no credential source"),
			Fix: "give it role_arn and source_profile, or aws_access_key_id and aws_secret_access_key in " + credsFile}
	}
	return &ConfigError{Profile: profile, ARN: arn, Err: noKeys(root.Profile, credsFile),
		Fix: addKeysFix(root.Profile, credsFile)}
}

// addKeysFix is the fix for a source profile without keys.
func addKeysFix(profile, credsFile string) string {
	if missingFile(credsFile) {
		return fmt.Sprintf("create %s with [%s] aws_access_key_id = … and aws_secret_access_key = … (or point AWS_SHARED_CREDENTIALS_FILE at yours)", credsFile, profile)
	}
	return fmt.Sprintf("add aws_access_key_id and aws_secret_access_key to [%s] in %s", profile, credsFile)
}

// noKeys is why a source profile has no keys, saying so when the
// credentials file is not there at all.
func noKeys(profile, credsFile string) error {
	if missingFile(credsFile) {
		return fmt.Errorf("source profile %s has no credentials: the credentials file %s does not exist", profile, credsFile)
	}
	return fmt.Errorf("source profile %s has no credentials", profile)
}

func missingFile(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// checkNumbers refuses a duration_seconds on the chain that is not a
// number: the SDK reads it as 0, which would be said as "0s out of range".
func (r *rawConfig) checkNumbers(path []*config.SharedConfig) error {
	for _, p := range path {
		v := r.sdkValue(p.Profile, "duration_seconds")
		if v == "" {
			continue
		}
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return &ConfigError{Profile: p.Profile, ARN: p.RoleARN,
				Err: fmt.Errorf("duration_seconds = %q is not a number of seconds", v),
				Fix: "set duration_seconds to seconds between 900 and 43200 (3600 is 1h), or remove it for 1h"}
		}
	}
	return nil
}

// parseError is a file that is not INI as the SDK reads it. The parser's
// message is not repeated: it quotes the line, which may hold a secret.
func parseError(profile, file string) error {
	return &ConfigError{Profile: profile, Err: fmt.Errorf("cannot parse %s", file),
		Fix: "check the file's INI syntax: [profile NAME] sections of key = value lines, no line that opens a quote it does not close"}
}
