package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLockFreeCallsNoWait(t *testing.T) {
	s, _ := newStore(t)
	unlock, err := s.Lock(t.Context(), testID(1), func() { t.Error("onWait called for a free lock") })
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	// Released: free again.
	unlock, err = s.Lock(t.Context(), testID(1), func() { t.Error("onWait called for a released lock") })
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

func TestLockSerializes(t *testing.T) {
	s, _ := newStore(t)
	id := testID(1)
	unlock, err := s.Lock(t.Context(), id, nil)
	if err != nil {
		t.Fatal(err)
	}

	var released atomic.Bool
	waiting := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		var calls int
		u, err := s.Lock(t.Context(), id, func() {
			calls++
			close(waiting)
		})
		if err == nil {
			if !released.Load() {
				err = errors.New("got the lock while the first holder had it")
			} else if calls != 1 {
				err = errors.New("onWait not called exactly once")
			}
			u()
		}
		done <- err
	}()

	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("second Lock returned while the lock was held: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("onWait not called")
	}
	time.Sleep(3 * lockPoll) // let it poll a few times
	released.Store(true)
	unlock()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second Lock did not get the released lock")
	}
}

func TestLockDifferentEntriesIndependent(t *testing.T) {
	s, _ := newStore(t)
	u1, err := s.Lock(t.Context(), testID(1), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer u1()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	u2, err := s.Lock(ctx, testID(2), func() { t.Error("waited for another entry's lock") })
	if err != nil {
		t.Fatal(err)
	}
	u2()
}

func TestLockHonoursDeadline(t *testing.T) {
	s, _ := newStore(t)
	id := testID(1)
	unlock, err := s.Lock(t.Context(), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	waited := false
	_, err = s.Lock(ctx, id, func() { waited = true })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock = %v, want a deadline error", err)
	}
	if !waited {
		t.Error("onWait not called")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Lock gave up after %v, long past its deadline", d)
	}
}

func TestLockOfKilledProcessIsFree(t *testing.T) {
	s, o := newStore(t)
	id := testID(1)
	h := startHelper(t, "lock", o, id)
	h.expect(t, "locked")

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx, id, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while the child holds it = %v, want a deadline error", err)
	}

	if err := h.cmd.Process.Kill(); err != nil { // SIGKILL: no chance to unlock
		t.Fatal(err)
	}
	h.cmd.Wait()

	ctx, cancel = context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	unlock, err := s.Lock(ctx, id, nil)
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	unlock()
}

// TestLockExclusiveDespiteClear runs Clear, which removes free lock files,
// against lockers: at most one of them may ever be inside the lock.
func TestLockExclusiveDespiteClear(t *testing.T) {
	s, _ := newStore(t)
	id := testID(1)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	var inside atomic.Int32
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Clear(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var lockers sync.WaitGroup
	for range 4 {
		lockers.Go(func() {
			for range 50 {
				unlock, err := s.Lock(ctx, id, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if n := inside.Add(1); n != 1 {
					t.Errorf("%d holders of one lock", n)
				}
				time.Sleep(50 * time.Microsecond)
				inside.Add(-1)
				unlock()
			}
		})
	}
	lockers.Wait()
	close(stop)
	wg.Wait()
}

func TestClearKeepsHeldLock(t *testing.T) {
	s, o := newStore(t)
	id := testID(1)
	path := filepath.Join(o.Dir, fileName(t, s, id)+lockSuffix)
	unlock, err := s.Lock(t.Context(), id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Clear removed a held lock: %v", err)
	}
	unlock()
	if _, err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("Clear left a free lock file")
	}
}
