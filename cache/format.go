package cache

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Entry is what the store keeps under an id: opaque data and a little metadata.
type Entry struct {
	// Kind says what the entry is: KindSession, KindRole, KindMFACode, ….
	Kind Kind
	// Label describes the entry to a person, e.g. a profile and role ARN.
	Label string
	// Profile is the profile the entry was made for: --clear --profile
	// forgets a profile's own entries by it, never by parsing labels.
	// Empty for entries of no one profile (used codes).
	Profile string
	// Expires is when the data stops being usable.
	Expires time.Time
	// Data is the caller's payload.
	Data []byte
	// Rebuildable says the caller can make the entry again without the
	// user, whatever its Kind (a role hop made from long-term keys without a
	// code): Put writes it without an fsync. It is not stored.
	Rebuildable bool
}

// The file layout, version 2:
//
//	version (1 byte) | nonce (12 bytes) | AES-256-GCM(plaintext) with tag (16 bytes)
//
// with associated data version || file name, and the plaintext
//
//	id (64 bytes, the caller's hex id, which the file name is a keyed hash of) |
//	expiry seconds (int64) | expiry nanoseconds (uint32) |
//	len(Kind) (uint32) | Kind | len(Label) (uint32) | Label | len(Data) (uint32) | Data
//	[ | len(Profile) (uint32) | Profile ]
//
// all integers big-endian. The Profile field is present exactly when
// Profile is not empty, so entries written before it existed still open.
// Fixed-width lengths keep the decoding canonical: one Entry has exactly
// one plaintext.
const (
	version   = 2
	nonceSize = 12
	tagSize   = 16
	headSize  = 1 + nonceSize
	minPlain  = 8 + 4 + 3*4

	// maxPlain keeps every sealed entry within maxFileSize.
	maxPlain = maxFileSize - headSize - tagSize - idLen
)

// errMalformed is a plaintext that is not an encoded Entry.
var errMalformed = errors.New("malformed cache entry")

// marshal encodes e as the plaintext of a version 1 file.
func (e *Entry) marshal() ([]byte, error) {
	n := minPlain + len(e.Kind) + len(e.Label) + len(e.Data)
	if e.Profile != "" {
		n += 4 + len(e.Profile)
	}
	if n > maxPlain {
		return nil, fmt.Errorf("cache entry of %d bytes is larger than %d", n, maxPlain)
	}
	b := make([]byte, 0, n)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Expires.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(e.Expires.Nanosecond()))
	b = appendField(b, string(e.Kind))
	b = appendField(b, e.Label)
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Data)))
	b = append(b, e.Data...)
	if e.Profile != "" {
		b = appendField(b, e.Profile)
	}
	return b, nil
}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// unmarshal decodes a plaintext made by marshal. Data aliases b.
func unmarshal(b []byte) (*Entry, error) {
	if len(b) < minPlain {
		return nil, errMalformed
	}
	sec := int64(binary.BigEndian.Uint64(b))
	nsec := binary.BigEndian.Uint32(b[8:])
	if nsec >= 1e9 {
		return nil, errMalformed
	}
	b = b[12:]
	kind, b, ok := field(b)
	if !ok {
		return nil, errMalformed
	}
	label, b, ok := field(b)
	if !ok {
		return nil, errMalformed
	}
	data, b, ok := field(b)
	if !ok {
		return nil, errMalformed
	}
	var profile []byte
	if len(b) > 0 {
		// An empty Profile is written as no field at all.
		if profile, b, ok = field(b); !ok || len(profile) == 0 {
			return nil, errMalformed
		}
	}
	if len(b) != 0 {
		return nil, errMalformed
	}
	return &Entry{
		Kind:    Kind(kind),
		Label:   string(label),
		Profile: string(profile),
		Expires: time.Unix(sec, int64(nsec)),
		Data:    data,
	}, nil
}

// field splits a length-prefixed field off the front of b.
func field(b []byte) (f, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b)) {
		return nil, nil, false
	}
	return b[:n:n], b[n:], true
}

// additionalData binds a sealed file to its version and name.
func additionalData(dst *[1 + idLen]byte, id string) []byte {
	dst[0] = version
	return dst[:1+copy(dst[1:], id)]
}

// seal encrypts id and plain as the content of the file named name.
func seal(aead cipher.AEAD, name, id string, plain []byte, random io.Reader) ([]byte, error) {
	if len(id) != idLen {
		return nil, fmt.Errorf("cache entry id of %d bytes, want %d", len(id), idLen)
	}
	out := make([]byte, headSize, headSize+idLen+len(plain)+aead.Overhead())
	out[0] = version
	if _, err := io.ReadFull(random, out[1:headSize]); err != nil {
		return nil, fmt.Errorf("make cache entry nonce: %w", err)
	}
	msg := make([]byte, 0, idLen+len(plain))
	msg = append(append(msg, id...), plain...)
	var ad [1 + idLen]byte
	return aead.Seal(out, out[1:headSize], msg, additionalData(&ad, name)), nil
}

// open decrypts and decodes the content of the file named name, giving the
// id it was sealed for; ok is false for anything that seal did not make
// with this key and name. It decrypts in place.
func open(aead cipher.AEAD, name string, blob []byte) (id string, e *Entry, ok bool) {
	if len(blob) < headSize+tagSize || blob[0] != version {
		return "", nil, false
	}
	var ad [1 + idLen]byte
	nonce, ct := blob[1:headSize], blob[headSize:]
	plain, err := aead.Open(ct[:0], nonce, ct, additionalData(&ad, name))
	if err != nil || len(plain) < idLen || !validID(string(plain[:idLen])) {
		return "", nil, false
	}
	e, err = unmarshal(plain[idLen:])
	return string(plain[:idLen]), e, err == nil
}
