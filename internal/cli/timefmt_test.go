package cli

import (
	"testing"
	"time"
)

func TestLeft(t *testing.T) {
	for d, want := range map[time.Duration]string{
		3583 * time.Second: "59m",
		time.Hour:          "1h",
		11*time.Hour + 59*time.Minute + 59*time.Second: "11h59m",
		30 * time.Second: "0m",
		-time.Minute:     "0m",
	} {
		if got := Left(d); got != want {
			t.Errorf("Left(%s) = %s, want %s", d, got, want)
		}
	}
}
