package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// These tests source the scripts of awsrun --completion in the real
// shells, with the built programs in PATH, and ask them for candidates.

const completionConfig = "[profile role101]\nrole_arn = arn:aws:iam::123456789012:role/role101\nsource_profile = user101\n" +
	"[profile role102]\nrole_arn = arn:aws:iam::123456789012:role/role102\nsource_profile = user101\n[profile ops]\n[sso-session corp]\n"

// shell runs script in sh with the world's environment and the built
// programs first in PATH.
func (w *world) shell(t *testing.T, sh string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(sh)
	if err != nil {
		t.Skipf("%s is not installed", sh)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(append([]string{}, w.env...),
		"PATH="+filepath.Dir(binary(t))+string(os.PathListSeparator)+os.Getenv("PATH"),
		"XDG_DATA_HOME="+filepath.Join(w.home, ".local/share"))
	cmd.Dir = w.home
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", sh, args, err, out)
	}
	return string(out)
}

func TestBashCompletion(t *testing.T) {
	w := newWorld(t, completionConfig)
	// complete LINE WORD...: the words as bash splits LINE (at "=" too,
	// COMP_WORDBREAKS), the cursor at the end of the last.
	const harness = `
source <(awsrun --completion bash) || exit 1
complete -p awsrun >/dev/null || exit 1
complete() {
	COMP_LINE=$1; COMP_POINT=${#1}; shift
	COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_awsrun
	printf '%s\n' "$(printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ')"
}
`
	tests := []struct {
		line  string
		words []string
		want  []string // exactly these candidates; nil: check has
		has   string   // a candidate among others
	}{
		{"awsrun --exp", []string{"awsrun", "--exp"}, []string{"--export"}, ""},
		{"awsrun --no-", []string{"awsrun", "--no-"}, []string{"--no-cache"}, ""},
		{"awsrun -p role101 --comp", []string{"awsrun", "-p", "role101", "--comp"}, []string{"--completion"}, ""},
		{"awsrun --export ", []string{"awsrun", "--export", ""}, []string{"credential-process", "env", "json"}, ""},
		{"awsrun --export c", []string{"awsrun", "--export", "c"}, []string{"credential-process"}, ""},
		{"awsrun --completion ", []string{"awsrun", "--completion", ""}, []string{"bash", "fish", "powershell", "zsh"}, ""},
		{"awsrun -p ", []string{"awsrun", "-p", ""}, []string{"ops", "role101", "role102", "user101"}, ""},
		{"awsrun --profile ro", []string{"awsrun", "--profile", "ro"}, []string{"role101", "role102"}, ""},
		{"awsrun --profile=ro", []string{"awsrun", "--profile", "=", "ro"}, []string{"role101", "role102"}, ""},
		{"awsrun -vp o", []string{"awsrun", "-vp", "o"}, []string{"ops"}, ""},
		// After the command awsrun's flags are the command's business.
		{"awsrun -p ops sh --exp", []string{"awsrun", "-p", "ops", "sh", "--exp"}, []string{}, ""},
		{"awsrun -p ops -- --exp", []string{"awsrun", "-p", "ops", "--", "--exp"}, []string{}, ""},
		{"awsrun -p ops ech", []string{"awsrun", "-p", "ops", "ech"}, nil, "echo"},
		{"awsrun -pops -- ech", []string{"awsrun", "-pops", "--", "ech"}, nil, "echo"},
		{"awsrun -t 123456 ech", []string{"awsrun", "-t", "123456", "ech"}, nil, "echo"},
	}
	script := harness
	for _, tt := range tests {
		script += "complete " + shellQuote(tt.line)
		for _, w := range tt.words {
			script += " " + shellQuote(w)
		}
		script += "\n"
	}
	// With and without bash-completion's helpers, which change how the
	// words are split.
	for _, pre := range []string{"", "source /usr/share/bash-completion/bash_completion || exit 0\n"} {
		lines := strings.Split(strings.TrimSuffix(w.shell(t, "bash", "--norc", "--noprofile", "-c", pre+script), "\n"), "\n")
		if pre != "" && len(lines) == 1 && lines[0] == "" {
			continue // bash-completion is not installed
		}
		if len(lines) != len(tests) {
			t.Fatalf("%d answers for %d questions:\n%s", len(lines), len(tests), strings.Join(lines, "\n"))
		}
		for i, tt := range tests {
			got := strings.Fields(lines[i])
			if tt.want != nil && !slices.Equal(got, tt.want) || tt.has != "" && !slices.Contains(got, tt.has) {
				t.Errorf("bash (%q) %q: candidates %q, want %q%s", pre, tt.line, got, tt.want, tt.has)
			}
		}
	}
}

func TestFishCompletion(t *testing.T) {
	w := newWorld(t, completionConfig)
	tests := []struct {
		line string
		want []string // exactly these; nil: check has
		has  string
	}{
		{"awsrun --exp", []string{"--export"}, ""},
		{"awsrun --export ", []string{"credential-process", "env", "json"}, ""},
		{"awsrun -p ro", []string{"role101", "role102"}, ""},
		{"awsrun --profile=o", []string{"--profile=ops"}, ""},
		{"awsrun --completion z", []string{"zsh"}, ""},
		{"awsrun -p ops sh --exp", []string{}, ""},
		{"awsrun -p ops ech", nil, "echo"},
	}
	script := "awsrun --completion fish | source; or exit 1\n"
	for _, tt := range tests {
		script += "echo (complete -C" + shellQuote(tt.line) + " | string replace -r '\\t.*' '' | sort -u)\n"
	}
	lines := strings.Split(strings.TrimSuffix(w.shell(t, "fish", "-c", script), "\n"), "\n")
	if len(lines) != len(tests) {
		t.Fatalf("%d answers for %d questions:\n%s", len(lines), len(tests), strings.Join(lines, "\n"))
	}
	for i, tt := range tests {
		got := strings.Fields(lines[i])
		if tt.want != nil && !slices.Equal(got, tt.want) || tt.has != "" && !slices.Contains(got, tt.has) {
			t.Errorf("fish %q: candidates %q, want %q%s", tt.line, got, tt.want, tt.has)
		}
	}
}

// zsh's completion system needs a terminal to ask; this checks that the
// script loads both ways the README tells, registers _awsrun for awsrun,
// and that its profile function offers the config's names.
func TestZshCompletionLoads(t *testing.T) {
	w := newWorld(t, completionConfig)
	fpath := filepath.Join(w.home, "zfunc")
	out := w.shell(t, "zsh", "-f", "-c", `
mkdir -p `+fpath+` && awsrun --completion zsh > `+fpath+`/_awsrun || exit 1
fpath=(`+fpath+` $fpath)
autoload -Uz compinit && compinit -u -D -d "$HOME/.zcompdump" || exit 1
print -r -- "fpath: $_comps[awsrun]"
source <(awsrun --completion zsh) || exit 1
print -r -- "sourced: $_comps[awsrun] $+functions[_awsrun_profiles]"
# _awsrun_profiles outside a completion: stand-ins for the helpers it calls.
_call_program() { shift; "$@" }
_wanted() { shift 3; "$@" }
compadd() { shift; print -r -- "profiles: ${(P)1}" }
_awsrun_profiles
`)
	for _, want := range []string{"fpath: _awsrun\n", "sourced: _awsrun 1\n", "profiles: role101 role102 ops user101\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("zsh output lacks %q:\n%s", want, out)
		}
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
