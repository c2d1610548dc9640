package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"golang.org/x/term"

	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/keys"

	"github.com/awsrun/awsrun/internal/pattern"
)

// --keys: long-term access keys out of the plain text credentials file,
// into awsrun's key store (package keys), and their rotation through IAM.

var (
	// ^AKIA[A-Z0-9]{12,124}$ and ^[A-Za-z0-9+/=]{16,128}$, compiled on
	// first use and with the bounds counted apart: bounded repeats unroll,
	// and these cost every start of awsrun-core.
	keyIDPattern  = pattern.New(`^AKIA[A-Z0-9]+$`, 16, 128)
	secretPattern = pattern.New(`^[A-Za-z0-9+/=]+$`, 16, 128)
)

func (a *app) keys(ctx context.Context) error {
	o := a.opts
	if o.JSON && o.Keys != "list" {
		return cli.UsageError{Err: errors.New("--json goes with --keys list")}
	}
	profile := a.inv.Profile
	switch o.Keys {
	case "list":
		return a.keysList()
	case "import":
		return a.keysImport(ctx, profile)
	case "add":
		return a.keysAdd(profile)
	case "remove":
		return a.keysRemove(profile)
	case "rotate":
		return a.keysRotate(ctx, profile)
	}
	return cli.UsageError{Err: fmt.Errorf("unknown --keys verb %q (want add, import, rotate, remove or list)", o.Keys)}
}

// keyStore opens the key store once per run, so its passphrase is asked
// once at most.
func (a *app) keyStore() (*keys.Store, error) {
	if a.keyring != nil {
		return a.keyring, nil
	}
	o := keys.Options{Getenv: a.getenv, Keyring: keys.OSKeyring{}}
	if v := a.getenv("AWSRUN_KEYS_WORK_FACTOR"); v != "" {
		// Lower only for tests: scrypt's cost is the store's defence.
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || n > 22 {
			return nil, cli.UsageError{Err: fmt.Errorf("AWSRUN_KEYS_WORK_FACTOR=%q is not a number from 10 to 22", v)}
		}
		o.WorkFactor = n
	}
	s, err := keys.Open(o)
	if err != nil {
		return nil, err
	}
	a.keyring = s
	return s, nil
}

// keyStoreName is creds.LoadOptions.KeyStore: where the key store is.
func (a *app) keyStoreName() string {
	s, err := a.keyStore()
	if err != nil {
		return ""
	}
	return s.Name()
}

// storedKeys is creds.LoadOptions.Keys: a profile's keys from the store.
func (a *app) storedKeys(profile string) (creds.Credentials, bool, error) {
	s, err := a.keyStore()
	if err != nil {
		return creds.Credentials{}, false, err
	}
	if s.NeedsPassphrase() {
		// Asked only to check that keys the file holds are not stored too:
		// not worth a passphrase on every cold run of such a profile.
		if content, _, err := readCredentialsFile(a.credentialsFile()); err == nil {
			if _, _, err := keys.FileKeys(content, profile); err == nil {
				return creds.Credentials{}, false, nil
			}
		}
	}
	e, ok, err := s.Get(profile)
	if err != nil || !ok {
		return creds.Credentials{}, false, err
	}
	a.logf("%s: access key %s from the key store (%s)", profile, warm.MaskKeyID(e.AccessKeyID), s.Name())
	return creds.Credentials{AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey}, true, nil
}

// configFile is the shared config file.
func configFile(a *app) string {
	return cmp.Or(a.getenv("AWS_CONFIG_FILE"), config.DefaultSharedConfigFilename())
}

// credentialsFile is the shared credentials file, symlinks followed so a
// rewrite replaces the file and not the link.
func (a *app) credentialsFile() string {
	p := a.getenv("AWS_SHARED_CREDENTIALS_FILE")
	if p == "" {
		p = config.DefaultSharedCredentialsFilename()
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real
	}
	return p
}

// readCredentialsFile reads the file with its mode as every reader of it
// in awsrun does: bounded, and never blocking on a FIFO or a device.
func readCredentialsFile(path string) ([]byte, fs.FileMode, error) {
	return creds.ReadSharedFile(path, "AWS_SHARED_CREDENTIALS_FILE")
}

// keysError is a --keys failure with its fix.
type keysError struct {
	profile string
	err     error
	fix     string
}

func (e *keysError) Error() string { return "profile " + e.profile + ": " + e.err.Error() }
func (e *keysError) Unwrap() error { return e.err }
func (e *keysError) Hint() string  { return e.fix }

func (a *app) note(format string, args ...any) {
	fmt.Fprintf(a.stderr, "awsrun: "+format+"\n", args...)
}

// sdkFileKeys is what the SDK reads as profile's keys in the credentials
// file alone: import and rotate rewrite lines only when their reading of
// the file agrees with it.
func sdkFileKeys(ctx context.Context, path, profile string) (id, secret, token string, err error) {
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{}
		o.CredentialsFiles = []string{path}
	})
	if err != nil {
		return "", "", "", err
	}
	return sc.Credentials.AccessKeyID, sc.Credentials.SecretAccessKey, sc.Credentials.SessionToken, nil
}

// noSectionFix is the hint for a profile with no section in the
// credentials file: the profile to name, when the one asked for is a
// role whose keys are its source's, or was not named at all.
func noSectionFix(ctx context.Context, configFile, path, profile string) string {
	list := "awsrun --keys list shows the profiles that have keys"
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{configFile}, []string{path}
	})
	source := sc.SourceProfileName
	var assume config.SharedConfigAssumeRoleError // the source has no keys in the file: the usual case here
	if errors.As(err, &assume) {
		source = assume.Profile
	} else if err != nil {
		source = ""
	}
	if source != "" && source != profile {
		return fmt.Sprintf("%s takes its keys from its source_profile: awsrun --keys import -p %s; %s", profile, source, list)
	}
	return "name the profile whose keys to move: awsrun --keys import -p PROFILE; " + list
}

// fileKeyLines finds profile's keys in the credentials file as text, and
// checks that the SDK reads the same keys there.
func fileKeyLines(ctx context.Context, a *app, path, profile string) (content []byte, mode fs.FileMode, id string, err error) {
	content, mode, err = readCredentialsFile(path)
	if err != nil {
		fix := "check the file's permissions"
		if h := cli.Hint(err); h != "" {
			fix = h
		}
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("cannot read %s: %w", path, err)
		}
		return nil, 0, "", &keysError{profile, err, fix}
	}
	id, secret, err := keys.FileKeys(content, profile)
	switch {
	case errors.Is(err, keys.ErrNoSection):
		return nil, 0, "", &keysError{profile, fmt.Errorf("%s has no [%s] section", path, profile), noSectionFix(ctx, configFile(a), path, profile)}
	case errors.Is(err, keys.ErrNoKeysInFile) && creds.KeysMovedIn(content, profile):
		return nil, 0, "", &keysError{profile, fmt.Errorf("the keys of [%s] are already in the key store: %s holds awsrun's comment that they were moved", profile, path),
			"awsrun --keys list shows the stored keys; awsrun --keys rotate -p " + profile + " replaces the stored key with a new one"}
	case errors.Is(err, keys.ErrNoKeysInFile):
		return nil, 0, "", &keysError{profile, fmt.Errorf("[%s] in %s holds no keys", profile, path), "awsrun --keys add -p " + profile + " stores keys you type in; awsrun --keys list shows the stored ones"}
	}
	if err != nil {
		return nil, 0, "", &keysError{profile, fmt.Errorf("%s: %w", path, err), "fix the file by hand so that [" + profile + "] appears once with one aws_access_key_id and one aws_secret_access_key line, then run again"}
	}
	sid, ssecret, token, serr := sdkFileKeys(ctx, path, profile)
	if serr != nil {
		return nil, 0, "", &keysError{profile, fmt.Errorf("the AWS SDK cannot read [%s] in %s: %w", profile, path, serr), "fix what the SDK names in [" + profile + "], then run again"}
	}
	if sid != id || ssecret != secret {
		return nil, 0, "", &keysError{profile, fmt.Errorf("the AWS SDK reads [%s] in %s differently than awsrun does", profile, path), "simplify the section (one key = value per line, no quotes), then run again"}
	}
	if token != "" || !keyIDPattern.MatchString(id) {
		return nil, 0, "", &keysError{profile, fmt.Errorf("[%s] in %s holds temporary credentials, not an IAM user's access key", profile, path), "only long-term keys (AKIA…) go into the key store"}
	}
	return content, mode, id, nil
}

func (a *app) keysImport(ctx context.Context, profile string) error {
	path := a.credentialsFile()
	content, mode, id, err := fileKeyLines(ctx, a, path, profile)
	if err != nil {
		return err
	}
	s, err := a.keyStore()
	if err != nil {
		return err
	}
	comment := creds.MovedKeysComment(profile, s.Kind(), time.Now())
	rewritten, id2, secret, err := keys.ExtractKeys(content, profile, comment)
	if err != nil {
		return &keysError{profile, fmt.Errorf("cannot take the keys out of %s: %w", path, err), "fix the file by hand so that [" + profile + "] appears once with one aws_access_key_id and one aws_secret_access_key line, then run again"}
	}
	if id2 != id {
		return &keysError{profile, fmt.Errorf("%s changed while awsrun read it", path), "run again"}
	}
	existing, had, err := s.Get(profile)
	if err != nil {
		return err
	}
	if had && existing.AccessKeyID != id {
		return &keysError{profile, fmt.Errorf("the key store already holds another key (%s) than %s's (%s)", warm.MaskKeyID(existing.AccessKeyID), path, warm.MaskKeyID(id)),
			"keep one: awsrun --keys remove -p " + profile + " and import again, or delete the two lines from " + path}
	}
	if !had {
		if err := s.Put(keys.Entry{Profile: profile, AccessKeyID: id, SecretAccessKey: secret, Created: time.Now().UTC()}); err != nil {
			return err
		}
	}
	if err := keys.WriteFileAtomic(path, rewritten, mode); err != nil {
		if !had {
			_, _ = s.Remove(profile) // the keys stay where they were, once
		}
		return &keysError{profile, fmt.Errorf("cannot rewrite %s: %w; the keys stay in it", path, err), "check that the directory of the file is writable"}
	}
	a.note("moved the key %s of %s from %s to the key store (%s)", warm.MaskKeyID(id), profile, path, s.Name())
	return nil
}

func (a *app) keysAdd(profile string) error {
	path := a.credentialsFile()
	if content, _, err := readCredentialsFile(path); err == nil {
		if id, _, err := keys.FileKeys(content, profile); err == nil {
			return &keysError{profile, fmt.Errorf("%s already holds a key (%s) for it", path, warm.MaskKeyID(id)), "awsrun --keys import -p " + profile + " moves it into the key store"}
		}
	}
	s, err := a.keyStore()
	if err != nil {
		return err
	}
	if e, ok, err := s.Get(profile); err != nil {
		return err
	} else if ok {
		return &keysError{profile, fmt.Errorf("the key store already holds a key (%s) for it", warm.MaskKeyID(e.AccessKeyID)), "awsrun --keys rotate -p " + profile + " replaces it with a new one; awsrun --keys remove -p " + profile + " forgets it"}
	}
	id, secret, err := readKeys(profile)
	if err != nil {
		return err
	}
	if err := s.Put(keys.Entry{Profile: profile, AccessKeyID: id, SecretAccessKey: secret, Created: time.Now().UTC()}); err != nil {
		return err
	}
	a.note("stored the key %s of %s in the key store (%s)", warm.MaskKeyID(id), profile, s.Name())
	if cfg := configFile(a); !profileInFiles(context.Background(), cfg, path, profile) {
		// Stored all the same: the profile may be written next.
		fmt.Fprintf(a.stderr, "awsrun: warning: profile %s is in neither %s nor %s: runs find the key only through a profile of that name; add [profile %s] to %s, or name it in a role's source_profile\n",
			profile, cfg, path, profile, cfg)
	}
	return nil
}

// profileInFiles reports whether the SDK finds profile in the shared files.
func profileInFiles(ctx context.Context, configFile, credsFile, profile string) bool {
	_, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{configFile}, []string{credsFile}
	})
	var missing config.SharedConfigProfileNotExistError
	return !errors.As(err, &missing) || missing.Profile != profile
}

// readKeys asks for a key on the terminal, the secret not echoed; when
// stdin is not a terminal it reads the id and the secret, one per line,
// from stdin (a password manager's output, say).
func readKeys(profile string) (id, secret string, err error) {
	if term.IsTerminal(int(os.Stdin.Fd())) {
		if id, err = keys.Ask("Access key id for "+profile+": ", "the access key id", true); err == nil {
			secret, err = keys.Ask("Secret access key for "+profile+" (not shown): ", "the secret access key", false)
		}
		id, secret = strings.TrimSpace(id), strings.TrimSpace(secret) // copied with a space around, say
		var ie *creds.InterruptedError
		if errors.As(err, &ie) {
			return "", "", err // ends awsrun as the signal would
		}
		if err != nil {
			return "", "", &keysError{profile, err, "run it from a terminal, or pipe the access key id and the secret, one per line, to its stdin"}
		}
	} else {
		sc := bufio.NewScanner(io.LimitReader(os.Stdin, 4096))
		var lines []string
		for len(lines) < 2 && sc.Scan() {
			lines = append(lines, strings.TrimSpace(sc.Text()))
		}
		if len(lines) < 2 {
			return "", "", &keysError{profile, errors.New("stdin did not hold two lines: the access key id, then the secret access key"), "printf '%s\\n%s\\n' \"$ID\" \"$SECRET\" | awsrun --keys add -p " + profile}
		}
		id, secret = lines[0], lines[1]
	}
	if !keyIDPattern.MatchString(id) {
		return "", "", &keysError{profile, errors.New("the access key id is not an IAM user's (AKIA and 16 or more capitals and digits)"), "copy the id from the IAM console or from aws iam create-access-key"}
	}
	if !secretPattern.MatchString(secret) {
		return "", "", &keysError{profile, errors.New("the secret access key is not 40-odd letters, digits, + and /"), "copy the secret as IAM showed it when the key was made"}
	}
	return id, secret, nil
}

func (a *app) keysRemove(profile string) error {
	s, err := a.keyStore()
	if err != nil {
		return err
	}
	e, ok, err := s.Get(profile)
	if err == nil && ok {
		ok, err = s.Remove(profile)
	}
	if err != nil {
		return err
	}
	if !ok {
		return &keysError{profile, fmt.Errorf("the key store (%s) holds no key for it", s.Name()), "awsrun --keys list shows the stored keys"}
	}
	a.note("removed the key %s of %s from the key store (%s); it still exists in IAM", warm.MaskKeyID(e.AccessKeyID), profile, s.Name())
	return nil
}

// keyListing is one line of --keys list.
type keyListing struct {
	Profile     string     `json:"profile"`
	AccessKeyID string     `json:"access_key_id"` // masked
	Created     *time.Time `json:"created"`       // nil for keys in the credentials file
	AgeDays     *int       `json:"age_days"`
	Store       string     `json:"store"`
}

// keysList shows the stored keys, and the keys still in plain text in
// the credentials file, which --keys import would move.
func (a *app) keysList() error {
	s, err := a.keyStore()
	if err != nil {
		return err
	}
	entries, err := s.List()
	if err != nil {
		return err
	}
	now := time.Now()
	out := []keyListing{}
	for _, e := range entries {
		created := e.Created.UTC()
		age := int(now.Sub(created).Hours() / 24)
		out = append(out, keyListing{Profile: e.Profile, AccessKeyID: warm.MaskKeyID(e.AccessKeyID), Created: &created, AgeDays: &age, Store: s.Name()})
	}
	path := a.credentialsFile()
	if content, _, err := readCredentialsFile(path); err == nil {
		profiles, _ := creds.ListProfiles(creds.LoadOptions{Getenv: a.getenv})
		for _, p := range profiles {
			if id, _, err := keys.FileKeys(content, p.Name); err == nil {
				out = append(out, keyListing{Profile: p.Name, AccessKeyID: warm.MaskKeyID(id), Store: "plain text " + path})
			}
		}
	}
	if a.opts.JSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(out) == 0 {
		fmt.Fprintf(a.stdout, "no keys in the key store (%s) or in %s\n", s.Name(), path)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tKEY\tAGE\tSTORE")
	for _, l := range out {
		age := "-"
		if l.AgeDays != nil {
			age = strconv.Itoa(*l.AgeDays) + "d"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Profile, l.AccessKeyID, age, l.Store)
	}
	return tw.Flush()
}
