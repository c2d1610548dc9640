package runner

// Run starts the program at path as a child and waits for it, exactly as
// [Exec] does on Windows, which has no exec: awsrun is always the parent
// there, and Ctrl-C reaches the child from the console.
func Run(path string, argv []string, env []string) error { return Exec(path, argv, env) }
