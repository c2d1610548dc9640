//go:build !unix

package cache

import (
	"context"
	"errors"
	"os"
)

// WaitTurn does not wait here: without a blocking lock that a waiter can
// share, awsrun-core's own lock (which polls) does the waiting.
func (s *Store) WaitTurn(context.Context, string, func()) error { return nil }

// AdoptTurn adopts nothing here.
func (s *Store) AdoptTurn(int, string) (*os.File, bool) { return nil, false }

// PassTurn passes nothing here: awsrun-core is not exec'd in place.
func PassTurn(*os.File) (int, error) { return -1, errors.ErrUnsupported }
