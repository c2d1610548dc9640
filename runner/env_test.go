package runner

import (
	"slices"
	"strings"
	"testing"
)

func TestEnv(t *testing.T) {
	tests := []struct {
		name   string
		parent []string
		set    []Var
		want   []string
	}{
		{
			name:   "empty",
			parent: nil,
			set:    nil,
			want:   []string{},
		},
		{
			name:   "nothing to remove, empty set",
			parent: []string{"HOME=/home/u", "PATH=/bin", "TERM=xterm"},
			want:   []string{"HOME=/home/u", "PATH=/bin", "TERM=xterm"},
		},
		{
			name: "credentials removed at the start, middle and end",
			parent: []string{
				"AWS_ACCESS_KEY_ID=AKIAOLD", "HOME=/home/u",
				"AWS_SECRET_ACCESS_KEY=old", "PATH=/bin",
				"AWS_SESSION_TOKEN=old",
			},
			want: []string{"HOME=/home/u", "PATH=/bin"},
		},
		{
			name: "every occurrence of a duplicate removed",
			parent: []string{
				"AWS_PROFILE=a", "X=1", "AWS_PROFILE=b", "X=2", "AWS_PROFILE=",
			},
			want: []string{"X=1", "X=2"},
		},
		{
			name:   "set replaces inherited, at the end, in the given order",
			parent: []string{"AWS_REGION=eu-west-1", "A=1", "AWS_DEFAULT_REGION=eu-west-1", "B=2"},
			set: []Var{
				{"AWS_ACCESS_KEY_ID", "ASIANEW"},
				{"AWS_REGION", "us-east-1"},
				{"AWS_DEFAULT_REGION", "us-east-1"},
			},
			want: []string{
				"A=1", "B=2",
				"AWS_ACCESS_KEY_ID=ASIANEW", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
			},
		},
		{
			name:   "AWS_REGION kept when not set",
			parent: []string{"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-2"},
			want:   []string{"AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-2"},
		},
		{
			name:   "set name removed in all occurrences",
			parent: []string{"AWSRUN_PROFILE=a", "AWSRUN_PROFILE=b", "Z=1"},
			set:    []Var{{"AWSRUN_PROFILE", "c"}},
			want:   []string{"Z=1", "AWSRUN_PROFILE=c"},
		},
		{
			name: "names sharing a prefix or suffix kept",
			parent: []string{
				"AWS_PROFILE_X=1", "MY_AWS_PROFILE=2", "AWS_PROFILE=3", "AWS_PROFILES=4",
				"AWS_ACCESS_KEYS=5", "AWS_ACCESS_KEY_ID_FILE=6", "XAWS_SESSION_TOKEN=7",
			},
			want: []string{
				"AWS_PROFILE_X=1", "MY_AWS_PROFILE=2", "AWS_PROFILES=4",
				"AWS_ACCESS_KEYS=5", "AWS_ACCESS_KEY_ID_FILE=6", "XAWS_SESSION_TOKEN=7",
			},
		},
		{
			name:   "values naming removed variables kept",
			parent: []string{"X=AWS_PROFILE=prod", "AWS_PROFILE=prod"},
			want:   []string{"X=AWS_PROFILE=prod"},
		},
		{
			name:   "entries without '=' and empty entries kept in place",
			parent: []string{"A=1", "AWS_PROFILE", "", "junk", "AWS_PROFILE=x", "B="},
			want:   []string{"A=1", "AWS_PROFILE", "", "junk", "B="},
		},
		{
			name:   "duplicates of other variables kept",
			parent: []string{"PATH=/a", "PATH=/b", "PATH=/a"},
			want:   []string{"PATH=/a", "PATH=/b", "PATH=/a"},
		},
		{
			name:   "case matters on Unix",
			parent: []string{"aws_profile=x", "Aws_Session_Token=y"},
			want:   []string{"aws_profile=x", "Aws_Session_Token=y"},
		},
		{
			name:   "empty value in set",
			parent: []string{"AWS_REGION=x"},
			set:    []Var{{"AWS_REGION", ""}},
			want:   []string{"AWS_REGION="},
		},
	}
	// Every removed name, twice, around a variable whose value names it.
	every := struct {
		name   string
		parent []string
		set    []Var
		want   []string
	}{name: "every removed name, twice"}
	for _, name := range Removed {
		every.parent = append(every.parent, name+"=inherited", "KEEP="+name, name+"=again")
		every.want = append(every.want, "KEEP="+name)
	}
	tests = append(tests, every)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := slices.Clone(tt.parent)
			got := env(parent, tt.set, false)
			if !slices.Equal(got, tt.want) {
				t.Errorf("env(%q, %v)\n got %q\nwant %q", tt.parent, tt.set, got, tt.want)
			}
			if !slices.Equal(parent, tt.parent) {
				t.Errorf("parent modified: %q", parent)
			}
		})
	}
}

func TestEnvRemovesEveryListedName(t *testing.T) {
	// The README's list (Environment), spelled out again so that an edit of
	// Removed is a test failure.
	listed := []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWSRUN_MFA_CODE", "AWSRUN_RESOLVING",
		"AWSRUN_KEYS_PASSPHRASE",
	}
	if !slices.Equal(slices.Sorted(slices.Values(Removed)), slices.Sorted(slices.Values(listed))) {
		t.Fatalf("Removed = %q, want the 19 names of the README", Removed)
	}
	for _, name := range listed {
		if got := Env([]string{name + "=x"}, nil); len(got) != 0 {
			t.Errorf("Env kept %q", got)
		}
	}
}

func TestEnvWindows(t *testing.T) {
	tests := []struct {
		name   string
		parent []string
		set    []Var
		want   []string
	}{
		{
			name:   "removed names in any case",
			parent: []string{"aws_profile=a", "Path=C:\\bin", "Aws_Secret_Access_Key=s", "AWS_PROFILE=b"},
			want:   []string{"Path=C:\\bin"},
		},
		{
			name:   "set names in any case",
			parent: []string{"aws_region=eu-west-1", "Other=1"},
			set:    []Var{{"AWS_REGION", "us-east-1"}},
			want:   []string{"Other=1", "AWS_REGION=us-east-1"},
		},
		{
			name:   "per-drive directories kept",
			parent: []string{"=C:=C:\\work", "=D:=D:\\", "=::=::\\"},
			want:   []string{"=C:=C:\\work", "=D:=D:\\", "=::=::\\"},
		},
		{
			name:   "prefix sharing kept",
			parent: []string{"aws_profile_x=1", "my_aws_profile=2"},
			want:   []string{"aws_profile_x=1", "my_aws_profile=2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := env(tt.parent, tt.set, true); !slices.Equal(got, tt.want) {
				t.Errorf("env(%q, %v)\n got %q\nwant %q", tt.parent, tt.set, got, tt.want)
			}
		})
	}
}

func TestGetenv(t *testing.T) {
	tests := []struct {
		env     []string
		name    string
		windows bool
		want    string
		wantOK  bool
	}{
		{[]string{"PATH=/a", "PATH=/b"}, "PATH", false, "/a", true},
		{[]string{"PATH", "PATH=/b"}, "PATH", false, "/b", true},
		{[]string{"PATHX=/a"}, "PATH", false, "", false},
		{[]string{"PATH="}, "PATH", false, "", true},
		{[]string{"path=/a"}, "PATH", false, "", false},
		{[]string{"Path=/a", "PATH=/b"}, "PATH", true, "/b", true},
		{[]string{"=C:=C:\\", "Path=C:\\bin"}, "PATH", true, "C:\\bin", true},
	}
	for _, tt := range tests {
		got, ok := getenv(tt.env, tt.name, tt.windows)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("getenv(%q, %q, windows=%v) = %q, %v; want %q, %v", tt.env, tt.name, tt.windows, got, ok, tt.want, tt.wantOK)
		}
	}
}

// FuzzEnv checks, on arbitrary environments, that no removed or set name
// survives and that everything else is kept byte for byte and in order.
func FuzzEnv(f *testing.F) {
	f.Add("HOME=/root\x00AWS_PROFILE=prod\x00PATH=/bin", "AWS_REGION", "us-east-1")
	f.Fuzz(func(t *testing.T, environ, setName, setValue string) {
		parent := strings.Split(environ, "\x00")
		var set []Var
		if setName != "" && !strings.Contains(setName, "=") {
			set = []Var{{setName, setValue}, {"AWSRUN_PROFILE", "p"}}
		}
		for _, windows := range []bool{false, true} {
			got := env(parent, set, windows)

			same := func(a, b string) bool {
				if windows {
					return strings.EqualFold(a, b)
				}
				return a == b
			}
			drop := func(kv string) bool {
				name, _, ok := strings.Cut(kv, "=")
				if windows && ok && name == "" {
					name, _, ok = strings.Cut(kv[1:], "=")
					name = "=" + name
				}
				if !ok {
					return false
				}
				for _, r := range Removed {
					if same(name, r) {
						return true
					}
				}
				for _, v := range set {
					if same(name, v.Name) {
						return true
					}
				}
				return false
			}

			var want []string
			for _, kv := range parent {
				if !drop(kv) {
					want = append(want, kv)
				}
			}
			for _, v := range set {
				want = append(want, v.Name+"="+v.Value)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("windows=%v: env(%q, %v)\n got %q\nwant %q", windows, parent, set, got, want)
			}
			for _, kv := range got[:len(got)-len(set)] {
				name, _, ok := strings.Cut(kv, "=")
				if ok && slices.ContainsFunc(Removed, func(r string) bool { return same(name, r) }) {
					t.Fatalf("windows=%v: %q survived", windows, kv)
				}
			}
		}
	})
}
