//go:build !unix || darwin

package cache

import "github.com/adrg/xdg"

// cacheHome and configHome are xdg's: on macOS and Windows its answers
// come from the system's own folders (Library, the known-folder API).
func cacheHome() string  { return xdg.CacheHome }
func configHome() string { return xdg.ConfigHome }
