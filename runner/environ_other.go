//go:build !linux

package runner

import "os"

// Environ is the process environment. Outside Linux it is os.Environ, which
// keeps only the first of duplicate entries: no portable interface gives
// the raw list without cgo.
func Environ() []string { return os.Environ() }
