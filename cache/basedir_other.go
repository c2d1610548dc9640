//go:build !unix || darwin

package cache

import "github.com/adrg/xdg"

// cacheHome and configHome are xdg's: on macOS and Windows its answers
// come from the system's own folders (Library, the known-folder API).
// Options.Getenv does not apply: xdg read the environment at init.
func cacheHome(func(string) string) string  { return xdg.CacheHome }
func configHome(func(string) string) string { return xdg.ConfigHome }
