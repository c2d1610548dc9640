// Package runner starts the command awsrun was asked to run: it builds the
// child's environment, finds the command the way a shell does, and replaces
// awsrun with it.
//
// Guarantees:
//
//   - Scrubbed: every occurrence of each variable in [Removed] (the AWS
//     credential, profile, role, web identity and container credential
//     variables) is dropped from the inherited environment, so nothing the
//     parent had can shadow or mix with the credentials awsrun sets.
//   - Untouched: every other inherited entry reaches the child byte for byte
//     and in its original order, duplicates and entries without '=' included.
//     The variables awsrun sets come last, in the order given.
//   - Secrets only in the environment: credentials are passed to the child as
//     environment variables and never on its command line, where other users
//     could read them; the child's arguments are exactly the user's, untouched.
//   - Replaced, not wrapped: on Unix [Exec] calls execve(2), so the child keeps
//     awsrun's process id, terminal, and inherited file descriptors (a make
//     jobserver's, for one), and the caller sees the child's own exit status
//     or death by signal. Descriptors awsrun opened itself do not leak: Go
//     opens every file, pipe and socket close-on-exec, and nothing here
//     changes that.
//   - Or a parent, when asked: [Run] starts the child and waits for it (awsrun
//     --server must outlive the command it serves). It forwards SIGTERM,
//     SIGHUP, SIGUSR1 and SIGUSR2, survives the SIGINT and SIGQUIT the
//     terminal sends to both without sending them twice, and returns the
//     child's status, 128+N for death by signal N.
//   - Default signals: handlers do not survive execve, so a signal awsrun
//     catches (signal.Notify) reaches the child with its default action. A
//     SIGHUP or SIGINT awsrun was started ignoring (nohup, a background job)
//     stays ignored for the child, as it would under env. Signals set to be
//     ignored with signal.Ignore stay ignored across execve and cannot be
//     undone: never call it before [Exec].
//   - Exit statuses as in coreutils env: 127 when the command is not found,
//     126 when it is found but cannot be run, 125 for awsrun's own failures
//     (see [ExitCode]).
//
// On Windows there is no exec: [Exec] runs the child as a subprocess with the
// standard handles inherited, survives Ctrl-C (the console delivers it to the
// child itself) and returns the child's exit code as an [*ExitError]. Windows
// merges variables whose names differ only in case (the last one wins).
package runner
