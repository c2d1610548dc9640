package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/internal/cli"
)

// listing is what --list shows; --list --json prints it as it is, for
// scripts and shell prompts. Entries hold no secret: kinds, labels
// (profile and ARN) and expiry times.
type listing struct {
	Profiles []listedProfile `json:"profiles"`
	Cache    listedCache     `json:"cache"`
	Entries  []listedEntry   `json:"entries"`
}

type listedProfile struct {
	Name          string `json:"name"`
	RoleARN       string `json:"role_arn"`
	SourceProfile string `json:"source_profile"`
	MFASerial     string `json:"mfa_serial"`
}

type listedCache struct {
	Dir      string `json:"dir"`
	KeyStore string `json:"key_store"`
	Error    string `json:"error,omitempty"` // why the cache cannot be used
}

type listedEntry struct {
	Kind        cache.Kind `json:"kind"` // source, session, role, eks-token
	Label       string     `json:"label"`
	Expires     string     `json:"expires"`      // RFC 3339, UTC
	SecondsLeft int64      `json:"seconds_left"` // 0 once expired
	Refresh     bool       `json:"refresh"`      // within the refresh margin: the next run replaces it
}

// listJSON prints the listing as one JSON document.
func (a *app) listJSON() error {
	read := a.readCache(func(m string) { fmt.Fprintf(a.stderr, "awsrun: %s\n", m) })
	profiles, err := creds.ListProfiles(creds.LoadOptions{Getenv: a.getenv})
	got := <-read
	if err != nil {
		return err
	}
	l := listing{Profiles: []listedProfile{}, Entries: []listedEntry{}}
	for _, p := range profiles {
		l.Profiles = append(l.Profiles, listedProfile(p))
	}
	s, err := got.s, got.err
	switch {
	case errors.Is(err, fs.ErrNotExist):
		l.Cache.Dir = cache.DefaultDir() // nothing cached yet
	case err != nil:
		var insecure *cache.InsecureDirError
		if errors.As(err, &insecure) {
			l.Cache.Dir = insecure.Dir
		}
		l.Cache.Error = err.Error()
	default:
		l.Cache.Dir = s.Dir()
		// A cache that cannot be read still leaves the profiles worth
		// listing: the error goes in the listing, not in place of it.
		entries, err := got.entries, got.listErr
		if err != nil {
			l.Cache.Error = err.Error()
		}
		if l.Cache.KeyStore, err = s.KeyStore(); err != nil && l.Cache.Error == "" && !errors.Is(err, cache.ErrNoKey) {
			l.Cache.Error = "key store unavailable: " + err.Error()
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Entry.Expires.Before(entries[j].Entry.Expires) })
		now := time.Now()
		for _, e := range entries {
			if !e.Entry.Kind.Credentials() {
				continue
			}
			left := max(e.Entry.Expires.Sub(now), 0)
			l.Entries = append(l.Entries, listedEntry{
				Kind:        e.Entry.Kind,
				Label:       e.Entry.Label,
				Expires:     e.Entry.Expires.UTC().Format(time.RFC3339),
				SecondsLeft: int64(left / time.Second),
				Refresh:     left <= creds.RefreshMargin,
			})
		}
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(l)
}

// list prints the profiles awsrun can see, then the cached credentials
// with their time left and the key store that protects them.
func (a *app) list(ctx context.Context) error {
	if a.opts.JSON {
		return a.listJSON()
	}
	warnings := &heldWarnings{w: a.stderr}
	read := a.readCache(warnings.warn)
	profiles, err := creds.ListProfiles(creds.LoadOptions{Getenv: a.getenv})
	if err != nil {
		<-read
		return err
	}
	tw, out := a.table()
	fmt.Fprintln(tw, "PROFILE\tROLE\tSOURCE\tMFA")
	for _, p := range profiles {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", printable(p.Name), dash(p.RoleARN), dash(p.SourceProfile), dash(p.MFASerial))
	}
	if err := flushTable(tw, out); err != nil {
		<-read
		return err
	}

	got := <-read
	warnings.release() // what the cache said comes after the profiles, as before
	s, err := got.s, got.err
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(a.stdout, "\ncache: %s (nothing cached yet)\n", cache.DefaultDir())
		return nil
	}
	if err != nil {
		fmt.Fprintf(a.stdout, "\ncache: not usable: %v\n", err)
		return nil
	}
	entries, err := got.entries, got.listErr
	if err != nil && !errors.Is(err, cache.ErrNoKey) {
		fmt.Fprintf(a.stdout, "\ncache: %s: not readable: %v\n", s.Dir(), err)
		return nil
	}
	store, err := s.KeyStore()
	switch {
	case errors.Is(err, cache.ErrNoKey):
		store = "none yet"
	case err != nil:
		store = "unavailable: " + err.Error()
	}
	// Bookkeeping (index entries, used codes) is not shown.
	entries = slices.DeleteFunc(entries, func(e cache.Listed) bool { return !e.Entry.Kind.Credentials() })
	if len(entries) == 0 {
		fmt.Fprintf(a.stdout, "\ncache: %s (key in %s): nothing cached\n", s.Dir(), store)
		return nil
	}
	fmt.Fprintf(a.stdout, "\ncache: %s (key in %s)\n", s.Dir(), store)
	sort.Slice(entries, func(i, j int) bool { return entries[i].Entry.Expires.Before(entries[j].Entry.Expires) })
	tw, out = a.table()
	fmt.Fprintln(tw, "KIND\tFOR\tTIME LEFT")
	now := time.Now()
	for _, e := range entries {
		left := e.Entry.Expires.Sub(now)
		state := hoursMinutes(left)
		switch {
		case left <= 0:
			state = "expired"
		case left <= creds.RefreshMargin:
			state += " (will be refreshed)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Entry.Kind, printable(e.Entry.Label), state)
	}
	return flushTable(tw, out)
}

// table is a tabwriter for one of --list's tables, over a buffer: the
// tabwriter writes each cell and each run of padding on its own, a system
// call apiece on an unbuffered stdout (some 40,000 for 5,000 profiles).
// Each table is flushed whole before the next step, so the cache's
// warnings on stderr still come between the two tables.
func (a *app) table() (*tabwriter.Writer, *bufio.Writer) {
	out := bufio.NewWriterSize(a.stdout, 64<<10)
	return tabwriter.NewWriter(out, 0, 4, 2, ' ', 0), out
}

func flushTable(tw *tabwriter.Writer, out *bufio.Writer) error {
	if err := tw.Flush(); err != nil {
		return err
	}
	return out.Flush()
}

// cacheRead is --list's read of the cache: opened, and its entries read
// and opened, while the profiles are parsed. With thousands of either
// each takes tens of milliseconds, neither uses both CPUs throughout, and
// the two share nothing.
type cacheRead struct {
	s       *cache.Store
	err     error // cache.Open's
	entries []cache.Listed
	listErr error
}

// readCache starts reading the cache for --list, with warn for what the
// cache says on the way.
func (a *app) readCache(warn func(string)) <-chan cacheRead {
	ch := make(chan cacheRead, 1)
	go func() {
		o := a.listOptions()
		o.Warn = warn
		var r cacheRead
		if r.s, r.err = cache.Open(o); r.err == nil {
			r.entries, r.listErr = r.s.List()
		}
		ch <- r
	}()
	return ch
}

// heldWarnings holds the cache's warnings until release, then writes them
// and every later one to w as they come.
type heldWarnings struct {
	mu       sync.Mutex
	w        io.Writer
	held     []string
	released bool
}

func (h *heldWarnings) warn(m string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.released {
		h.held = append(h.held, m)
		return
	}
	fmt.Fprintf(h.w, "awsrun: %s\n", m)
}

func (h *heldWarnings) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.held {
		fmt.Fprintf(h.w, "awsrun: %s\n", m)
	}
	h.held, h.released = nil, true
}

// listOptions open the cache for --list, which changes nothing: on a fresh
// machine it makes neither the cache directory nor a key.
func (a *app) listOptions() cache.Options {
	o := a.cacheOptions()
	o.NoCreate, o.FindKeyOnly = true, true
	return o
}

// hoursMinutes writes a time left (or a lifetime) as 11h59m, 1h or 4m.
func hoursMinutes(d time.Duration) string { return cli.Left(d) }

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return printable(s)
}

// printable is s as --list's table shows it: quoted, with escapes, when
// it holds what a terminal would act on or hide rather than show — an
// escape sequence in a config value could retitle the terminal, recolour
// it or rewrite the lines above, and a bidi override reorders the text.
// The JSON output escapes them by itself.
func printable(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return s
}
