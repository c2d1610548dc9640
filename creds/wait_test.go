package creds

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWaitNoteOnlyForALongWaitAndOnItsOwnLine guards against make -j32
// printing a "waiting for another awsrun" line per job even when the wait
// is a moment, and against the note landing on the line where another
// process's prompt waits: on a terminal it starts on a new line.
func TestWaitNoteOnlyForALongWaitAndOnItsOwnLine(t *testing.T) {
	f := newFixture(t, role101)
	store := f.openCache(t)
	c := loadChain(t, "role101")
	target := planOf(t, c).Steps[len(planOf(t, c).Steps)-1]

	// waitFor runs a resolver while the target's lock is held until
	// release returns, and returns what it said and wrote.
	waitFor := func(t *testing.T, release func(notes <-chan string)) (notes []string, terminal string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		unlock, err := store.Lock(ctx, target.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var term bytes.Buffer
		noteCh := make(chan string, 10)
		r := f.resolver(store)
		r.Refresh = true // the lock, not a cache hit, decides
		r.Terminal = writerFunc(func(p []byte) { mu.Lock(); term.Write(p); mu.Unlock() })
		r.Note = func(format string, args ...any) {
			mu.Lock()
			term.WriteString("awsrun: " + fmt.Sprintf(format, args...) + "\n")
			mu.Unlock()
			noteCh <- fmt.Sprintf(format, args...)
		}
		done := make(chan error, 1)
		go func() { _, err := r.Retrieve(ctx, c); done <- err }()
		release(noteCh)
		unlock()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		close(noteCh)
		for n := range noteCh {
			notes = append(notes, n)
		}
		mu.Lock()
		defer mu.Unlock()
		return notes, term.String()
	}

	// A moment's wait is not said.
	notes, _ := waitFor(t, func(<-chan string) { time.Sleep(100 * time.Millisecond) })
	for _, n := range notes {
		if strings.Contains(n, "waiting for another awsrun") {
			t.Errorf("a 100ms wait was said: %q", n)
		}
	}
	// A long one is, on a line of its own.
	notes, out := waitFor(t, func(ch <-chan string) {
		for n := range ch {
			if strings.Contains(n, "waiting for another awsrun") {
				return
			}
		}
	})
	if len(notes) == 0 && !strings.Contains(out, "waiting") {
		t.Fatalf("a long wait was not said")
	}
	if !strings.HasPrefix(out, "\nawsrun: waiting for another awsrun") {
		t.Errorf("on the terminal the note does not start on a new line: %q", out)
	}
}

type writerFunc func([]byte)

func (w writerFunc) Write(p []byte) (int, error) { w(p); return len(p), nil }
