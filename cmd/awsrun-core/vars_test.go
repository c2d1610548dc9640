package main

import (
	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/runner"
)

var (
	runnerNotFound = runner.CommandNotFoundError{Name: "x", Err: runner.ErrNotFound}
	runnerNotExec  = runner.NotExecutableError{Path: "x"}
	runnerExit     = runner.ExitError{Code: 3}
	interrupted    = creds.InterruptedError{Signal: 2}
)
