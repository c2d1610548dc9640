package keys

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds"
)

const (
	fileName = "keys.age"
	lockName = "keys.lock"
	// maxFileSize bounds what is read: a few hundred bytes per profile.
	maxFileSize = 1 << 20
	// lockWait bounds the wait for another awsrun writing the file.
	lockWait = 30 * time.Second
	// fileVersion is the layout of the decrypted document.
	fileVersion = 1
)

// document is the decrypted file.
type document struct {
	Version int              `json:"version"`
	Entries map[string]Entry `json:"entries"`
}

// fileStore is the passphrase-encrypted file. The passphrase is asked for
// once and the entries decrypted once per process.
type fileStore struct {
	dir        string
	o          *Options
	passphrase string
	doc        *document
	cipher     []byte // the file as doc was decrypted from, nil for a new store
}

func (f *fileStore) path() string { return filepath.Join(f.dir, fileName) }

func (f *fileStore) name() string { return KindFile + " " + f.path() }

func (f *fileStore) exists() bool {
	_, err := os.Lstat(f.path())
	return err == nil
}

// fail is an error of the store, with fix or, for a failure with no
// better advice, a look at the file.
func (f *fileStore) fail(err error, fix string) error {
	if fix == "" {
		fix = "check " + f.path() + " and the file system it is on, then try again"
	}
	return &Error{Err: fmt.Errorf("key store %s: %w", f.path(), err), Fix: fix}
}

// secret returns the passphrase: AWSRUN_KEYS_PASSPHRASE, else asked once.
func (f *fileStore) secret(create bool) (string, error) {
	if f.passphrase != "" {
		return f.passphrase, nil
	}
	p := f.o.Getenv("AWSRUN_KEYS_PASSPHRASE")
	if p == "" {
		prompt := "Passphrase for the awsrun key store " + f.path() + ": "
		if create {
			prompt = "New passphrase for the awsrun key store " + f.path() + ": "
		}
		var err error
		if p, err = f.o.Passphrase(prompt, create); err != nil {
			if errors.Is(err, creds.ErrNoTerminal) {
				return "", f.fail(err, "set AWSRUN_KEYS_PASSPHRASE, or run awsrun from a terminal")
			}
			return "", err
		}
	}
	if p == "" {
		return "", f.fail(errors.New("the passphrase is empty"), "type a passphrase, or set AWSRUN_KEYS_PASSPHRASE")
	}
	f.passphrase = p
	return p, nil
}

// load decrypts the file once; a missing file is an empty store.
func (f *fileStore) load() (*document, error) {
	if f.doc != nil {
		return f.doc, nil
	}
	b, err := f.read()
	if errors.Is(err, fs.ErrNotExist) {
		f.doc, f.cipher = &document{Version: fileVersion, Entries: map[string]Entry{}}, nil
		return f.doc, nil
	}
	if err != nil {
		return nil, err
	}
	return f.decrypt(b)
}

// decrypt opens the ciphertext b, asking for the passphrase if need be.
func (f *fileStore) decrypt(b []byte) (*document, error) {
	pass, err := f.secret(false)
	if err != nil {
		return nil, err
	}
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, f.fail(err, "")
	}
	r, err := age.Decrypt(bytes.NewReader(b), id)
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		f.passphrase = ""
		return nil, f.fail(errors.New("wrong passphrase"), "type the passphrase the store was made with (AWSRUN_KEYS_PASSPHRASE, if set, must be it)")
	}
	if err != nil {
		return nil, f.fail(errors.New("not an age-encrypted key store, or damaged"), "move the file away and add the keys again (awsrun --keys add)")
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, f.fail(errors.New("the file is damaged (it does not decrypt to the end)"), "move the file away and add the keys again (awsrun --keys add)")
	}
	var d document
	if len(plain) > maxFileSize || json.Unmarshal(plain, &d) != nil || d.Version != fileVersion {
		return nil, f.fail(errors.New("the decrypted store is not one this awsrun reads"), "use the awsrun that wrote it, or move the file away and add the keys again")
	}
	clear(plain)
	if d.Entries == nil {
		d.Entries = map[string]Entry{}
	}
	for p, e := range d.Entries {
		e.Profile = p
		d.Entries[p] = e
	}
	f.doc, f.cipher = &d, b
	return f.doc, nil
}

// openDir opens the store's directory by handle, with the checks the
// cache applies to its own: it and every directory above it the user's
// (or root's) and writable by no one else, so that no other user can swap,
// plant or delete keys.age — the only copy of the secrets it holds. Others
// may read the directory (keys.age itself is 0600). A missing directory is
// made 0700 when create says so, as the cache makes its own, with at most
// the two above it ($XDG_DATA_HOME defaults to ~/.local/share).
func (f *fileStore) openDir(create bool) (*os.Root, error) {
	return cache.OpenPrivateDir(cache.PrivateDir{Dir: f.dir, What: "key store directory", Variable: "XDG_DATA_HOME",
		Create: create, Levels: 3, OthersMayRead: true})
}

// dirFail wraps an error of openDir, keeping the hint of an unsafe
// directory.
func (f *fileStore) dirFail(err error) error {
	fix := "check the directory's permissions"
	if h, ok := err.(interface{ Hint() string }); ok && h.Hint() != "" {
		fix = h.Hint()
	}
	return f.fail(err, fix)
}

// read returns the ciphertext, refusing a file others could read or swap:
// opened through the checked directory's handle, never following a link
// or blocking on a FIFO, then checked to be a private regular file of the
// user's by its handle, so nothing can be swapped between check and read.
func (f *fileStore) read() ([]byte, error) {
	root, err := f.openDir(false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, f.dirFail(err)
	}
	defer root.Close()
	file, err := cache.OpenPrivateFile(root, fileName, os.O_RDONLY, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, f.fail(err, "chmod 600 "+f.path()+" if it is yours; else move it away")
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, maxFileSize+1))
	if err != nil {
		return nil, f.fail(err, "")
	}
	if len(b) > maxFileSize {
		return nil, f.fail(fmt.Errorf("larger than %d bytes", maxFileSize), "move it away: awsrun writes a few hundred bytes per profile")
	}
	return b, nil
}

// update changes the entries under the file's lock and writes them back.
// On failure the entries are read again next time: the change is not on
// disk.
func (f *fileStore) update(change func(d *document) bool) (err error) {
	defer func() {
		if err != nil {
			f.doc, f.cipher = nil, nil
		}
	}()
	root, err := f.openDir(true)
	if err != nil {
		return f.dirFail(err)
	}
	defer root.Close()
	lock, err := cache.OpenPrivateFile(root, lockName, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return f.fail(fmt.Errorf("lock: %w", err), "remove "+filepath.Join(f.dir, lockName)+" if it is not a file of yours")
	}
	defer lock.Close() // releases the lock
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	for {
		ok, err := cache.TryLock(lock)
		if err != nil {
			// Not another awsrun: the system refuses the lock itself
			// (a read-only or network file system, say).
			return f.fail(fmt.Errorf("cannot lock %s: %w", filepath.Join(f.dir, lockName), err),
				"keep the key store on a local, writable file system (XDG_DATA_HOME)")
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return f.fail(errors.New("another awsrun holds the key store's lock"), "wait for it to finish, then try again")
		case <-time.After(50 * time.Millisecond):
		}
	}
	create := !f.exists()
	// Another process may have written the file since it was read: read
	// it again, and decrypt it again (a second of scrypt) only if it
	// changed.
	var d *document
	b, err := f.read()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f.doc, f.cipher = nil, nil
		d, err = f.load()
	case err != nil:
	case f.doc != nil && f.cipher != nil && bytes.Equal(b, f.cipher):
		d = f.doc
	default:
		d, err = f.decrypt(b)
	}
	if err != nil {
		return err
	}
	if !change(d) {
		return nil
	}
	pass, err := f.secret(create)
	if err != nil {
		return err
	}
	return f.write(root, d, pass)
}

func (f *fileStore) write(root *os.Root, d *document, pass string) error {
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return f.fail(err, "")
	}
	if f.o.WorkFactor > 0 {
		r.SetWorkFactor(f.o.WorkFactor)
	}
	plain, err := json.Marshal(d)
	if err != nil {
		return f.fail(err, "")
	}
	defer clear(plain)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err == nil {
		_, err = w.Write(plain)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return f.fail(err, "")
	}
	if err := cache.WritePrivateFile(root, fileName, buf.Bytes()); err != nil {
		return f.fail(err, "check that the directory is writable")
	}
	syncDir(f.dir)
	f.cipher = buf.Bytes()
	return nil
}

func (f *fileStore) get(profile string) (Entry, bool, error) {
	d, err := f.load()
	if err != nil {
		return Entry{}, false, err
	}
	e, ok := d.Entries[profile]
	return e, ok, nil
}

func (f *fileStore) put(e Entry) error {
	return f.update(func(d *document) bool {
		stored := e
		stored.Profile = ""
		stored.Created = e.Created.UTC()
		d.Entries[e.Profile] = stored
		return true
	})
}

func (f *fileStore) remove(profile string) (bool, error) {
	found := false
	err := f.update(func(d *document) bool {
		_, found = d.Entries[profile]
		delete(d.Entries, profile)
		return found
	})
	return found, err
}

func (f *fileStore) list() ([]Entry, error) {
	d, err := f.load()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(d.Entries))
	for p, e := range d.Entries {
		e.Profile = p
		out = append(out, e)
	}
	return out, nil
}

// WriteFileAtomic replaces path with data: a temporary file in the same
// directory, written, fsynced and renamed over path, so a reader sees the
// old file or the new one, never part of either, and a crash leaves no
// partial file. The temporary file is removed on every failure.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}
