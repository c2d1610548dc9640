//go:build !unix

package creds

import "os"

// openNonblock: opening never waits on these systems' files.
const openNonblock = 0

func clearNonblock(*os.File) error { return nil }
