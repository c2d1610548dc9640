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
		{[]string{"true"}, 5 * time.Minute, true},
		{[]string{"--min-ttl", "2m", "true"}, 5 * time.Minute, true},
		{[]string{"--min-ttl", "45m", "true"}, 45 * time.Minute, true},
		{[]string{"--min-ttl", "5400", "true"}, 90 * time.Minute, true},
		{[]string{"--min-ttl", "soon", "true"}, 0, false},
		{[]string{"--min-ttl", "-5m", "true"}, 0, false},
		{[]string{"--export", "credential-process"}, 15 * time.Minute, true},
		{[]string{"--export", "credential-process", "--min-ttl", "20m"}, 20 * time.Minute, true},
		{[]string{"--export", "json"}, 5 * time.Minute, true},
	}
	for _, tt := range tests {
		o, err := Parse(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := o.Margin(); got != tt.want || ok != tt.ok {
			t.Errorf("Margin(%q) = %s, %t; want %s, %t", tt.args, got, ok, tt.want, tt.ok)
		}
	}
	o, _ := Parse([]string{"--min-ttl", "soon", "true"})
	if _, err := o.MinTTLDuration(); err == nil || err.Error() != `--min-ttl: invalid duration "soon" (want e.g. 45m, 2h or seconds)` {
		t.Errorf("MinTTLDuration error = %v", err)
	}
}
