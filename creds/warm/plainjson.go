package warm

import "unicode/utf8"

// plainObject reads b as exactly the JSON object json.Marshal writes for a
// struct of string fields named keys, in that order: no white space, no
// other keys, and values free of escapes and control characters. It puts
// the values in vals, as substrings of one string made of b, so the
// decoding makes a single allocation. ok is false for anything else,
// which the caller hands to encoding/json: the warm path reads what awsrun
// writes without reflection, and everything encoding/json reads today
// stays readable. On every input it accepts, it gives what
// json.Unmarshal gives (FuzzPlainObject).
func plainObject(b []byte, keys []string, vals []string) bool {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	s := string(b)
	i := 1
	for n, k := range keys {
		if n > 0 {
			if i >= len(s) || s[i] != ',' {
				return false
			}
			i++
		}
		// "key":
		if len(s)-i < len(k)+3 || s[i] != '"' || s[i+1:i+1+len(k)] != k || s[i+1+len(k)] != '"' || s[i+2+len(k)] != ':' {
			return false
		}
		i += len(k) + 3
		v, next, ok := plainString(s, i)
		if !ok {
			return false
		}
		vals[n], i = v, next
	}
	return i == len(s)-1
}

// plainString reads the JSON string that starts at s[i] when it holds no
// escape and no control character, and is valid UTF-8: then its value is
// its bytes. next is the index after the closing quote.
func plainString(s string, i int) (v string, next int, ok bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	ascii := true
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			v = s[i+1 : j]
			if !ascii && !utf8.ValidString(v) {
				return "", 0, false // encoding/json replaces bad bytes with U+FFFD
			}
			return v, j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", 0, false
}
