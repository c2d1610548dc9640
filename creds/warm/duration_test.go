package warm

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"45m", 45 * time.Minute, false},
		{"2h", 2 * time.Hour, false},
		{"3600", time.Hour, false},
		{"1h30m", 90 * time.Minute, false},
		{"", 0, true},
		{"-5m", 0, true},
		{"abc", 0, true},
		{"99999999999999999999", 0, true},
		{"0", 0, true},
		{"0s", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, err %t", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
