//go:build unix

package cache

import (
	"context"
	"testing"
	"time"
)

// TestWaitTurn: a waiter returns once the turn is released; one whose
// context ends gives up, and the file it was waiting on is closed by the
// wait itself once the lock is free, so the turn can be taken again.
func TestWaitTurn(t *testing.T) {
	s, _ := newStore(t)
	id := testID(1)
	if err := s.Put(testID(2), testEntry(testID(2))); err != nil { // makes the key
		t.Fatal(err)
	}
	held, busy, err := s.TakeTurn(id)
	if err != nil || busy {
		t.Fatalf("TakeTurn = %v, busy %t, %v", held, busy, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.WaitTurn(ctx, id, nil); err == nil {
		t.Fatal("WaitTurn returned while the turn was held")
	}
	waited := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		waited <- s.WaitTurn(ctx, id, nil)
	}()
	held.Close()
	if err := <-waited; err != nil {
		t.Fatalf("WaitTurn after the release: %v", err)
	}
	// The abandoned waiter took the shared lock when it was freed and let
	// it go: an exclusive turn is to be had again.
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, busy, err := s.TakeTurn(id)
		if err != nil {
			t.Fatal(err)
		}
		if !busy {
			f.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the turn is still held after every waiter has gone")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
