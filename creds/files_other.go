//go:build !unix

package creds

import (
	"io/fs"
	"os"
)

// openNonblock: opening never waits on these systems' files.
const openNonblock = 0

func clearNonblock(*os.File) error { return nil }

// looseFile says nothing here: ACLs, not mode bits, guard these files.
func looseFile(fs.FileInfo) string { return "" }
