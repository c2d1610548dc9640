package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
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
	awsrun := filepath.Join(dir, "awsrun")
	build(b, awsrun, "github.com/awsrun/awsrun/cmd/awsrun")
	goexec := filepath.Join(dir, "goexec")
	src := filepath.Join(dir, "goexec.go")
	if err := os.WriteFile(src, []byte(goExecSource), 0o600); err != nil {
		b.Fatal(err)
	}
	build(b, goexec, src)
	truePath, err := exec.LookPath("true")
	if err != nil {
		b.Skip("no true(1)")
	}

	// Warm the cache.
	warm := exec.Command(awsrun, "-p", "role101", "-t", w.code(), "--", "true")
	warm.Env = w.env
	if out, err := warm.CombinedOutput(); err != nil {
		b.Fatalf("warming the cache: %v\n%s", err, out)
	}

	cases := []struct {
		name string
		argv []string
	}{
		{"true", []string{truePath}},
		{"goexec", []string{goexec, truePath}},
		{"awsrun", []string{awsrun, "-p", "role101", "--", truePath}},
	}
	medians := map[string]float64{}
	var rss int64
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
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
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && c.name == "awsrun" {
					rss = max(rss, ru.Maxrss)
				}
			}
			sort.Float64s(times)
			medians[c.name] = times[len(times)/2]
			b.ReportMetric(medians[c.name], "median-ms")
			if c.name == "awsrun" {
				b.ReportMetric(medians["awsrun"]-medians["true"], "overhead-ms")
				b.ReportMetric(float64(rss), "peak-rss-KiB")
			}
		})
	}
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

func build(tb testing.TB, out, pkg string) {
	tb.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
}
