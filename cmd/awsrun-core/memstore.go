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

// codeRecords is where a --no-cache run records the MFA codes it sends and
// locks the devices: the cache directory, opened on the first code. No
// credential is written there, only the code (void 30 seconds later, and
// encrypted as every entry), so that the next run, cached or not, never
// sends it again. A cache that cannot be opened costs only that guarantee.
type codeRecords struct {
	open  func() *cache.Store
	once  sync.Once
	store *cache.Store
}

func (c *codeRecords) get() *cache.Store {
	c.once.Do(func() { c.store = c.open() })
	return c.store
}

func (c *codeRecords) Get(id string, margin time.Duration) (*cache.Entry, bool) {
	if s := c.get(); s != nil {
		return s.Get(id, margin)
	}
	return nil, false
}

func (c *codeRecords) Put(id string, e *cache.Entry) error {
	if s := c.get(); s != nil {
		return s.Put(id, e)
	}
	return nil
}

func (c *codeRecords) Delete(id string) error {
	if s := c.get(); s != nil {
		return s.Delete(id)
	}
	return nil
}

func (c *codeRecords) Lock(ctx context.Context, id string, onWait func()) (func(), error) {
	if s := c.get(); s != nil {
		return s.Lock(ctx, id, onWait)
	}
	return func() {}, nil
}
