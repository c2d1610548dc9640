package cli

import (
	"fmt"
	"os"
	"strings"
)

// launcherBuildVar carries the launcher's build to awsrun-core when it
// hands over. The two programs share the cache format, the warm index and
// the flags: an awsrun-core of another build could misread what the
// launcher wrote, or take a flag in another sense, without a word.
const launcherBuildVar = "AWSRUN_LAUNCHER_BUILD"

// HandOverEnv is environ as the launcher passes it to awsrun-core: with
// the launcher's build, which awsrun-core checks before it does anything
// (AcceptHandOver). A value inherited from the caller is replaced.
func HandOverEnv(environ []string) []string {
	return append(withoutVar(environ, launcherBuildVar), launcherBuildVar+"="+CurrentBuild().id())
}

// AcceptHandOver is awsrun-core's first step. It takes the launcher's
// build out of environ and out of the process's environment (neither the
// command, nor mfa_process, nor the SDK's providers are to see it) and
// refuses a launcher of another build. Without the variable, awsrun-core
// was run by its own name and has no launcher to check.
func AcceptHandOver(environ []string) (rest []string, err error) {
	var launcher string
	launched := false
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, launcherBuildVar+"="); ok {
			launcher, launched = v, true
			break
		}
	}
	if !launched {
		return environ, nil
	}
	rest = withoutVar(environ, launcherBuildVar)
	os.Unsetenv(launcherBuildVar)
	if own := CurrentBuild(); launcher != own.id() {
		path, _ := os.Executable()
		return rest, &BuildMismatchError{Launcher: launcher, Core: own, CorePath: path}
	}
	return rest, nil
}

// BuildMismatchError is a launcher handing over to an awsrun-core of
// another build.
type BuildMismatchError struct {
	Launcher string // the launcher's version and commit
	Core     Build
	CorePath string
}

func (e *BuildMismatchError) Error() string {
	launcher := e.Launcher
	if len(launcher) > 200 {
		launcher = launcher[:200] + "…"
	}
	v, c, _ := strings.Cut(launcher, " ")
	where := ""
	if e.CorePath != "" {
		where = " at " + e.CorePath
	}
	return fmt.Sprintf("awsrun %s (commit %s) will not hand over to awsrun-core %s (commit %s)%s: they are from different builds, and may disagree on the cache format and the flags",
		v, orUnknown(c), e.Core.Version, orUnknown(e.Core.Commit), where)
}

// Hint says how to get a matching pair.
func (e *BuildMismatchError) Hint() string {
	return "install awsrun and awsrun-core together, from one release archive or package, or with `go install github.com/awsrun/awsrun/cmd/...@VERSION`; `type -a awsrun awsrun-core` shows which ones are found"
}

func withoutVar(environ []string, name string) []string {
	out := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
