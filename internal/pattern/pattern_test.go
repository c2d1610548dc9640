package pattern

import (
	"regexp"
	"strings"
	"testing"
)

// The patterns awsrun checks, each as it was (a bounded repeat) and as it
// is; they must accept the same strings.
var cases = []struct {
	was     string
	is      string
	min, mx int
}{
	{`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`, `^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`, 1, 128},
	{`^[\w+=,.@-]{2,64}$`, `^[\w+=,.@-]+$`, 2, 64},
	{`^[a-z0-9][a-z0-9-]{0,62}$`, `^[a-z0-9][a-z0-9-]*$`, 1, 63},
	{`^AKIA[A-Z0-9]{12,124}$`, `^AKIA[A-Z0-9]+$`, 16, 128},
	{`^[A-Za-z0-9+/=]{16,128}$`, `^[A-Za-z0-9+/=]+$`, 16, 128},
}

func inputs() []string {
	var in []string
	for _, unit := range []string{"a", "A", "0", "é", "日", " ", "\u00a0", "-", "_", "@", "+", "/", "=", ",", ".", ":", "\xff", "\n", "!", "AKIA"} {
		for _, n := range []int{0, 1, 2, 11, 12, 15, 16, 17, 62, 63, 64, 65, 124, 127, 128, 129, 200} {
			s := strings.Repeat(unit, n)
			in = append(in, s, "AKIA"+s, "a"+s, s+"!", "-"+s)
		}
	}
	return in
}

func TestBoundedAgreesWithTheBoundedRepeat(t *testing.T) {
	for _, c := range cases {
		was := regexp.MustCompile(c.was)
		is := New(c.is, c.min, c.mx)
		for _, s := range inputs() {
			if got, want := is.MatchString(s), was.MatchString(s); got != want {
				t.Errorf("%s: %q gives %v, %s gives %v", c.is, s, got, c.was, want)
			}
		}
	}
}

func FuzzBounded(f *testing.F) {
	f.Add("AKIAABCDEFGHIJKL", "tag:key")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, c := range cases {
			was := regexp.MustCompile(c.was)
			is := New(c.is, c.min, c.mx)
			for _, s := range []string{a, b, a + b} {
				if got, want := is.MatchString(s), was.MatchString(s); got != want {
					t.Errorf("%s: %q gives %v, %s gives %v", c.is, s, got, c.was, want)
				}
			}
		}
	})
}
