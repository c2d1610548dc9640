package main

import (
	"context"
	"sync"
	"time"

	"github.com/awsrun/awsrun/cache"
)

// memStore keeps credential steps in this process's memory only: what
// --server --no-cache uses, so that the MFA session outlives one refresh
// without ever being written to disk.
type memStore struct {
	mu      sync.Mutex
	entries map[string]*cache.Entry
	locks   map[string]*sync.Mutex
}

func newMemStore() *memStore {
	return &memStore{entries: map[string]*cache.Entry{}, locks: map[string]*sync.Mutex{}}
}

func (s *memStore) Get(id string, margin time.Duration) (*cache.Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.entries[id]
	if !ok || !time.Now().Add(margin).Before(e.Expires) {
		return nil, false
	}
	c := *e
	return &c, true
}

func (s *memStore) Put(id string, e *cache.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *e
	s.entries[id] = &c
	return nil
}

func (s *memStore) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.entries, id)
	return nil
}

// Lock serializes the steps of this process; no other process shares
// the store.
func (s *memStore) Lock(_ context.Context, id string, _ func()) (func(), error) {
	s.mu.Lock()
	l, ok := s.locks[id]
	if !ok {
		l = &sync.Mutex{}
		s.locks[id] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock, nil
}
