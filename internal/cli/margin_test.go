package cli

import (
	"testing"
	"time"
)

func TestMarginIsAtLeastTheRefreshMargin(t *testing.T) {
	tests := []struct {
		args []string
		want time.Duration
		ok   bool
	}{
		{[]string{"--export", "env"}, 5 * time.Minute, true},
		{[]string{"--min-ttl", "2m", "--export", "env"}, 5 * time.Minute, true},
		{[]string{"--min-ttl", "45m", "--export", "env"}, 45 * time.Minute, true},
		{[]string{"--min-ttl", "5400", "--export", "env"}, 90 * time.Minute, true},
		{[]string{"--min-ttl", "soon", "--export", "env"}, 0, false},
		{[]string{"--min-ttl", "-5m", "--export", "env"}, 0, false},
		{[]string{"--export", "credential-process"}, 15 * time.Minute, true},
		{[]string{"--export", "credential-process", "--min-ttl", "20m"}, 20 * time.Minute, true},
		{[]string{"--export", "json"}, 5 * time.Minute, true},
	}
	for _, tt := range tests {
		var got time.Duration
		inv, err := Prepare(tt.args, testEnviron(t))
		if err == nil {
			got = inv.Margin
		}
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Prepare(%q): margin %s, error %v; want %s, ok %t", tt.args, got, err, tt.want, tt.ok)
		}
	}
	_, err := Prepare([]string{"--min-ttl", "soon", "--export", "env"}, testEnviron(t))
	if err == nil || err.Error() != `--min-ttl: invalid duration "soon" (want e.g. 45m, 2h or seconds)` {
		t.Errorf("Prepare error = %v", err)
	}
}
