//go:build unix && !darwin

package cache

import (
	"os"
	"path/filepath"
	"strings"
)

// cacheHome and configHome are adrg/xdg's CacheHome and ConfigHome, read
// from the environment as xdg reads it, without the package: xdg reads
// and parses user-dirs.dirs at init, a cost on every launch for a value
// awsrun never uses. TestBaseDirsAgreeWithXDG holds the two together.
// getenv reads the environment (os.Getenv when nil).
func cacheHome(getenv func(string) string) string {
	return xdgEnvPath(getenv, "XDG_CACHE_HOME", ".cache")
}

func configHome(getenv func(string) string) string {
	return xdgEnvPath(getenv, "XDG_CONFIG_HOME", ".config")
}

// xdgEnvPath is xdg's pathutil.EnvPath(name, $HOME/rel): the variable
// when it is an absolute path once ~ or $HOME at its start is expanded,
// else $HOME/rel ("/" standing for an unset HOME).
func xdgEnvPath(getenv func(string) string, name, rel string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	home := getenv("HOME")
	if home == "" {
		home = "/"
	}
	if dir := xdgExpandHome(getenv(name), home); dir != "" && filepath.IsAbs(dir) {
		return dir
	}
	if dir := xdgExpandHome(filepath.Join(home, rel), home); dir != "" && filepath.IsAbs(dir) {
		return dir
	}
	return ""
}

func xdgExpandHome(path, home string) string {
	switch {
	case path == "":
		return path
	case path[0] == '~':
		return filepath.Join(home, path[1:])
	case strings.HasPrefix(path, "$HOME"):
		return filepath.Join(home, path[5:])
	}
	return path
}
