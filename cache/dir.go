package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// InsecureDirError reports a cache or key directory (or the key file) that
// others could read or change, or that cannot be made safely.
type InsecureDirError struct {
	Dir    string
	Reason string
	// What is "cache directory" (when empty), "key directory" or "key file".
	What string
	hint string
}

func (e *InsecureDirError) Error() string {
	what := e.What
	if what == "" {
		what = "cache directory"
	}
	return fmt.Sprintf("%s %s is %s", what, e.Dir, e.Reason)
}

// Hint is the command that fixes it, or what to do instead.
func (e *InsecureDirError) Hint() string { return e.hint }

// parentError is a directory above the cache that another user could change.
type parentError struct {
	Dir, Reason string
}

func (e *parentError) Error() string { return fmt.Sprintf("%s is %s", e.Dir, e.Reason) }

// dirSpec says what openDir opens and how strict it is.
type dirSpec struct {
	what   string      // "cache directory" or "key directory"
	mask   fs.FileMode // permission bits others must not have
	loose  string      // what having a bit of mask means
	chmod  string      // the mode that fixes it, for the hint
	create bool        // make it (and at most its parent) when missing
	// variable moves the directory, for the hint when it is another
	// user's: XDG_CACHE_HOME, or XDG_CONFIG_HOME for the key directory,
	// when empty.
	variable string
	// levels is how many missing directories may be made, dir and those
	// above it; 0 means 2 (dir and its parent).
	levels int
	safe   safeDirs // directories checked already, or nil
}

// safeDirs are directories whose chain up to / passed checkParents in this
// process a moment ago: the cache and key directories share most of
// theirs, and a launch should not pay for them twice.
type safeDirs map[string]bool

// openDir opens dir by handle after checking the directories above it, so
// that every later operation happens in the directory that was checked,
// whatever is renamed or linked in its place afterwards. A missing dir is
// made 0700 when spec.create says so — it and at most its parent, and only
// in a directory the effective user owns.
//
// The checks' error paths are functions of their own, so that openDir's
// frame stays small: a warm launch calls it under the key lookup, the
// deepest point of its stack.
func openDir(dir string, spec dirSpec) (*os.Root, error) {
	if err := checkParents(dir, spec.safe); err != nil {
		if err := spec.parentsError(dir, err); err != nil {
			return nil, err
		}
	}
	fi, err := os.Lstat(dir)
	if err != nil || !fi.IsDir() {
		// Missing (made now, when spec.create says so), a link, or no
		// directory at all.
		if err := spec.notADir(dir, fi, err); err != nil {
			return nil, err
		}
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.what, err)
	}
	// A directory Lstat saw is the one opened: with no directory above it
	// writable by another user, only this user could have swapped it. A
	// link followed, or a directory just made, is checked by its handle.
	if fi == nil || !fi.IsDir() {
		if fi, err = statRoot(root); err != nil {
			root.Close()
			return nil, fmt.Errorf("%s %s: %w", spec.what, dir, err)
		}
	}
	if err := spec.checkOwned(dir, fi); err != nil {
		root.Close()
		return nil, err
	}
	return root, nil
}

// insecure is the error of dir for reason, with the fix hint.
func (spec *dirSpec) insecure(dir, reason, hint string) error {
	return &InsecureDirError{Dir: dir, What: spec.what, Reason: reason, hint: hint}
}

// parentsError is openDir's error for what checkParents found above dir;
// nil for a dir that is missing, and may be made.
func (spec *dirSpec) parentsError(dir string, err error) error {
	var pe *parentError
	if errors.As(err, &pe) {
		return spec.insecure(dir, "inside "+pe.Dir+", which is "+pe.Reason+": another user could swap it",
			fmt.Sprintf("chmod go-w %s, or set %s to a directory of your own", pe.Dir, spec.moveVars()))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s %s: %w", spec.what, dir, err)
	}
	return nil
}

// notADir handles a dir that Lstat did not find to be a directory (fi,
// err): it makes a missing one when spec.create says so, and accepts a
// link of the user's own whose target's directories pass checkParents
// (nil: go on); anything else is the error.
func (spec *dirSpec) notADir(dir string, fi fs.FileInfo, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !spec.create {
			return fmt.Errorf("%s %s: %w", spec.what, dir, fs.ErrNotExist)
		}
		levels := spec.levels
		if levels == 0 {
			levels = 2
		}
		if err := makeDir(dir, levels); err != nil {
			var ie *InsecureDirError
			if errors.As(err, &ie) {
				ie.Dir, ie.What = dir, spec.what
				if spec.variable != "" {
					ie.hint = strings.ReplaceAll(strings.ReplaceAll(ie.hint, "XDG_CACHE_HOME and XDG_CONFIG_HOME to directories", spec.variable+" to a directory"), "XDG_CACHE_HOME", spec.variable)
				}
				return ie
			}
			return fmt.Errorf("create %s: %w", spec.what, err)
		}
	case err != nil:
		return fmt.Errorf("%s: %w", spec.what, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(dir)
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return spec.insecure(dir, fmt.Sprintf("a symbolic link to %s, which does not exist", target),
				fmt.Sprintf("mkdir -m 700 -p %s, or remove the link: rm %s", target, dir))
		}
		// A link of the user's own (in a checked directory) may point
		// elsewhere; the directories its target lies in are checked too.
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.what, err)
		}
		if err := checkParents(real, spec.safe); err != nil {
			return spec.insecure(dir, "a symbolic link to "+real+", which is not safe: "+err.Error(),
				"set "+spec.moveVars()+" to a directory of your own")
		}
	default:
		return spec.insecure(dir, "not a directory", fmt.Sprintf("remove it (rm %s) and awsrun makes the directory", dir))
	}
	return nil
}

// statRoot is what root's handle is: a directory, or an error.
func statRoot(root *os.Root) (fs.FileInfo, error) {
	fi, err := root.Stat(".")
	if err == nil && !fi.IsDir() {
		err = errors.New("not a directory")
	}
	return fi, err
}

// checkOwned refuses a dir (its handle's fi) of another user, or one
// group or others have the bits of spec.mask on.
func (spec *dirSpec) checkOwned(dir string, fi fs.FileInfo) error {
	if uid, ok := owner(fi); ok && uid != effectiveUID() {
		variable := spec.variable
		switch {
		case variable != "":
		case spec.what == "key directory":
			variable = "XDG_CONFIG_HOME"
		default:
			variable = "XDG_CACHE_HOME"
		}
		hint := "it is another user's: set " + variable + " to a directory of your own"
		if spec.variable == "" {
			hint += ", or run with --no-cache" // the cache's and its key's directories
		}
		return spec.insecure(dir, insecureReason(fi, spec.mask, ""), hint)
	}
	if reason := insecureReason(fi, spec.mask, spec.loose); reason != "" {
		return spec.insecure(dir, reason, fmt.Sprintf("chmod %s %s", spec.chmod, dir))
	}
	return nil
}

// moveVars names the variables that move the directory, for hints.
func (spec dirSpec) moveVars() string {
	if spec.variable != "" {
		return spec.variable
	}
	return "XDG_CACHE_HOME (XDG_CONFIG_HOME for the key)"
}

// makeDir makes dir 0700, and its parent when missing if levels allows:
// never a whole path, so HOME=/nonexistent makes nothing.
func makeDir(dir string, levels int) error {
	parent := filepath.Dir(dir)
	pfi, err := os.Stat(parent)
	if errors.Is(err, fs.ErrNotExist) && levels > 1 && parent != dir {
		if err := makeDir(parent, levels-1); err != nil {
			return err
		}
		pfi, err = os.Stat(parent)
	}
	if err != nil {
		return &InsecureDirError{Reason: fmt.Sprintf("missing, and so is %s: not creating either", parent),
			hint: fmt.Sprintf("check HOME and XDG_CACHE_HOME, or create it: mkdir -m 700 -p %s", dir)}
	}
	if err := mayCreateIn(pfi); err != nil {
		return &InsecureDirError{Reason: "missing, and " + err.Error() + ": not creating it",
			hint: "run awsrun as the user who owns it, or set XDG_CACHE_HOME and XDG_CONFIG_HOME to directories of your own"}
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	// Mkdir's mode passes through the umask; say what we mean, through a
	// handle on what was made rather than its name.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	d, err := root.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	fi, err := d.Stat()
	if err != nil {
		return err
	}
	if uid, ok := owner(fi); ok && uid != effectiveUID() {
		return nil // not ours after all: the caller's check says so
	}
	if fi.Mode().Perm() != 0o700 {
		return d.Chmod(0o700)
	}
	return nil
}

// effectiveUID is os.Geteuid, asked once: awsrun never changes its uid, and
// a launch checks ownership a handful of times.
var effectiveUID = sync.OnceValue(os.Geteuid)
