package cli

import "runtime/debug"

// buildVersion is set at release time with
// -ldflags "-X github.com/awsrun/awsrun/internal/cli.buildVersion=v1.2.3".
var buildVersion = ""

// Version is awsrun's version: the release's, else the module's, else devel.
func Version() string {
	if buildVersion != "" {
		return buildVersion
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
