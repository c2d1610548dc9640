package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsrun/awsrun/cache"
	"github.com/awsrun/awsrun/creds/ststest"
	"github.com/awsrun/awsrun/creds/warm"
)

// The scale benchmarks run awsrun with a shared config of thousands of
// profiles and a cache of thousands of entries. A warm launch stats the
// two AWS files and reads two cache entries by name, so its cost should
// not grow with either; the cold path and --list parse the whole config,
// and --list opens every cache entry, so theirs does.

// bigProfiles and bigCache are the sizes of a large organisation's setup,
// and then some.
const (
	bigProfiles = 5000
	bigCache    = 10000
)

// BenchmarkScaleWarm compares warm launches with the seeds' one-profile
// config and a four-entry cache (small) and with 5,000 profiles and
// 10,000 more entries (large), in the same rounds as `true`. Run it with
//
//	go test -run '^$' -bench ScaleWarm -benchtime 300x ./cmd/awsrun-core
//
// large reports x-small: its overhead over `true` divided by small's.
func BenchmarkScaleWarm(b *testing.B) {
	if testing.Short() {
		b.Skip("builds binaries")
	}
	f := newFixture(b)
	bin := binary(b)
	alone := launcherAloneB(b)
	truePath := lookTrue(b)
	sink := newSink(b)
	small := f.place(b, role101Config)
	large := f.place(b, bigConfig(bigProfiles))
	for _, p := range []*place{small, large} {
		sink.launch(b, p.env, bin, "-p", "role101", "-t", p.code(), "--", truePath)
		// The launcher alone serves it: the warm path is what is measured.
		sink.launch(b, p.env, alone, "-p", "role101", "--", truePath)
	}
	fillCache(b, large, bigCache)

	argv := []string{bin, "-p", "role101", "--", truePath}
	base := sink.command("true", f.w.env, truePath)
	smallT := sink.command("small", small.env, argv...)
	largeT := sink.command("large", large.env, argv...)
	b.Run("small", func(b *testing.B) {
		m := measure(b, smallT, base)
		med, tm := reportMedian(b, m["small"]), median(m["true"])
		b.ReportMetric(tm, "true-ms")
		b.ReportMetric(med-tm, "overhead-ms")
		reportRSS(b, peakRSS(b, func() ([]string, []string) { return argv, small.env }))
	})
	b.Run("large", func(b *testing.B) {
		m := measure(b, largeT, smallT, base)
		med, sm, tm := reportMedian(b, m["large"]), median(m["small"]), median(m["true"])
		b.ReportMetric(tm, "true-ms")
		b.ReportMetric(med-tm, "overhead-ms")
		b.ReportMetric(sm-tm, "small-overhead-ms")
		b.ReportMetric((med-tm)/(sm-tm), "x-small")
		reportRSS(b, peakRSS(b, func() ([]string, []string) { return argv, large.env }))
	})
}

// BenchmarkScaleCold is a cold launch (as BenchmarkColdLaunch) with
// configs of 50, 500 and 5,000 profiles, each in the same rounds as the
// one with 50. Run it with
//
//	go test -run '^$' -bench ScaleCold -benchtime 30x ./cmd/awsrun-core
func BenchmarkScaleCold(b *testing.B) {
	if testing.Short() {
		b.Skip("builds binaries")
	}
	f := newFixture(b)
	bin := binary(b)
	truePath := lookTrue(b)
	sink := newSink(b)
	cold := func(n int) trial {
		config := bigConfig(n)
		return trial{fmt.Sprint(n), func(b *testing.B) time.Duration {
			p := f.place(b, config)
			defer p.remove()
			start, end := sink.launch(b, p.env, bin, "-p", "role101", "-t", p.code(), "--", truePath)
			return end.Sub(start)
		}}
	}
	base := cold(50)
	base.run(b) // untimed: the binaries in the page cache, the key made
	for _, n := range []int{50, 500, bigProfiles} {
		b.Run(fmt.Sprintf("profiles=%d", n), func(b *testing.B) {
			trials := []trial{cold(n)}
			if n != 50 {
				trials = append(trials, base)
			}
			reportGrowth(b, measure(b, trials...), fmt.Sprint(n), "50")
		})
	}
}

// BenchmarkScaleList is awsrun --list with configs of 50, 500 and 5,000
// profiles and the few entries of one cold launch in the cache, and with
// 5,000 profiles and 10,000 more entries; each in the same rounds as the
// one with 50. Run it with
//
//	go test -run '^$' -bench ScaleList -benchtime 30x ./cmd/awsrun-core
func BenchmarkScaleList(b *testing.B) {
	if testing.Short() {
		b.Skip("builds binaries")
	}
	f := newFixture(b)
	bin := binary(b)
	truePath := lookTrue(b)
	sink := newSink(b)
	places := map[string]*place{}
	for _, n := range []int{50, 500, bigProfiles} {
		p := f.place(b, bigConfig(n))
		sink.launch(b, p.env, bin, "-p", "role101", "-t", p.code(), "--", truePath)
		places[fmt.Sprint(n)] = p
	}
	big := f.place(b, bigConfig(bigProfiles))
	sink.launch(b, big.env, bin, "-p", "role101", "-t", big.code(), "--", truePath)
	fillCache(b, big, bigCache)
	places["big"] = big
	list := func(name string) trial { return sink.command(name, places[name].env, bin, "--list") }

	for _, c := range []struct{ sub, place string }{
		{"profiles=50", "50"},
		{"profiles=500", "500"},
		{fmt.Sprintf("profiles=%d", bigProfiles), fmt.Sprint(bigProfiles)},
		{fmt.Sprintf("profiles=%d,entries=%d", bigProfiles, bigCache), "big"},
	} {
		b.Run(c.sub, func(b *testing.B) {
			trials := []trial{list(c.place)}
			if c.place != "50" {
				trials = append(trials, list("50"))
			}
			reportGrowth(b, measure(b, trials...), c.place, "50")
			reportRSS(b, peakRSS(b, func() ([]string, []string) { return []string{bin, "--list"}, places[c.place].env }))
		})
	}
}

// reportGrowth reports the median of trial name, and how it compares with
// the base trial measured in the same rounds.
func reportGrowth(b *testing.B, m map[string][]float64, name, base string) {
	med := reportMedian(b, m[name])
	if name == base {
		return
	}
	bm := median(m[base])
	b.ReportMetric(bm, "p"+base+"-ms")
	b.ReportMetric(med-bm, "growth-ms")
	b.ReportMetric(med/bm, "x-p"+base)
}

// scaleSources are the IAM users, besides user101, whose keys the
// generated profiles chain from.
const scaleSources = 3

// bigConfig is a shared config of n profiles, role101 last, shaped as a
// large organisation's generated one: every third profile is a role in an
// account of its own reached from one of a few sources with MFA, and the
// next two chain on from it.
func bigConfig(n int) string {
	regions := []string{"us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2"}
	var sb strings.Builder
	sb.WriteString("[default]\nregion = us-east-1\n\n")
	for i := range n - 1 {
		fmt.Fprintf(&sb, "[profile p%04d]\nrole_arn = arn:aws:iam::%012d:role/team-%04d-admin\n", i, 200000000000+i/3, i)
		switch src := i / 3 % (scaleSources + 1); {
		case i%3 != 0:
			fmt.Fprintf(&sb, "source_profile = p%04d\n", i-1)
		case src == 0:
			sb.WriteString("source_profile = user101\nmfa_serial = @SERIAL@\n")
		default:
			fmt.Fprintf(&sb, "source_profile = src%d\nmfa_serial = arn:aws:iam::%s:mfa/src%d\n", src, acct, src)
		}
		fmt.Fprintf(&sb, "region = %s\nduration_seconds = 3600\n\n", regions[i%len(regions)])
	}
	sb.WriteString(role101Config)
	return sb.String()
}

// scaleCredentials is a credentials file with u's keys as user101, and
// the other sources of bigConfig.
func scaleCredentials(u *ststest.User) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "[user101]\naws_access_key_id = %s\naws_secret_access_key = %s\n", u.AccessKeyID, u.SecretAccessKey)
	for k := 1; k <= scaleSources; k++ {
		fmt.Fprintf(&sb, "\n[src%d]\naws_access_key_id = AKIA%016d\naws_secret_access_key = %040d\n", k, k, k)
	}
	return sb.String()
}

// fillCache puts n entries shaped as awsrun's own — role and session
// credentials, warm index entries, used codes, a tenth of them expired —
// under random ids into the place's cache, with the world's key.
func fillCache(b *testing.B, p *place, n int) {
	s, err := cache.Open(cache.Options{Dir: filepath.Join(p.dir, "cache", "awsrun"), KeyDir: keyDir(p), KeyStore: "file"})
	if err != nil {
		b.Fatal(err)
	}
	const workers = 8 // each Put syncs twice; the disk takes several at once
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := s.Put(randomID(), scaleEntry(i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

func keyDir(p *place) string {
	for _, kv := range p.env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			return filepath.Join(v, "awsrun")
		}
	}
	panic("no XDG_CONFIG_HOME")
}

func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// scaleEntry is the i-th entry of a large cache.
func scaleEntry(i int) *cache.Entry {
	expires := time.Now().Add(time.Duration(mrand.IntN(12*60)) * time.Minute)
	if i%10 == 0 {
		expires = time.Now().Add(-time.Duration(mrand.IntN(48*60)) * time.Minute)
	}
	profile := fmt.Sprintf("p%04d", i%bigProfiles)
	arn := fmt.Sprintf("arn:aws:iam::%012d:role/team-%04d-admin", 200000000000+i%bigProfiles/3, i%bigProfiles)
	c := warm.Credentials{
		AccessKeyID:     "ASIA" + strings.ToUpper(randomID()[:16]),
		SecretAccessKey: randomID()[:40],
		SessionToken:    strings.Repeat(randomID(), 13), // 832 characters, as STS's are
		Expiration:      expires,
	}
	switch i % 20 {
	case 0:
		return &cache.Entry{Kind: "mfa-code", Label: fmt.Sprintf("arn:aws:iam::%s:mfa/src%d", acct, i%scaleSources), Expires: expires, Data: []byte("123456")}
	case 1:
		return &cache.Entry{Kind: "session", Label: fmt.Sprintf("src%d arn:aws:iam::%s:mfa/src%d", i%scaleSources, acct, i%scaleSources), Expires: expires, Data: warm.Encode(c)}
	}
	if i%2 == 0 {
		t, _ := json.Marshal(warm.Target{Step: randomID(), Region: "eu-west-1", Profile: profile})
		return &cache.Entry{Kind: "index", Label: profile, Expires: expires, Data: t}
	}
	return &cache.Entry{Kind: "role", Label: profile + " " + arn, Expires: expires, Data: warm.Encode(c)}
}

// launcherAloneB copies the launcher into a directory of its own, where a
// launch that is not served warm fails.
func launcherAloneB(b *testing.B) string {
	t, err := os.ReadFile(binary(b))
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "awsrun")
	if err := os.WriteFile(p, t, 0o755); err != nil {
		b.Fatal(err)
	}
	return p
}
