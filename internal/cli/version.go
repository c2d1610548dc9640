package cli

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// Set at release time, in both programs alike, with
//
//	-ldflags "-X github.com/awsrun/awsrun/internal/cli.version=1.2.3
//	          -X github.com/awsrun/awsrun/internal/cli.commit=<full hash>
//	          -X github.com/awsrun/awsrun/internal/cli.date=<RFC 3339>"
//
// (.goreleaser.yaml does). Unset, they come from the module and VCS
// information Go records in the binary.
var (
	version = ""
	commit  = ""
	date    = ""
)

// Build is what a program was built from.
type Build struct {
	Version string // 1.2.3, a pseudo-version, or devel
	Commit  string // the VCS revision, "" when unknown
	Date    string // the commit's or build's time, "" when unknown
}

// CurrentBuild is this program's build: the release's stamp, else what Go
// recorded (go install …@v1.2.3 records the module version; a build in a
// checkout, the revision), else devel.
func CurrentBuild() Build {
	b := Build{Version: version, Commit: commit, Date: date}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		var modified bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if modified && commit == "" && b.Commit != "" {
			b.Commit += "-dirty"
		}
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	// Release tags are v1.2.3; GoReleaser stamps 1.2.3. Say it one way.
	if len(b.Version) > 1 && b.Version[0] == 'v' && b.Version[1] >= '0' && b.Version[1] <= '9' {
		b.Version = b.Version[1:]
	}
	return b
}

// String is the build as --version prints it after the program's name:
// "1.2.3 (commit 0123abc…, 2026-01-02T15:04:05Z)".
func (b Build) String() string {
	return fmt.Sprintf("%s (commit %s, %s)", b.Version, orUnknown(b.Commit), orUnknown(b.Date))
}

// id is what two builds must share to work together: the version and the
// commit. The date is left out: it says nothing about the code.
func (b Build) id() string { return strings.TrimSpace(b.Version + " " + b.Commit) }

// PrintVersion writes name's --version line.
func PrintVersion(w io.Writer, name string) {
	fmt.Fprintln(w, name, CurrentBuild())
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
