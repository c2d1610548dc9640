package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/awsrun/awsrun/internal/cli"
	"github.com/awsrun/awsrun/runner"
)

// coreName is the program that does the cold path.
var coreName = "awsrun-core"

// NoCoreError is a launcher installed without its other half.
type NoCoreError struct {
	// Install says how to install both programs, as this launcher was
	// installed.
	Install string
}

func (e *NoCoreError) Error() string {
	return "awsrun-core, the part of awsrun that talks to STS, is not installed beside awsrun or in PATH"
}

// Hint is the install command.
func (e *NoCoreError) Hint() string { return e.Install }

const fromCheckout = "install both programs from the awsrun checkout: go install ./cmd/..."

// installCommand is how to install awsrun-core beside this launcher: from
// the checkout it was built in, or the released version it is.
func installCommand() string {
	bi, ok := debug.ReadBuildInfo()
	return installHint(bi, ok)
}

// installHint reads how the launcher was built: go build and go install in
// a checkout stamp the VCS (or, without one, the version "(devel)");
// go install of a module version stamps that version.
func installHint(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "install both programs: go install github.com/awsrun/awsrun/cmd/...@latest"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs" {
			return fromCheckout
		}
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return "install both programs: go install github.com/awsrun/awsrun/cmd/...@" + v
	}
	return fromCheckout
}

// handOver execs awsrun-core with the same flags, the MFA code moved from
// argv to AWSRUN_MFA_CODE and the launcher's build in AWSRUN_LAUNCHER_BUILD
// (awsrun-core refuses another build's launcher); it returns only if that
// fails.
func handOver(inv *cli.Invocation, environ []string) error {
	core, err := findCore()
	if err != nil {
		return err
	}
	return runner.Exec(core, append([]string{"awsrun"}, inv.CoreArgs()...), cli.HandOverEnv(inv.CoreEnviron(environ)))
}

// findCore looks beside the launcher first, so a pair installed together
// stays together, then in PATH.
func findCore() (string, error) {
	name := coreName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		if self, err = filepath.EvalSymlinks(self); err == nil {
			p := filepath.Join(filepath.Dir(self), name)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", &NoCoreError{Install: installCommand()}
}
