package runner

import (
	"bytes"
	"os"
)

// Environ is the environment this process was started with, exactly as the
// kernel handed it: every entry, duplicates included, in order. os.Environ
// drops later duplicates of a name, and awsrun passes everything but the
// removed names through unchanged (README: Environment). It falls back to os.Environ if
// /proc/self/environ cannot be read.
func Environ() []string {
	b, err := os.ReadFile("/proc/self/environ")
	if err != nil || len(b) == 0 {
		return os.Environ()
	}
	var env []string
	for _, kv := range bytes.Split(bytes.TrimSuffix(b, []byte{0}), []byte{0}) {
		env = append(env, string(kv))
	}
	return env
}
