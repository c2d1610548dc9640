package cache

import (
	"testing"
)

// BenchmarkGetHit is the warm launch: one entry read and opened with a key
// the store already holds.
func BenchmarkGetHit(b *testing.B) {
	s, _ := newStore(b)
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Get(id, 0); !ok {
			b.Fatal("miss")
		}
	}
}

// BenchmarkGetHitNewStore is a whole launch's cache work: Open, the key read
// from its file, and one entry.
func BenchmarkGetHitNewStore(b *testing.B) {
	s, o := newStore(b)
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := Open(o)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := s.Get(id, 0); !ok {
			b.Fatal("miss")
		}
	}
}

// BenchmarkGetMiss is a cold cache: no file, so no key is loaded.
func BenchmarkGetMiss(b *testing.B) {
	s, _ := newStore(b)
	id := testID(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Get(id, 0); ok {
			b.Fatal("hit")
		}
	}
}

// BenchmarkPut is one durable write (two fsyncs).
func BenchmarkPut(b *testing.B) {
	s, _ := newStore(b)
	id := testID(1)
	e := testEntry(id)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Put(id, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutKinds writes an entry that costs a code to replace (synced)
// and one that is rebuilt (not synced), alternately, in the same rounds.
func BenchmarkPutKinds(b *testing.B) {
	for _, k := range []Kind{KindSession, KindIndex} {
		b.Run(string(k), func(b *testing.B) {
			s, _ := newStore(b)
			id := testID(1)
			e := testEntry(id)
			e.Kind = k
			for b.Loop() {
				if err := s.Put(id, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
