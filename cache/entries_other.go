//go:build !unix

package cache

// An entryReader reads many entry files of the directory, for Inventory:
// here one readSmall each.
type entryReader struct{ s *Store }

func (s *Store) entryReader() (*entryReader, error) { return &entryReader{s}, nil }

func (r *entryReader) read(name string) ([]byte, bool) { return r.s.readSmall(name) }

func (r *entryReader) close() {}
