package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// BenchmarkWarmLaunch measures what awsrun adds to a command when the
// cache is warm: `awsrun -p role101 -- true` against `true` itself and a
// minimal Go program that execs true, built and run the same way. Run it
// with
//
//	go test -run '^$' -bench WarmLaunch -benchtime 200x ./cmd/awsrun
//
// It reports the medians in ms and awsrun's peak RSS in KiB (the kernel
// keeps the peak across exec, so the figure covers awsrun's own work).
func BenchmarkWarmLaunch(b *testing.B) {
	if testing.Short() {
		b.Skip("builds binaries")
	}
	w := newWorldB(b)
	dir := b.TempDir()
	// The pair as go install builds it, and as a release builds it: without
	// cgo the binaries are static and skip the dynamic loader.
	awsrun := filepath.Join(dir, "default", "awsrun")
	build(b, filepath.Dir(awsrun), "", "github.com/awsrun/awsrun/cmd/awsrun", "github.com/awsrun/awsrun/cmd/awsrun-core")
	static := filepath.Join(dir, "static", "awsrun")
	build(b, filepath.Dir(static), "CGO_ENABLED=0", "github.com/awsrun/awsrun/cmd/awsrun", "github.com/awsrun/awsrun/cmd/awsrun-core")
	goexec := filepath.Join(dir, "goexec")
	src := filepath.Join(dir, "goexec.go")
	if err := os.WriteFile(src, []byte(goExecSource), 0o600); err != nil {
		b.Fatal(err)
	}
	build(b, goexec, "", src)
	truePath, err := exec.LookPath("true")
	if err != nil {
		b.Skip("no true(1)")
	}

	// Warm the cache, and check the launcher serves the next run alone.
	warm := exec.Command(awsrun, "-p", "role101", "-t", w.code(), "--", "true")
	warm.Env = w.env
	if out, err := warm.CombinedOutput(); err != nil {
		b.Fatalf("warming the cache: %v\n%s", err, out)
	}
	for _, bin := range []string{awsrun, static} {
		if err := os.Rename(filepath.Join(filepath.Dir(bin), "awsrun-core"), filepath.Join(dir, "core.away")); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(bin, "-p", "role101", "--", "true")
		cmd.Env = w.env
		out, err := cmd.CombinedOutput()
		os.Rename(filepath.Join(dir, "core.away"), filepath.Join(filepath.Dir(bin), "awsrun-core"))
		if err != nil {
			b.Fatalf("a warm launch needed awsrun-core: %v\n%s", err, out)
		}
	}

	cases := []struct {
		name string
		argv []string
	}{
		{"true", []string{truePath}},
		{"goexec", []string{goexec, truePath}},
		{"awsrun", []string{awsrun, "-p", "role101", "--", truePath}},
		{"awsrun-static", []string{static, "-p", "role101", "--", truePath}},
	}
	medians := map[string]float64{}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var rss int64
			times := make([]float64, 0, b.N)
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				cmd := exec.CommandContext(ctx, c.argv[0], c.argv[1:]...)
				cmd.Env = w.env
				start := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					cancel()
					b.Fatalf("%v: %v\n%s", c.argv, err, out)
				}
				times = append(times, float64(time.Since(start).Microseconds())/1000)
				cancel()
			}
			rss = peakRSS(b, c.argv, w.env)
			sort.Float64s(times)
			medians[c.name] = times[len(times)/2]
			b.ReportMetric(medians[c.name], "median-ms")
			b.ReportMetric(float64(rss), "peak-rss-KiB")
			if c.name != "true" {
				b.ReportMetric(medians[c.name]-medians["true"], "overhead-ms")
			}
		})
	}
}

// peakRSS is argv's peak resident set in KiB, as GNU time reports it; the
// kernel carries the high-water mark across exec, so it covers awsrun's own
// work too. A child forked straight from this test would report the test's
// own RSS (Go starts children with vfork), hence the detour. 0 when
// /usr/bin/time is missing.
func peakRSS(b *testing.B, argv, env []string) int64 {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return 0
	}
	var peak int64
	for range 5 {
		cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M"}, argv...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %v\n%s", argv, err, out)
		}
		var kib int64
		if _, err := fmt.Sscan(string(out), &kib); err != nil {
			b.Fatalf("/usr/bin/time said %q", out)
		}
		peak = max(peak, kib)
	}
	return peak
}

const goExecSource = `package main

import (
	"os"
	"syscall"
)

func main() {
	err := syscall.Exec(os.Args[1], os.Args[1:], os.Environ())
	panic(err)
}
`

// build runs go build with extra environment (e.g. CGO_ENABLED=0) into
// out: a file for one package, a directory for several.
func build(tb testing.TB, out, env string, pkgs ...string) {
	tb.Helper()
	if len(pkgs) > 1 {
		if err := os.MkdirAll(out, 0o755); err != nil {
			tb.Fatal(err)
		}
		out += string(filepath.Separator) // go build -o DIR/ for several
	}
	cmd := exec.Command("go", append([]string{"build", "-o", out}, pkgs...)...)
	cmd.Env = os.Environ()
	if env != "" {
		cmd.Env = append(cmd.Env, env)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %v: %v\n%s", pkgs, err, b)
	}
}
