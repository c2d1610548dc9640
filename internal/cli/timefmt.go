package cli

import (
	"fmt"
	"time"
)

// Left writes a time left as 11h59m, 1h or 4m: whole minutes, rounded
// down, so that credentials are never said to last longer than they do
// (3583 s is 59m, not 1h). Every message and listing uses it.
func Left(d time.Duration) string {
	d = max(d, 0).Truncate(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

// ClockLayout is how messages write a time of day: 15:04 CET, in the
// local zone.
const ClockLayout = "15:04 MST"
