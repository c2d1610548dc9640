package cache

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestListAndClear(t *testing.T) {
	s, o := newStore(t)
	ids := []string{testID(1), testID(2), testID(3)}
	slices.Sort(ids)
	for _, id := range ids {
		if err := s.Put(id, testEntry(id)); err != nil {
			t.Fatal(err)
		}
	}
	expired := testID(4)
	if err := s.Put(expired, &Entry{Kind: "session", Expires: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, expired)
	slices.Sort(ids)
	garbled := testID(5)
	if err := os.WriteFile(filepath.Join(o.Dir, fileName(t, s, garbled)), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Files that are not entries: ignored by List, and by Clear unless stale.
	other := filepath.Join(o.Dir, "README")
	freshTemp := filepath.Join(o.Dir, tempPrefix+"fresh")
	staleTempFile := filepath.Join(o.Dir, tempPrefix+"stale")
	for _, p := range []string{other, freshTemp, staleTempFile} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(staleTempFile, old, old); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(t.Context(), ids[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	unlock()

	listed, unreadable, err := s.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range listed {
		got = append(got, l.ID)
		want := testEntry(l.ID)
		if l.ID == expired {
			want = &Entry{Kind: "session", Expires: l.Entry.Expires}
		}
		if l.Entry.Kind != want.Kind || l.Entry.Label != want.Label || string(l.Entry.Data) != string(want.Data) {
			t.Errorf("List entry %s = %+v, want %+v", l.ID[:8], l.Entry, want)
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("List ids = %v, want %v", got, ids)
	}
	if unreadable != 1 {
		t.Errorf("unreadable = %d, want 1", unreadable)
	}
	if l2, err := s.List(); err != nil || len(l2) != len(listed) {
		t.Errorf("List = %d entries, %v; want %d", len(l2), err, len(listed))
	}

	removed, err := s.Clear()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(ids) + 1; removed != want {
		t.Errorf("Clear removed %d, want %d", removed, want)
	}
	des, err := os.ReadDir(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, de := range des {
		left = append(left, de.Name())
	}
	if want := []string{tempPrefix + "fresh", "README"}; !slices.Equal(left, want) {
		t.Errorf("after Clear the directory holds %v, want %v", left, want)
	}
	if listed, err := s.List(); err != nil || len(listed) != 0 {
		t.Errorf("List after Clear = %v, %v", listed, err)
	}
	// The key survives a Clear: new entries still open.
	if err := s.Put(ids[0], testEntry(ids[0])); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get(ids[0], 0); !ok {
		t.Error("Get missed after Clear and Put")
	}
}

func TestPruneRemovesOnlyOldFiles(t *testing.T) {
	s, o := newStore(t)
	old, fresh := testID(1), testID(2)
	for _, id := range []string{old, fresh} {
		if err := s.Put(id, testEntry(id)); err != nil {
			t.Fatal(err)
		}
		unlock, err := s.Lock(context.Background(), id, nil)
		if err != nil {
			t.Fatal(err)
		}
		unlock()
	}
	long := time.Now().Add(-72 * time.Hour)
	for _, name := range []string{fileName(t, s, old), fileName(t, s, old) + ".lock"} {
		if err := os.Chtimes(filepath.Join(o.Dir, name), long, long); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.PruneDaily(48 * time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("PruneDaily = %d, %v; want 1 entry removed", n, err)
	}
	oldName, freshName := fileName(t, s, old), fileName(t, s, fresh)
	for name, want := range map[string]bool{oldName: false, oldName + ".lock": false, freshName: true, freshName + ".lock": true} {
		if _, err := os.Stat(filepath.Join(o.Dir, name)); (err == nil) != want {
			t.Errorf("%s exists = %t, want %t", name[:8], err == nil, want)
		}
	}
	if _, ok := s.Get(fresh, 0); !ok {
		t.Error("the fresh entry no longer reads")
	}
	// Once a day: a second call within the day does nothing.
	if err := os.Chtimes(filepath.Join(o.Dir, freshName), long, long); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.PruneDaily(48 * time.Hour); n != 0 {
		t.Errorf("second PruneDaily the same day removed %d", n)
	}
}

// TestClearKeepsCodeRecords: the records of codes already sent survive a
// Clear, their lock files too, and are not counted as removed.
func TestClearKeepsCodeRecords(t *testing.T) {
	s, o := newStore(t)
	role, code := testID(1), testID(2)
	if err := s.Put(role, testEntry(role)); err != nil {
		t.Fatal(err)
	}
	rec := &Entry{Kind: KindMFACode, Label: "code", Expires: time.Now().Add(time.Minute).Truncate(0)}
	if err := s.Put(code, rec); err != nil {
		t.Fatal(err)
	}
	codeLock := filepath.Join(o.Dir, fileName(t, s, code)+lockSuffix)
	if err := os.WriteFile(codeLock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	removed, err := s.Clear()
	if err != nil {
		t.Fatal(err)
	}
	if removed != 1 {
		t.Errorf("Clear removed %d, want 1", removed)
	}
	if _, ok := s.Get(role, 0); ok {
		t.Error("the role entry survived Clear")
	}
	if got, ok := s.Get(code, 0); !ok || !sameEntry(got, rec) {
		t.Errorf("the code record after Clear = %+v, %t", got, ok)
	}
	if _, err := os.Lstat(codeLock); err != nil {
		t.Errorf("the code record's lock file: %v", err)
	}
}
