//go:build unix && !darwin

package cache

import (
	"testing"

	"github.com/adrg/xdg"
)

// TestBaseDirsAgreeWithXDG: the launcher resolves the cache and key
// directories without adrg/xdg; awsrun-core and every earlier release
// resolved them with it. They must agree, or the launcher would look in
// another cache.
func TestBaseDirsAgreeWithXDG(t *testing.T) {
	t.Cleanup(xdg.Reload) // last: after the variables are restored
	homes := []string{"", "/home/u", "/home/u/", "rel/home", "/", "~weird"}
	values := []string{"", "/abs/dir", "/abs/dir/", "relative/dir", "~", "~/c", "~c", "$HOME", "$HOME/c", "$HOMEc", "./c", "/a/../b"}
	for _, home := range homes {
		for _, v := range values {
			t.Setenv("HOME", home)
			t.Setenv("XDG_CACHE_HOME", v)
			t.Setenv("XDG_CONFIG_HOME", v)
			xdg.Reload()
			// The process environment, and the launcher's copy of it
			// (Options.Getenv).
			env := map[string]string{"HOME": home, "XDG_CACHE_HOME": v, "XDG_CONFIG_HOME": v}
			for _, getenv := range []func(string) string{nil, func(k string) string { return env[k] }} {
				if got := cacheHome(getenv); got != xdg.CacheHome {
					t.Errorf("HOME=%q XDG_CACHE_HOME=%q: cacheHome() = %q, xdg says %q", home, v, got, xdg.CacheHome)
				}
				if got := configHome(getenv); got != xdg.ConfigHome {
					t.Errorf("HOME=%q XDG_CONFIG_HOME=%q: configHome() = %q, xdg says %q", home, v, got, xdg.ConfigHome)
				}
			}
		}
	}
}
