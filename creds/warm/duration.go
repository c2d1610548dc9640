package warm

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a duration as Go writes one (45m, 2h, 1h30m) or as a
// number of seconds (3600); zero and negative durations are refused. The
// launcher and awsrun-core both read flags and variables with it.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s != "" && strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("invalid duration %q (want e.g. 45m, 2h or seconds)", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("invalid duration %q (want e.g. 45m, 2h or seconds)", s)
	}
	return d, nil
}
