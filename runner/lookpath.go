package runner

// LookPath finds the command name as a shell does and returns the path to
// give [Exec]. A name containing a slash (or, on Windows, a backslash or a
// drive) is used as is; any other is searched for in the directories of PATH
// as env sets it — the child's environment, not awsrun's.
//
// On Unix an empty PATH element means the current directory, an unset PATH
// means "/bin:/usr/bin" (execvp's default), directories are skipped, and a
// name found only as files that cannot be executed is a [*NotExecutableError]
// for the first of them, as bash reports it. On Windows the extensions of
// PATHEXT are tried, and the current directory is searched only when PATH
// names it.
//
// The error is a [*CommandNotFoundError] or a [*NotExecutableError].
func LookPath(name string, env []string) (string, error) {
	if name == "" {
		return "", &CommandNotFoundError{Name: name, Err: ErrNotFound}
	}
	return lookPath(name, env)
}
