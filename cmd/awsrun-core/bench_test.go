package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsrun/awsrun/creds/ststest"
)

// The benchmarks time whole launches of the built programs, as a user's
// shell starts them. Each case runs in rounds interleaved with the
// baselines it is compared with — `true`, a minimal Go program, the bare
// STS calls — so that load from elsewhere on the machine falls on both
// alike, and each reports medians: ns/op is the case's median, and the
// other metrics say what it is compared with. scripts/bench runs them all
// and prints a table; timing is never asserted.

// BenchmarkWarmLaunch measures what awsrun adds to a command when the
// cache is warm: `awsrun -p role101 -- true` against `true` itself and a
// minimal Go program that execs true, built and run the same way. Run it
// with
//
//	go test -run '^$' -bench WarmLaunch -benchtime 300x ./cmd/awsrun-core
//
// Besides the median it reports the overhead over `true` and over the
// minimal Go program, measured in the same rounds, and the peak RSS in KiB
// when GNU time is installed (the kernel keeps the peak across exec, so
// the figure covers awsrun's own work).
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
	goexec := goExec(b)
	gowork := goWork(b)
	truePath := lookTrue(b)

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

	sink := newSink(b)
	workArgv := append([]string{gowork}, w.warmFiles(b)...)
	workArgv = append(workArgv, truePath)
	baseTrue := sink.command("true", w.env, truePath)
	baseGo := sink.command("goexec", w.env, goexec, truePath)
	baseWork := sink.command("gowork", w.env, workArgv...)
	cases := []struct {
		name  string
		argv  []string
		bases []trial
	}{
		{"true", []string{truePath}, nil},
		{"goexec", []string{goexec, truePath}, []trial{baseTrue}},
		{"gowork", workArgv, []trial{baseTrue, baseGo}},
		{"awsrun", []string{awsrun, "-p", "role101", "--", truePath}, []trial{baseTrue, baseGo, baseWork}},
		{"awsrun-static", []string{static, "-p", "role101", "--", truePath}, []trial{baseTrue, baseGo, baseWork}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m := measure(b, append([]trial{sink.command(c.name, w.env, c.argv...)}, c.bases...)...)
			med := reportMedian(b, m[c.name])
			if t, ok := m["true"]; ok && c.name != "true" {
				tm := median(t)
				b.ReportMetric(tm, "true-ms")
				b.ReportMetric(med-tm, "overhead-ms")
				b.ReportMetric(med/tm, "x-true")
			}
			if g, ok := m["goexec"]; ok && c.name != "goexec" {
				gm := median(g)
				b.ReportMetric(gm, "goexec-ms")
				b.ReportMetric(med-gm, "over-goexec-ms")
			}
			if g, ok := m["gowork"]; ok && c.name != "gowork" {
				gm := median(g)
				b.ReportMetric(med-gm, "over-gowork-ms")
			}
			if t, g := m["true"], m["goexec"]; len(t) > 0 && len(g) > 0 && c.name != "goexec" && c.name != "true" {
				// the bare exec floor's overhead, and this case's as a multiple of it
				tm, gm := median(t), median(g)
				b.ReportMetric((med-tm)/(gm-tm), "x-floor")
			}
			reportRSS(b, peakRSS(b, func() ([]string, []string) { return c.argv, w.env }))
		})
	}
}

// BenchmarkColdLaunch measures a launch that finds nothing in the cache:
// `awsrun -p role101 -t CODE -- true` with an empty cache directory, which
// makes the launcher exec awsrun-core, which calls GetSessionToken with the
// code and AssumeRole with the session, caches both, and execs true; built
// as go install builds it and with CGO_ENABLED=0, as a release is, and the
// latter again on a cache used before (its entries gone, its lock files
// left: a launch after the credentials expired). Run it with
//
//	go test -run '^$' -bench ColdLaunch -benchtime 60x ./cmd/awsrun-core
//
// The fake STS on loopback refuses a code used twice in one 30-second
// window, as AWS does, so every launch has an IAM user, an MFA device and a
// cache of its own. In the same rounds it times `true` and the bare pair
// of STS calls made with the SDK from this process (a new client, so a new
// connection, each time: sts-ms), and reports awsrun's own time,
//
//	own-ms = median - true-ms - sts-ms,
//
// and that as a multiple of the bare exec floor's overhead (a minimal Go
// program that execs true, less true: x-floor), and where it goes, from
// the fake's call log: from the start to the arrival of GetSessionToken
// (to-sts-ms), from there to the arrival of AssumeRole (sts-gap-ms: the
// first reply, the second request; the first entry's write goes on beside
// it), and from there to the end (after-ms: the second reply, the cache
// writes, the exec of true).
func BenchmarkColdLaunch(b *testing.B) {
	if testing.Short() {
		b.Skip("builds binaries")
	}
	f := newFixture(b)
	truePath := lookTrue(b)
	sink := newSink(b)
	// The pair as go install builds it, and as a release builds it.
	static := filepath.Join(b.TempDir(), "awsrun")
	build(b, filepath.Dir(static), "CGO_ENABLED=0", "github.com/awsrun/awsrun/cmd/awsrun", "github.com/awsrun/awsrun/cmd/awsrun-core")
	pair := trial{"sts", func(b *testing.B) time.Duration { return f.stsPair(b) }}
	base := sink.command("true", f.w.env, truePath)
	floor := sink.command("goexec", f.w.env, goExec(b), truePath)
	// A cache used before holds the steps' lock files: a launch after the
	// entries expired (most cold launches) creates only the new entries.
	var skew time.Duration
	for _, c := range []struct {
		name, bin string
		used      bool
	}{{"awsrun", binary(b), false}, {"awsrun-static", static, false}, {"awsrun-static,cache-used", static, true}} {
		b.Run(c.name, func(b *testing.B) {
			var toSTS, gap, after []float64
			cold := trial{c.name, func(b *testing.B) time.Duration {
				p := f.place(b, role101Config)
				defer p.remove()
				if c.used {
					sink.launch(b, p.env, c.bin, "-p", "role101", "-t", p.code(), "--", truePath)
					expireEntries(b, filepath.Join(p.dir, "cache", "awsrun"))
					// The next code: the fake, like AWS, takes one once.
					skew += 30 * time.Second
					f.w.srv.SetClock(func() time.Time { return time.Now().Add(skew) })
				}
				f.w.srv.ResetCalls()
				start, end := sink.launch(b, p.env, c.bin, "-p", "role101", "-t", p.code(), "--", truePath)
				calls := f.w.srv.Calls()
				if len(calls) != 2 || calls[0].Action != "GetSessionToken" || calls[1].Action != "AssumeRole" || calls[0].ErrorCode != "" || calls[1].ErrorCode != "" {
					b.Fatalf("a cold launch made the calls %+v, want GetSessionToken and AssumeRole", calls)
				}
				// The calls' times are the fake's clock: skewed by as much.
				toSTS = append(toSTS, ms(calls[0].Time.Add(-skew).Sub(start)))
				gap = append(gap, ms(calls[1].Time.Sub(calls[0].Time)))
				after = append(after, ms(end.Sub(calls[1].Time.Add(-skew))))
				return end.Sub(start)
			}}
			// One untimed round: the binaries in the page cache, the key made.
			cold.run(b)
			pair.run(b)
			toSTS, gap, after = nil, nil, nil

			m := measure(b, cold, base, floor, pair)
			med := reportMedian(b, m[c.name])
			tm, sm, gm := median(m["true"]), median(m["sts"]), median(m["goexec"])
			b.ReportMetric(tm, "true-ms")
			b.ReportMetric(sm, "sts-ms")
			b.ReportMetric(med-tm-sm, "own-ms")
			// own time as a multiple of the bare exec floor's overhead: what
			// a minimal Go program that execs true adds to true
			b.ReportMetric((med-tm-sm)/(gm-tm), "x-floor")
			b.ReportMetric(med/sm, "x-sts")
			for _, s := range [][]float64{toSTS, gap, after} {
				sort.Float64s(s)
			}
			b.ReportMetric(median(toSTS), "to-sts-ms")
			b.ReportMetric(median(gap), "sts-gap-ms")
			b.ReportMetric(median(after), "after-ms")
			reportRSS(b, peakRSS(b, func() ([]string, []string) {
				p := f.place(b, role101Config)
				return []string{c.bin, "-p", "role101", "-t", p.code(), "--", truePath}, p.env
			}))
		})
	}
}

// BenchmarkParallelCold starts 32 launches at once on an empty cache, as
// `make -j` does, with an mfa_process that counts its runs. Run it with
//
//	go test -run '^$' -bench ParallelCold -benchtime 20x ./cmd/awsrun-core
//
// It reports the median wall time from the first start to the last exit,
// the same for one cold launch in the same rounds (single-ms) and the
// ratio, the CPU time of the 32 (user and system, summed) and of the one
// (single-cpu-ms), and their ratio, and — the most
// seen in any round — the prompts (mfa_process runs) and the STS calls per
// step, which must be 1 and 1.
func BenchmarkParallelCold(b *testing.B) {
	if testing.Short() {
		b.Skip("builds binaries")
	}
	const n = 32
	f := newFixture(b)
	bin := binary(b)
	truePath := lookTrue(b)
	sink := newSink(b)
	var prompts, sessions, roles int
	var cpu []float64
	parallel := trial{"parallel", func(b *testing.B) time.Duration {
		p := f.place(b, role101Config)
		defer p.remove()
		f.w.srv.ResetCalls()
		sink.reset(b)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmds := make([]*exec.Cmd, n)
		start := time.Now()
		for i := range cmds {
			cmds[i] = exec.CommandContext(ctx, bin, "-p", "role101", "--", truePath)
			cmds[i].Env = p.env
			cmds[i].Stderr = sink.f
			if err := cmds[i].Start(); err != nil {
				b.Fatal(err)
			}
		}
		failed := 0
		var used time.Duration
		for _, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				failed++
			}
			used += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		d := time.Since(start)
		if failed > 0 {
			b.Fatalf("%d of %d launches failed:\n%s", failed, n, sink.text(b))
		}
		cpu = append(cpu, ms(used))
		prompts = max(prompts, p.mfaRuns())
		sessions = max(sessions, f.w.srv.CallCount("GetSessionToken"))
		roles = max(roles, f.w.srv.CallCount("AssumeRole"))
		return d
	}}
	var singleCPU []float64
	single := trial{"single", func(b *testing.B) time.Duration {
		p := f.place(b, role101Config)
		defer p.remove()
		sink.reset(b)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "-p", "role101", "--", truePath)
		cmd.Env = p.env
		cmd.Stderr = sink.f
		start := time.Now()
		if err := cmd.Run(); err != nil {
			b.Fatalf("a cold launch: %v\n%s", err, sink.text(b))
		}
		d := time.Since(start)
		singleCPU = append(singleCPU, ms(cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime()))
		return d
	}}
	single.run(b) // untimed: the binaries in the page cache, the key made
	singleCPU = nil

	m := measure(b, parallel, single)
	med := reportMedian(b, m["parallel"])
	sm := median(m["single"])
	b.ReportMetric(sm, "single-ms")
	b.ReportMetric(med/sm, "x-single")
	sort.Float64s(cpu)
	sort.Float64s(singleCPU)
	b.ReportMetric(median(cpu), "cpu-ms")
	b.ReportMetric(median(singleCPU), "single-cpu-ms")
	b.ReportMetric(median(cpu)/median(singleCPU), "x-single-cpu")
	b.ReportMetric(float64(prompts), "prompts")
	b.ReportMetric(float64(sessions), "GetSessionToken-calls")
	b.ReportMetric(float64(roles), "AssumeRole-calls")
}

// A trial is one timed launch.
type trial struct {
	name string
	run  func(b *testing.B) time.Duration
}

// measure runs rounds of the trials until b.Loop is done, every trial once
// a round and each round starting with the next one, and returns each
// trial's times in ms, sorted.
func measure(b *testing.B, trials ...trial) map[string][]float64 {
	times := make(map[string][]float64, len(trials))
	for round := 0; b.Loop(); round++ {
		for j := range trials {
			t := trials[(round+j)%len(trials)]
			times[t.name] = append(times[t.name], ms(t.run(b)))
		}
	}
	for _, ts := range times {
		sort.Float64s(ts)
	}
	return times
}

// reportMedian makes the median of sorted the benchmark's ns/op, so that
// tools comparing runs compare medians, reports it in ms too, and returns it.
func reportMedian(b *testing.B, sorted []float64) float64 {
	m := median(sorted)
	b.ReportMetric(m*1e6, "ns/op")
	b.ReportMetric(m, "median-ms")
	return m
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// A sink takes the launched programs' stderr: a file, so that no pipe and
// no goroutine of the benchmark's own takes part in a launch. Their stdout
// goes to /dev/null.
type sink struct{ f *os.File }

func newSink(b *testing.B) *sink {
	f, err := os.OpenFile(filepath.Join(b.TempDir(), "stderr"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	return &sink{f}
}

func (s *sink) reset(b *testing.B) {
	if err := s.f.Truncate(0); err != nil {
		b.Fatal(err)
	}
}

func (s *sink) text(b *testing.B) string {
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		b.Fatal(err)
	}
	t, _ := io.ReadAll(s.f)
	return string(t)
}

// launch runs argv with env and returns when it started and ended; a
// launch that fails fails the benchmark.
func (s *sink) launch(b *testing.B, env []string, argv ...string) (start, end time.Time) {
	s.reset(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stderr = s.f
	start = time.Now()
	err := cmd.Run()
	end = time.Now()
	if err != nil {
		b.Fatalf("%v: %v\n%s", argv, err, s.text(b))
	}
	return start, end
}

// command is the trial of running argv with env.
func (s *sink) command(name string, env []string, argv ...string) trial {
	return trial{name, func(b *testing.B) time.Duration {
		start, end := s.launch(b, env, argv...)
		return end.Sub(start)
	}}
}

// peakRSS is the largest peak resident set, in KiB, of five launches as
// GNU time reports it; next gives each launch's argv and environment. The
// kernel carries the high-water mark across exec, so it covers awsrun's
// own work too. A child forked straight from this test would report the
// test's own RSS (Go starts children with vfork), hence the detour. 0 when
// /usr/bin/time is missing.
func peakRSS(b *testing.B, next func() (argv, env []string)) int64 {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return 0
	}
	var peak int64
	for range 5 {
		argv, env := next()
		cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M"}, argv...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %v\n%s", argv, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		kib, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
		if err != nil {
			b.Fatalf("/usr/bin/time said %q", out)
		}
		peak = max(peak, kib)
	}
	return peak
}

func reportRSS(b *testing.B, kib int64) {
	if kib > 0 {
		b.ReportMetric(float64(kib), "peak-rss-KiB")
	}
}

func lookTrue(b *testing.B) string {
	p, err := exec.LookPath("true")
	if err != nil {
		b.Skip("no true(1)")
	}
	return p
}

// goExec builds the smallest Go program that execs its arguments: the
// floor for any launcher written in Go.
func goExec(b *testing.B) string {
	dir := b.TempDir()
	src := filepath.Join(dir, "goexec.go")
	if err := os.WriteFile(src, []byte(goExecSource), 0o600); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "goexec")
	build(b, bin, "", src)
	return bin
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

// goWork builds the smallest Go program that does a warm launch's work:
// it stats the two AWS files, hashes what the index hashes, reads a key
// file and two cache entries, opens them with AES-GCM (failing, with a key
// that is not theirs: the cost is the same) and execs. Its arguments are
// the key file, the two entries, and the command.
func goWork(b *testing.B) string {
	dir := b.TempDir()
	src := filepath.Join(dir, "gowork.go")
	if err := os.WriteFile(src, []byte(goWorkSource), 0o600); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "gowork")
	build(b, bin, "CGO_ENABLED=0", src)
	return bin
}

const goWorkSource = `package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"os"
	"syscall"
)

func main() {
	h := sha256.New()
	for _, v := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		fi, err := os.Stat(os.Getenv(v))
		if err == nil {
			h.Write([]byte(fi.Name()))
		}
	}
	for _, kv := range os.Environ() {
		h.Write([]byte(kv))
	}
	h.Sum(nil)
	key, err := os.ReadFile(os.Args[1])
	if err != nil || len(key) < 32 {
		panic("no key")
	}
	block, _ := aes.NewCipher(key[:32])
	aead, _ := cipher.NewGCM(block)
	for _, f := range os.Args[2:4] {
		blob, err := os.ReadFile(f)
		if err != nil || len(blob) < 40 {
			panic("no entry")
		}
		aead.Open(nil, blob[:12], blob[12:], nil)
	}
	err = syscall.Exec(os.Args[4], os.Args[4:], os.Environ())
	panic(err)
}
`

// warmFiles are the key file and two cache entries of the world's warm
// cache, for goWork.
func (w *world) warmFiles(b *testing.B) []string {
	key := filepath.Join(w.home, ".config", "awsrun", "cache.key")
	dir := filepath.Join(w.home, ".cache", "awsrun")
	ents, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	files := []string{key}
	for _, e := range ents {
		if e.Type().IsRegular() && len(e.Name()) == 64 && len(files) < 3 {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	if len(files) != 3 {
		b.Fatalf("the warm cache holds %d entries, want 2 or more", len(files)-1)
	}
	return files
}

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

// expireEntries removes what a cache directory holds but its lock files,
// as expiry and pruning leave it.
func expireEntries(b *testing.B, dir string) {
	des, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, de := range des {
		if !strings.HasSuffix(de.Name(), ".lock") {
			if err := os.Remove(filepath.Join(dir, de.Name())); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// A fixture hands out places to launch awsrun from on one fake STS, each
// with an IAM user and MFA device of its own: the fake, like AWS, takes a
// code once, and every cold launch sends one.
type fixture struct {
	w *world
	n int
}

func newFixture(b *testing.B) *fixture {
	w := newWorldB(b)
	// Any user of the account may assume role101, with MFA.
	w.srv.SetRolePolicy(roleARN, ststest.RolePolicy{Principals: []string{acct}, RequireMFA: true})
	return &fixture{w: w}
}

// role101Config is the seeds' role101 profile, with @SERIAL@ standing for
// the place's MFA device and @DIR@ for its directory.
const role101Config = "[profile role101]\nrole_arn = " + roleARN + "\nsource_profile = user101\nmfa_serial = @SERIAL@\n" +
	"mfa_process = echo run >> '@DIR@/mfa-runs'; cat '@DIR@/mfa-code'\nregion = eu-west-1\n"

// A place is a directory with a shared config, a credentials file and a
// cache of its own, and the environment that points awsrun at them.
type place struct {
	dir string
	env []string
	dev *ststest.MFADevice
	srv *ststest.Server
}

func (f *fixture) identity() (*ststest.User, *ststest.MFADevice) {
	f.n++
	u := f.w.srv.AddUser(fmt.Sprintf("arn:aws:iam::%s:user/bench%d", acct, f.n))
	d := f.w.srv.AddMFADevice(fmt.Sprintf("arn:aws:iam::%s:mfa/bench%d", acct, f.n), u)
	return u, d
}

// place makes a new place whose config is config, and whose credentials
// file holds a new user's keys as [user101], and the scale sources. The
// cache key is the world's, made on first use.
func (f *fixture) place(b *testing.B, config string) *place {
	u, d := f.identity()
	p := &place{dir: filepath.Join(f.w.home, "places", strconv.Itoa(f.n)), dev: d, srv: f.w.srv}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		b.Fatal(err)
	}
	config = strings.NewReplacer("@SERIAL@", d.Serial, "@DIR@", p.dir).Replace(config)
	files := map[string]string{
		"config":      config,
		"credentials": scaleCredentials(u),
		"mfa-code":    p.code() + "\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(p.dir, name), []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	for _, kv := range f.w.env {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "XDG_CACHE_HOME":
			continue
		}
		p.env = append(p.env, kv)
	}
	p.env = append(p.env,
		"AWS_CONFIG_FILE="+filepath.Join(p.dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(p.dir, "credentials"),
		"XDG_CACHE_HOME="+filepath.Join(p.dir, "cache"))
	return p
}

// code is the place's MFA code now.
func (p *place) code() string { return p.dev.Code(p.srv.Now()) }

// mfaRuns counts the runs of the place's mfa_process.
func (p *place) mfaRuns() int {
	b, _ := os.ReadFile(filepath.Join(p.dir, "mfa-runs"))
	return strings.Count(string(b), "run")
}

func (p *place) remove() { os.RemoveAll(p.dir) }

// stsPair makes the two calls of a cold launch with the SDK, from this
// process, with a new client (so a new connection) and a new user: the
// time STS and the SDK take, without awsrun.
func (f *fixture) stsPair(b *testing.B) time.Duration {
	u, d := f.identity()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := sts.New(sts.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(f.w.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(u.AccessKeyID, u.SecretAccessKey, ""),
	})
	code := d.Code(f.w.srv.Now())
	start := time.Now()
	st, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		DurationSeconds: aws.Int32(43200), SerialNumber: aws.String(d.Serial), TokenCode: aws.String(code)})
	if err != nil {
		b.Fatal(err)
	}
	c := st.Credentials
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("awsrun-tester"), DurationSeconds: aws.Int32(3600)},
		func(o *sts.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
		})
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}
