package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestDamagedEntryIsMiss damages a stored file in every way and checks that
// Get misses without error or panic, and that a Put then replaces the file.
func TestDamagedEntryIsMiss(t *testing.T) {
	s, o := newStore(t)
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(o.Dir, fileName(t, s, id))
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	type damage struct {
		name string
		blob []byte
	}
	var tests []damage
	for i := range good {
		b := bytes.Clone(good)
		b[i] ^= 0xff
		tests = append(tests, damage{"flip byte " + strconv.Itoa(i), b})
		b = bytes.Clone(good)
		b[i] ^= 0x01
		tests = append(tests, damage{"flip bit of byte " + strconv.Itoa(i), b})
	}
	for n := range len(good) {
		tests = append(tests, damage{"truncate to " + strconv.Itoa(n), good[:n:n]})
	}
	tests = append(tests,
		damage{"appended byte", append(bytes.Clone(good), 0)},
		damage{"old version 0", append([]byte{0}, good[1:]...)},
		damage{"old version 1", append([]byte{1}, good[1:]...)},
		damage{"version 3", append([]byte{3}, good[1:]...)},
		damage{"zero nonce", append(append([]byte{version}, make([]byte, nonceSize)...), good[headSize:]...)},
		damage{"all zero", make([]byte, len(good))},
		damage{"too large", make([]byte, maxFileSize+1)},
	)
	for _, tt := range tests {
		if err := os.WriteFile(path, tt.blob, 0o600); err != nil {
			t.Fatal(err)
		}
		if e, ok := s.Get(id, 0); ok || e != nil {
			t.Errorf("%s: Get = %v, %v; want a miss", tt.name, e, ok)
		}
	}

	if err := s.Put(id, testEntry(id)); err != nil {
		t.Fatalf("Put over a damaged entry: %v", err)
	}
	if _, ok := s.Get(id, 0); !ok {
		t.Error("Get missed the entry that replaced a damaged one")
	}
}

func TestSwappedEntriesMiss(t *testing.T) {
	s, o := newStore(t)
	a, b := testID(1), testID(2)
	for _, id := range []string{a, b} {
		if err := s.Put(id, testEntry(id)); err != nil {
			t.Fatal(err)
		}
	}
	pa, pb := filepath.Join(o.Dir, fileName(t, s, a)), filepath.Join(o.Dir, fileName(t, s, b))
	tmp := filepath.Join(o.Dir, "swap")
	for _, mv := range [][2]string{{pa, tmp}, {pb, pa}, {tmp, pb}} {
		if err := os.Rename(mv[0], mv[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{a, b} {
		if _, ok := s.Get(id, 0); ok {
			t.Errorf("Get(%s) hit another entry's file", id[:8])
		}
	}
	if listed, unreadable, err := s.Inventory(); err != nil || len(listed) != 0 || unreadable != 2 {
		t.Errorf("Inventory = %d listed, %d unreadable, %v; want 0, 2, nil", len(listed), unreadable, err)
	}
}

// TestForeignKeyIsMiss loses the key: every entry turns into a miss, a new
// key is made, and a Put with it works.
func TestForeignKeyIsMiss(t *testing.T) {
	s, o := newStore(t)
	id := testID(1)
	if err := s.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(o.KeyDir, keyFileName)
	oldKey, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(o) // a new process: the old key is not in memory
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.Get(id, 0); ok {
		t.Fatal("Get hit an entry sealed with a lost key")
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Fatal("Get made a key")
	}
	if err := s2.Put(id, testEntry(id)); err != nil {
		t.Fatal(err)
	}
	newKey, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatalf("no new key after Put: %v", err)
	}
	if bytes.Equal(oldKey, newKey) {
		t.Fatal("the new key is the old one")
	}
	if _, ok := s2.Get(id, 0); !ok {
		t.Error("Get missed the entry put with the new key")
	}
}

func TestUnmarshalRejects(t *testing.T) {
	e := &Entry{Kind: "k", Label: "l", Expires: time.Unix(1e9, 5), Data: []byte("d")}
	good, err := e.marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := unmarshal(good); err != nil || !sameEntry(got, e) {
		t.Fatalf("unmarshal(marshal(e)) = %+v, %v", got, err)
	}
	bigNsec := bytes.Clone(good)
	copy(bigNsec[8:12], []byte{0x3b, 0x9a, 0xca, 0x00}) // 1e9
	bigLen := bytes.Clone(good)
	copy(bigLen[12:16], []byte{0xff, 0xff, 0xff, 0xff})
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"short", good[:minPlain-1]},
		{"trailing byte", append(bytes.Clone(good), 0)},
		{"missing byte", good[:len(good)-1]},
		{"nanoseconds out of range", bigNsec},
		{"length past end", bigLen},
	}
	for _, tt := range tests {
		if got, err := unmarshal(tt.b); err == nil {
			t.Errorf("%s: unmarshal = %+v, want an error", tt.name, got)
		}
	}
}

// TestEntryProfileIsStoredAndOptional: the profile an entry was made for
// comes back from the store, encrypted like the rest; entries written
// before the field existed still open, with no profile; and an empty
// profile has one encoding only.
func TestEntryProfileIsStoredAndOptional(t *testing.T) {
	s, _ := newStore(t)
	id := testID(7)
	e := testEntry(id)
	e.Profile = "prod eu"
	if err := s.Put(id, e); err != nil {
		t.Fatal(err)
	}
	got, ok := s.Get(id, 0)
	if !ok || got.Profile != "prod eu" || !sameEntry(got, e) {
		t.Fatalf("Get = %+v, %v; want profile %q", got, ok, e.Profile)
	}
	path, err := s.Path(id)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte("prod eu")) {
		t.Error("the profile is stored in plain text")
	}

	old := testEntry(id) // as written before entries had a profile
	plain, err := old.marshal()
	if err != nil {
		t.Fatal(err)
	}
	if want := minPlain + len(old.Kind) + len(old.Label) + len(old.Data); len(plain) != want {
		t.Errorf("an entry without a profile encodes to %d bytes, want the old layout's %d", len(plain), want)
	}
	if back, err := unmarshal(plain); err != nil || back.Profile != "" || !sameEntry(back, old) {
		t.Errorf("old layout decodes to %+v, %v", back, err)
	}
	if _, err := unmarshal(append(plain, 0, 0, 0, 0)); err == nil {
		t.Error("an empty profile field decodes: two plaintexts for one entry")
	}
}
