package cli

import (
	"regexp"
	"strings"
	"testing"
)

// The loop accepts exactly what the pattern it replaced accepts.
func TestEKSClusterNameAgreesWithItsPattern(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	names := []string{"", "a", "A", "0", "-a", ".a", "_a", "a-b.c_d", "prod", "my cluster", "a\n", "é", "a/b", "a:b",
		strings.Repeat("a", 99), strings.Repeat("a", 100), strings.Repeat("a", 101), "a" + strings.Repeat("-", 99), "a\x00"}
	for c := 0; c < 256; c++ {
		names = append(names, string(rune(c)), "a"+string([]byte{byte(c)}), string([]byte{byte(c)})+"a")
	}
	for _, n := range names {
		if got, want := eksClusterName(n), re.MatchString(n); got != want {
			t.Errorf("eksClusterName(%q) = %v, the pattern says %v", n, got, want)
		}
	}
}

func FuzzEKSClusterName(f *testing.F) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	f.Add("prod-eu.1")
	f.Fuzz(func(t *testing.T, n string) {
		if got, want := eksClusterName(n), re.MatchString(n); got != want {
			t.Errorf("eksClusterName(%q) = %v, the pattern says %v", n, got, want)
		}
	})
}
