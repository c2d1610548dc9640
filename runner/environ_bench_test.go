package runner

import "testing"

// BenchmarkEnviron is the environment read at every launch.
func BenchmarkEnviron(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if len(Environ()) == 0 {
			b.Fatal("no environment")
		}
	}
}
