package creds

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"

	"gopkg.in/ini.v1"
)

// rawConfig is the files as plain INI, for keys the SDK does not expose.
type rawConfig struct {
	config, credentials *rawFile
	configFile          string
	credentialsFile     string
	// hidden is the profile whose section header the SDK does not see, a
	// file's first line after a byte order mark, and that file.
	hidden, hiddenFile string
	// configLoose and credentialsLoose say why another user could change
	// each file (see looseFile), "" when no one else can.
	configLoose, credentialsLoose string
}

// rawOptions read the files as the SDK does, as far as gopkg.in/ini can:
// values are kept whole (mfa_process is a shell command, "#" and all);
// key names are lowercased, as the SDK does (sdkValue cuts comments).
// AllowNonUniqueSections keeps a repeated section apart instead of
// comparing each new name with every section before it, which is
// quadratic in the number of profiles (21 ms of parsing at 5,000);
// sections reads the last repeat first, as the SDK merges them.
var rawOptions = ini.LoadOptions{Loose: true, IgnoreInlineComment: true, InsensitiveKeys: true, SkipUnrecognizableLines: true,
	AllowBooleanKeys: true, AllowNonUniqueSections: true,
	// gopkg.in/ini looks a key missing from [profile a.b] up in [profile a]
	// (a child section); neither the SDK nor the AWS CLI does, and whether
	// the parent was parsed would decide. A delimiter no section name read
	// from one line can hold turns that off.
	ChildSectionDelimiter: "\n"}

func loadRaw(configFile, credsFile string) (*rawConfig, error) {
	r := &rawConfig{configFile: configFile, credentialsFile: credsFile}
	var err error
	var hidden string
	if r.config, hidden, r.configLoose, err = loadRawFile(configFile, "AWS_CONFIG_FILE"); err != nil {
		return nil, err
	}
	if n, ok := strings.CutPrefix(hidden, "profile "); ok || hidden == "default" {
		r.hidden, r.hiddenFile = firstNonEmpty(n, hidden), configFile
	}
	if r.credentials, hidden, r.credentialsLoose, err = loadRawFile(credsFile, "AWS_SHARED_CREDENTIALS_FILE"); err != nil {
		return nil, err
	}
	if hidden != "" && r.hidden == "" {
		r.hidden, r.hiddenFile = hidden, credsFile
	}
	return r, nil
}

// A rawFile is one of the shared files as plain INI. A cold launch reads a
// few profiles of what may be thousands, so a file whose sections can be
// told apart line by line (see splitSections) is parsed by gopkg.in/ini a
// profile at a time, when it is first asked for; any other file is parsed
// whole at once.
type rawFile struct {
	text []byte
	// headers are the raw names of the file's sections, in file order.
	headers []string
	// spans are where each section is in text, by the name the SDK gives
	// it (see sdkSectionName), in file order; nil once parsed whole.
	spans map[string][]span
	// parsed are the sections parsed so far, by the SDK's names, in file
	// order.
	parsed map[string][]*ini.Section
	file   string // for the error of a parse that fails
	whole  bool   // parsed whole
}

// span is a section's text: its header line to the next section's.
type span struct{ start, end int }

func newRawFile(b []byte, file string) (*rawFile, error) {
	f := &rawFile{text: b, file: file, parsed: map[string][]*ini.Section{}}
	headers, starts, ok := splitSections(b)
	if !ok {
		return f, f.parseWhole()
	}
	f.headers, f.spans = headers, make(map[string][]span, len(headers))
	for i, h := range headers {
		if h == ini.DefaultSection {
			continue
		}
		end := len(b)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		n := sdkSectionName(h)
		f.spans[n] = append(f.spans[n], span{starts[i], end})
	}
	return f, nil
}

// parseWhole parses the whole file, in parts of whole sections on every
// CPU when the sections can be told apart: --list reads every profile.
func (f *rawFile) parseWhole() error {
	if f.whole {
		return nil
	}
	parts := [][]byte{f.text}
	if f.spans != nil {
		parts = splitParts(f.text, f.spans, runtime.GOMAXPROCS(0))
	}
	files := make([]*ini.File, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() { files[i], errs[i] = ini.LoadSources(rawOptions, p) })
	}
	wg.Wait()
	f.spans, f.headers, f.parsed = nil, nil, map[string][]*ini.Section{}
	for i, pf := range files {
		if errs[i] != nil {
			// The parser's message is not repeated: it quotes the line,
			// which may hold a secret.
			return parseError("", f.file)
		}
		// Each part's first section is the one before any header, empty
		// but in the first part.
		for _, s := range pf.Sections()[1:] {
			f.headers = append(f.headers, s.Name())
			if s.Name() != ini.DefaultSection {
				n := sdkSectionName(s.Name())
				f.parsed[n] = append(f.parsed[n], s)
			}
		}
	}
	f.whole = true
	return nil
}

// splitParts cuts text into n parts of about equal size, each ending
// where a section starts.
func splitParts(text []byte, spans map[string][]span, n int) [][]byte {
	if n < 2 || len(text) < 64<<10 {
		return [][]byte{text}
	}
	var starts []int
	for _, ss := range spans {
		for _, s := range ss {
			starts = append(starts, s.start)
		}
	}
	slices.Sort(starts)
	var parts [][]byte
	prev := 0
	for k := 1; k < n; k++ {
		i, _ := slices.BinarySearch(starts, len(text)*k/n)
		if i < len(starts) && starts[i] > prev {
			parts = append(parts, text[prev:starts[i]])
			prev = starts[i]
		}
	}
	return append(parts, text[prev:])
}

// named returns the sections the SDK names n, in file order, parsing them
// on first use.
func (f *rawFile) named(n string) []*ini.Section {
	if f.spans == nil {
		return f.parsed[n]
	}
	if secs, ok := f.parsed[n]; ok {
		return secs
	}
	var text []byte
	for _, s := range f.spans[n] {
		text = append(text, f.text[s.start:s.end]...)
	}
	var secs []*ini.Section
	if text != nil {
		pf, err := ini.LoadSources(rawOptions, text)
		if err != nil {
			// splitSections lets no file through on which this fails
			// (FuzzRawFileLazy checks it): should it, the file is parsed
			// whole instead, and a whole parse that fails too leaves
			// the profile without raw sections.
			if f.parseWhole() != nil {
				return nil
			}
			return f.parsed[n]
		}
		secs = pf.Sections()[1:]
	}
	f.parsed[n] = secs
	return secs
}

// splitSections finds the section headers of an INI file as gopkg.in/ini
// reads them with rawOptions: their raw names and where each header's
// line starts. It succeeds only for a file that gopkg.in/ini reads one
// line at a time, each line alone, and without fail, so that parsing a
// section's lines alone gives the same section as parsing the file. ok
// is false for a file with a value or key in """ or ` quotes (which may
// run over lines), a line continued by a backslash, a line that starts
// with a quote (a quoted key; a line of two quotes, a boolean key with no
// name), a header with no ] or no name, or a UTF-16 byte order mark (a
// UTF-8 one is loadRawFile's). The lines are cut and trimmed as
// gopkg.in/ini cuts and trims them; nothing here reads keys or values.
func splitSections(b []byte) (headers []string, starts []int, ok bool) {
	if bytes.HasPrefix(b, []byte{0xFE, 0xFF}) || bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xEF, 0xBB}) ||
		bytes.Contains(b, []byte(`"""`)) || bytes.IndexByte(b, '`') >= 0 {
		return nil, nil, false
	}
	for start := 0; start < len(b); {
		end := len(b)
		if i := bytes.IndexByte(b[start:], '\n'); i >= 0 {
			end = start + i + 1
		}
		line := bytes.TrimLeftFunc(b[start:end], unicode.IsSpace)
		if len(line) > 0 {
			switch line[0] {
			case '"', '\'':
				return nil, nil, false
			case '[':
				closing := bytes.LastIndexByte(line, ']')
				if closing < 2 {
					return nil, nil, false
				}
				headers = append(headers, string(line[1:closing]))
				starts = append(starts, start)
			}
			if bytes.IndexByte(line, '\\') >= 0 {
				if t := bytes.TrimRightFunc(line, unicode.IsSpace); t[len(t)-1] == '\\' {
					return nil, nil, false
				}
			}
		}
		start = end
	}
	return headers, starts, true
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
func loadRawFile(file, setting string) (f *rawFile, hidden, loose string, err error) {
	b, fi, err := readBoundedInfo(file, maxSharedFile, setting)
	if errors.Is(err, fs.ErrNotExist) {
		f, _ := newRawFile(nil, file)
		return f, "", "", nil
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
	if f, err = newRawFile(b, file); err != nil {
		return nil, "", "", err
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
				for _, s := range r.config.named(n) {
					if s.HasKey(key) {
						return r.configFile, r.configLoose
					}
				}
			}
		}
		if r.credentialsLoose != "" {
			for _, s := range r.credentials.named(p) {
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
		out = appendLastFirst(out, r.config.named(n))
	}
	return appendLastFirst(out, r.credentials.named(profile))
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

func (r *rawConfig) value(profile, key string) string { return valueIn(r.sections(profile), key) }

// valueIn is value in a profile's sections, as sections returns them.
func valueIn(secs []*ini.Section, key string) string {
	for _, s := range secs {
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
	for _, h := range r.config.headers {
		name := sdkSectionName(h)
		if n, ok := strings.CutPrefix(name, "profile "); ok {
			add(n)
		} else if name == "default" {
			add("default")
		}
	}
	for _, h := range r.credentials.headers {
		if name := sdkSectionName(h); !strings.HasPrefix(name, "profile ") {
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
