//go:build !linux && !darwin

package main

import (
	"io/fs"
	"time"
)

// accessTime is not asked for here: the page stays its whole life.
func accessTime(fs.FileInfo) (time.Time, bool) { return time.Time{}, false }
