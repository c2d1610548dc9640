package creds

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"gopkg.in/ini.v1"
)

// rawConfig is the files as plain INI, for keys the SDK does not expose.
type rawConfig struct {
	config, credentials *ini.File
	configFile          string
	credentialsFile     string
	// The sections of each file by their name as the SDK reads it (see
	// sdkSectionName), in file order.
	configSections, credentialsSections map[string][]*ini.Section
	// hidden is the profile whose section header the SDK does not see, a
	// file's first line after a byte order mark, and that file.
	hidden, hiddenFile string
	// configLoose and credentialsLoose say why another user could change
	// each file (see looseFile), "" when no one else can.
	configLoose, credentialsLoose string
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
	var hidden string
	if r.config, hidden, r.configLoose, err = loadRawFile(opts, configFile, "AWS_CONFIG_FILE"); err != nil {
		return nil, err
	}
	if n, ok := strings.CutPrefix(hidden, "profile "); ok || hidden == "default" {
		r.hidden, r.hiddenFile = firstNonEmpty(n, hidden), configFile
	}
	if r.credentials, hidden, r.credentialsLoose, err = loadRawFile(opts, credsFile, "AWS_SHARED_CREDENTIALS_FILE"); err != nil {
		return nil, err
	}
	if hidden != "" && r.hidden == "" {
		r.hidden, r.hiddenFile = hidden, credsFile
	}
	r.configSections, r.credentialsSections = bySDKName(r.config), bySDKName(r.credentials)
	return r, nil
}

// bySDKName indexes f's sections by the names the SDK gives them.
func bySDKName(f *ini.File) map[string][]*ini.Section {
	m := map[string][]*ini.Section{}
	for _, s := range f.Sections() {
		if s.Name() == ini.DefaultSection {
			continue
		}
		n := sdkSectionName(s.Name())
		m[n] = append(m[n], s)
	}
	return m
}

// sdkSectionName is a section's name as the SDK's INI reader makes it: the
// spaces around it trimmed, and the first run of spaces and tabs inside it
// made one space, so [profile  two], [profile\ttwo] and [ profile two ]
// are all the profile two, as for the SDK and the AWS CLI.
func sdkSectionName(s string) string {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s
	}
	return s[:i] + " " + strings.TrimLeft(s[i:], " \t")
}

// loadRawFile reads one of the shared files, bounded (see readBounded),
// before the SDK reads it unbounded. A missing file is an empty one, as
// for the SDK.
//
// A file that starts with a UTF-8 byte order mark (as some Windows editors
// save it) is read as the SDK reads it: the SDK does not strip the mark,
// so the first line is not a section header to it, and the keys under it
// belong to no profile. hidden is the SDK name of the section that hides,
// "" when none does. loose says why another user could change the file
// (see looseFile), "" when no one else can.
func loadRawFile(opts ini.LoadOptions, file, setting string) (f *ini.File, hidden, loose string, err error) {
	b, fi, err := readBoundedInfo(file, maxSharedFile, setting)
	if errors.Is(err, fs.ErrNotExist) {
		return ini.Empty(opts), "", "", nil
	}
	if err != nil {
		return nil, "", "", err
	}
	loose = looseFile(fi)
	if rest, ok := bytes.CutPrefix(b, []byte("\uFEFF")); ok {
		first, tail, _ := bytes.Cut(rest, []byte("\n"))
		if h := bytes.TrimSpace(first); len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
			hidden = sdkSectionName(string(h[1 : len(h)-1]))
		}
		b = append([]byte("\n"), tail...)
	}
	f, err = ini.LoadSources(opts, b)
	if err != nil {
		// The parser's message is not repeated: it quotes the line, which
		// may hold a secret.
		return nil, "", "", parseError("", file)
	}
	return f, hidden, loose, nil
}

// looseDefining returns the first file that another user could change and
// that sets key for one of profiles, with why; "" when none does. The SDK
// merges both files, so either may set a key the other does not.
func (r *rawConfig) looseDefining(profiles []string, key string) (file, reason string) {
	for _, p := range profiles {
		names := []string{"profile " + p}
		if p == "default" {
			names = append(names, "default")
		}
		if r.configLoose != "" {
			for _, n := range names {
				for _, s := range r.configSections[n] {
					if s.HasKey(key) {
						return r.configFile, r.configLoose
					}
				}
			}
		}
		if r.credentialsLoose != "" {
			for _, s := range r.credentialsSections[p] {
				if s.HasKey(key) {
					return r.credentialsFile, r.credentialsLoose
				}
			}
		}
	}
	return "", ""
}

// checkCommands refuses to let the chain run a command (mfa_process,
// credential_process) that a file another user could change sets: like
// ssh with a config others may write, awsrun would otherwise run their
// command as the user. Plain values from such a file are still read.
func (r *rawConfig) checkCommands(c *Chain, path []string) error {
	check := func(key string, profiles []string) error {
		if file, reason := r.looseDefining(profiles, key); file != "" {
			return &LooseFileError{Profile: c.Profile, ARN: c.ARN(), File: file, Key: key, Reason: reason}
		}
		return nil
	}
	if c.MFAProcess != "" {
		if err := check("mfa_process", path); err != nil {
			return err
		}
	}
	if c.Source.Provider == ProviderProcess {
		return check("credential_process", path[len(path)-1:])
	}
	return nil
}

// hiddenError is a profile not found because a byte order mark hides its
// section from the SDK, or nil.
func (r *rawConfig) hiddenError(profile, name string) error {
	if name == "" || name != r.hidden {
		return nil
	}
	return &ConfigError{Profile: profile,
		Err: fmt.Errorf("profile %s not found: %s starts with a UTF-8 byte order mark, and the AWS SDK then does not read the section header on its first line", name, r.hiddenFile),
		Fix: "save " + r.hiddenFile + " as UTF-8 without a byte order mark (BOM), or start it with an empty line"}
}

// sections are the raw sections that define profile, config file first.
func (r *rawConfig) sections(profile string) []*ini.Section {
	var out []*ini.Section
	names := []string{"profile " + profile}
	if profile == "default" {
		names = append(names, "default")
	}
	for _, n := range names {
		out = appendLastFirst(out, r.configSections[n])
	}
	return appendLastFirst(out, r.credentialsSections[profile])
}

// appendLastFirst appends a file's sections of one name, the last in the
// file first: where a section is repeated, its later keys win, as in the
// SDK.
func appendLastFirst(out, secs []*ini.Section) []*ini.Section {
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
			if err := r.hiddenError(profile, name); err != nil {
				return err
			}
			if name == profile {
				return &ConfigError{Profile: profile,
					Err: fmt.Errorf("profile %s not found in %s or %s", profile, r.configFile, r.credentialsFile),
					Fix: r.profileHint()}
			}
			if missingFile(r.credentialsFile) {
				return &ConfigError{Profile: profile,
					Err: fmt.Errorf("source profile %s not found (chain %s): the credentials file %s does not exist", name, strings.Join(path, " → "), r.credentialsFile),
					Fix: addKeysFix(name, r.credentialsFile)}
			}
			return &ConfigError{Profile: profile,
				Err: fmt.Errorf("source profile %s not found (chain %s)", name, strings.Join(path, " → ")),
				Fix: fmt.Sprintf("add [profile %s] to %s, or fix source_profile", name, r.configFile)}
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
				Err: fmt.Errorf("source_profile cycle: %s", strings.Join(path, " → ")),
				Fix: "end the chain at a profile with aws_access_key_id and aws_secret_access_key"}
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
		name := sdkSectionName(s.Name())
		if n, ok := strings.CutPrefix(name, "profile "); ok {
			add(n)
		} else if name == "default" {
			add("default")
		}
	}
	for _, s := range r.credentials.Sections() {
		if name := sdkSectionName(s.Name()); !strings.HasPrefix(name, "profile ") {
			add(name)
		}
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
