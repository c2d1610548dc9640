package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/adrg/xdg"

	"github.com/awsrun/awsrun/cache"
)

// The sign-in URL carries a token that signs in as the role: any local
// user can read a process's arguments (/proc/PID/cmdline, ps), so the URL
// is never an argument of the browser. The browser is given a page of the
// user's own instead, in a directory only they can enter, that sends it on
// to the URL; awsrun removes the page once the browser has read it.

const (
	// pageLife is how long a page stays for a browser that has not read
	// it yet: a browser started cold can take seconds to open a tab.
	pageLife = 15 * time.Second
	// pageStale is the age past which a page left by an awsrun that was
	// killed is removed by the next console sign-in.
	pageStale  = time.Minute
	pagePrefix = "signin-"
	pageSuffix = ".html"
)

// signinDir is where the pages go: $XDG_RUNTIME_DIR/awsrun (private to
// the user, and emptied when they log out) when there is one, else the
// directory next to the cache. Never a shared temporary directory. A
// runtime directory that is not there (su without a login session) is
// passed over: awsrun does not make it.
func signinDir(getenv func(string) string) (dir, variable string) {
	if rt := getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(rt) {
		if fi, err := os.Stat(rt); err == nil && fi.IsDir() {
			return filepath.Join(rt, "awsrun"), "XDG_RUNTIME_DIR"
		}
	}
	return filepath.Join(xdg.CacheHome, "awsrun-signin"), "XDG_CACHE_HOME"
}

// signinPage is a page written for the browser.
type signinPage struct {
	root *os.Root
	name string
	Path string // absolute
}

// writeSigninPage writes a page that redirects to loginURL, 0600 in a
// private directory, and removes the pages earlier runs left behind.
func writeSigninPage(loginURL string, getenv func(string) string) (*signinPage, error) {
	dir, variable := signinDir(getenv)
	root, err := cache.OpenPrivateDir(cache.PrivateDir{Dir: dir, What: "sign-in page directory", Variable: variable, Create: true})
	if err != nil {
		return nil, err
	}
	removeStalePages(root, time.Now())
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		root.Close()
		return nil, err
	}
	name := pagePrefix + hex.EncodeToString(rnd[:]) + pageSuffix
	f, err := cache.OpenPrivateFile(root, name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("sign-in page in %s: %w", dir, err)
	}
	_, werr := f.WriteString(redirectPage(loginURL))
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	p := &signinPage{root: root, name: name, Path: filepath.Join(dir, name)}
	if werr != nil {
		p.Remove()
		return nil, fmt.Errorf("sign-in page %s: %w", p.Path, werr)
	}
	return p, nil
}

// redirectPage sends the browser on to target at once, by script and by
// meta refresh, and offers a link when both are off.
func redirectPage(target string) string {
	h := html.EscapeString(target)
	js := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "<", `\x3c`, ">", `\x3e`, "\n", "", "\r", "").Replace(target)
	return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=` + h + `">
<title>AWS console sign-in</title>
<script>location.replace("` + js + `");</script>
</head><body><p><a href="` + h + `">Continue to the AWS console</a></p></body></html>
`
}

// URL is the page's file:// URL, the browser's argument.
func (p *signinPage) URL() string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p.Path)}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // C:/… on Windows
	}
	return u.String()
}

// Read reports whether the page has been read since it was written: its
// access time moved past its modification time. A file system mounted
// noatime never says so; the caller then waits pageLife.
func (p *signinPage) Read() bool {
	fi, err := p.root.Stat(p.name)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	at, ok := accessTime(fi)
	return ok && at.After(fi.ModTime())
}

// Remove removes the page and closes its directory.
func (p *signinPage) Remove() {
	p.root.Remove(p.name)
	p.root.Close()
}

// waitAndRemove gives the browser until pageLife to read the page, and
// removes it.
func (p *signinPage) waitAndRemove(start time.Time) {
	defer p.Remove()
	for time.Since(start) < pageLife {
		if p.Read() {
			time.Sleep(500 * time.Millisecond) // a reader that reads twice (a reload) reads a whole page
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// removeStalePages removes the pages older than pageStale: those of an
// awsrun killed while it waited.
func removeStalePages(root *os.Root, now time.Time) {
	d, err := root.Open(".")
	if err != nil {
		return
	}
	defer d.Close()
	entries, err := d.ReadDir(-1)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), pagePrefix) || !strings.HasSuffix(e.Name(), pageSuffix) {
			continue
		}
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > pageStale {
			root.Remove(e.Name())
		}
	}
}
