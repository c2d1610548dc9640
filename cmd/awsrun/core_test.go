package main

import (
	"runtime/debug"
	"testing"
)

// TestMissingCoreHintMatchesTheInstall guards the hint of a launcher
// without awsrun-core: the command that installs the pair as this
// launcher was installed.
func TestMissingCoreHintMatchesTheInstall(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"checkout with git", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261127101010-abcdefabcdef+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}}}, true, fromCheckout},
		{"checkout without VCS", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, fromCheckout},
		{"go install @v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, true,
			"install both programs: go install github.com/awsrun/awsrun/cmd/...@v1.2.3"},
		{"no build info", nil, false, "install both programs: go install github.com/awsrun/awsrun/cmd/...@latest"},
	}
	for _, tt := range tests {
		if got := installHint(tt.bi, tt.ok); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
