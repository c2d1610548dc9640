package creds

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
)

// rawShapes are files whose sections a lazy parse must find as the whole
// parse does, and files it must leave to the whole parse.
var rawShapes = []string{
	"[profile a]\nregion = eu-west-1\n[profile b]\nsource_profile = a\n",
	"region = before any section\n[default]\nregion = us-east-1\n[profile  a]\nx=1\n[ profile a ]\ny = 2\n[profile\ta]\nx = 3\n",
	"[profile a]\r\nmfa_process = echo '[profile b]' # and ; all\r\n[profile b]\r\nk = v\r\n",
	"  [profile a]  # a comment\nk = v\n\t[profile b]\nboolean\n; [profile c]\n# [profile d]\n[profile e]]\nk = ]\n",
	"\u00a0[profile a]\nk = v\n\v[profile b]\n\u2003k = v\n",
	"[DEFAULT]\nk = v\n[profile a]\nk = v\n[DEFAULT]\nj = w\n",
	"[profile a]\nk = \"\"\"one\n[profile b]\ntwo\"\"\"\n[profile c]\nk = v\n",
	"[profile a]\nk = `one\n[profile b]\n`\n",
	"[profile a]\nk = one \\\n[profile b]\n",
	"[profile a]\n\"quoted key\" = v\n",
	"[profile a]\n''\n",
	"[profile a\nk = v\n",
	"[]\nk = v\n",
	"\xff\xfe[profile a]\nk = v\n",
	"[profile a]\nk = C:\\dir\\ \n",
	"[profile a]\n= no key\n:also none\nk: colon\nk = again\n",
	"",
	"[profile a]",
	"no sections at all\n",
}

// TestRawFileLazyIsWhole: for every section name, the sections a rawFile
// parses on demand are the whole parse's, key for key, in order.
func TestRawFileLazyIsWhole(t *testing.T) {
	for _, text := range rawShapes {
		checkLazyIsWhole(t, text)
	}
	var big strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&big, "[profile p%d]\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = p%d\n\n", i%2500, i, i+1)
	}
	checkLazyIsWhole(t, big.String()) // repeats, and parts parsed apart
}

func FuzzRawFileLazy(f *testing.F) {
	for _, text := range rawShapes {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) { checkLazyIsWhole(t, text) })
}

func checkLazyIsWhole(t *testing.T, text string) {
	t.Helper()
	whole, werr := ini.LoadSources(rawOptions, []byte(text))
	lazy, lerr := newRawFile([]byte(text), "config")
	if (werr == nil) != (lerr == nil) {
		t.Fatalf("%q: whole parse error %v, rawFile error %v", text, werr, lerr)
	}
	if werr != nil {
		return
	}
	all, err := newRawFile([]byte(text), "config")
	if err != nil {
		t.Fatal(err)
	}
	if err := all.parseWhole(); err != nil {
		t.Fatalf("%q: parseWhole: %v", text, err)
	}
	want := map[string][]string{}
	var headers []string
	for _, s := range whole.Sections()[1:] {
		headers = append(headers, s.Name())
		if s.Name() != ini.DefaultSection {
			n := sdkSectionName(s.Name())
			want[n] = append(want[n], dump(s))
		}
	}
	if !slices.Equal(lazy.headers, headers) || !slices.Equal(all.headers, headers) {
		t.Errorf("%q: headers %q (lazy), %q (in parts), want %q", text, lazy.headers, all.headers, headers)
	}
	for n, w := range want {
		for _, f := range []*rawFile{lazy, all} {
			var got []string
			for _, s := range f.named(n) {
				got = append(got, dump(s))
			}
			if !slices.Equal(got, w) {
				t.Errorf("%q: sections %q = %q, want %q", text, n, got, w)
			}
		}
	}
}

// TestRawProfileInheritsNothing: [profile team.dev] takes no key from
// [profile team], as the SDK's parse does not, whether the file is read a
// profile at a time or whole (a backquote anywhere makes it whole).
func TestRawProfileInheritsNothing(t *testing.T) {
	const config = "[profile team]\nmfa_process = echo 123456\nsession_tags = Team=evil\n" +
		"[profile team.dev]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
	for _, text := range []string{config, config + "# run `aws sso login` first\n"} {
		f, err := newRawFile([]byte(text), "config")
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{"mfa_process", "session_tags"} {
			if v := valueIn(f.named("profile team.dev"), key); v != "" {
				t.Errorf("%q: team.dev's %s = %q, inherited from team", text, key, v)
			}
		}
		if v := valueIn(f.named("profile team"), "mfa_process"); v != "echo 123456" {
			t.Errorf("%q: team's mfa_process = %q", text, v)
		}
	}
}

func dump(s *ini.Section) string {
	var b strings.Builder
	for _, k := range s.Keys() {
		fmt.Fprintf(&b, "%q=%q;", k.Name(), k.Value())
	}
	return b.String()
}
