package main

import (
	"errors"
	"io"

	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/internal/cli"
)

// fail prints err and returns the exit status, with the hints only the
// SDK side knows.
func fail(stderr io.Writer, err error) int { return cli.Fail(stderr, err, hint) }

func hint(err error) string {
	var (
		ce *creds.ConfigError
		me *creds.MFAError
		se *creds.STSError
	)
	switch {
	case errors.As(err, &me):
		return me.Hint
	case errors.As(err, &se):
		return se.Hint()
	case errors.As(err, &ce):
		return ce.Hint
	}
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}
