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

	"github.com/awsrun/awsrun/internal/cli"
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
		{"awsrun --export ", []string{"awsrun", "--export", ""}, exportFormats(), ""},
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

// TestBashCompletionOffersACommandOnce: echo is a builtin and a file in
// /bin and /usr/bin; compgen -c names it for each.
func TestBashCompletionOffersACommandOnce(t *testing.T) {
	w := newWorld(t, completionConfig)
	const script = `
source <(awsrun --completion bash) || exit 1
for words in "awsrun -p role101 -- ec" "awsrun -p role101 ec"; do
	read -ra COMP_WORDS <<<"$words"
	COMP_LINE=$words; COMP_POINT=${#words}; COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_awsrun
	printf '%s\n' "${COMPREPLY[*]}"
done
`
	for _, pre := range []string{"", "source /usr/share/bash-completion/bash_completion || exit 0\n"} {
		out := strings.TrimSuffix(w.shell(t, "bash", "--norc", "--noprofile", "-c", pre+script), "\n")
		if pre != "" && out == "" {
			continue // bash-completion is not installed
		}
		for _, line := range strings.Split(out, "\n") {
			got := strings.Fields(line)
			if n := strings.Count(" "+line+" ", " echo "); n != 1 {
				t.Errorf("bash (%q): candidates %q offer echo %d times, want once", pre, got, n)
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
		{"awsrun --export ", exportFormats(), ""},
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

// zsh completes only in its line editor: zshAsk types LINE and a Tab into
// an interactive zsh in a pty (zsh/zpty) whose compadd also prints what it
// is given, and which exits once the completion is done.
const zshInit = `PROMPT=
fpath=($AWSRUN_ZFUNC $fpath)
autoload -Uz compinit && compinit -u -D -d "$HOME/.zcompdump"
bindkey '^I' complete-word
comppostfuncs=(exit)
compadd() {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
		builtin compadd "$@"
		return
	fi
	local -a __hits
	builtin compadd -A __hits "$@"
	local h
	for h in $__hits; do print -r -- $'\n'"<<candidate>>$h"; done
	builtin compadd "$@"
}
print ready
`

const zshAsk = `zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "source $AWSRUN_ZINIT"
local line out
while zpty -r z line; do [[ $line == *ready* ]] && break; done
zpty -w -n z "$1"$'\t'
while zpty -r z line; do out+=$line; done
print -r -- "$out" | tr -d '\r' | sed -n 's/^<<candidate>>//p' | sort -u | tr '\n' ' '
echo
`

func TestZshCompletion(t *testing.T) {
	t.Parallel()
	w := newWorld(t, completionConfig)
	zfunc := filepath.Join(w.home, "zfunc")
	// Installed as the README says: into a directory of $fpath.
	w.shell(t, "zsh", "-f", "-c", "mkdir -p "+zfunc+" && awsrun --completion zsh > "+zfunc+"/_awsrun")
	w.write(t, "zinit.zsh", zshInit)
	ask := w.write(t, "zask.zsh", zshAsk)
	w.env = append(w.env, "AWSRUN_ZFUNC="+zfunc, "AWSRUN_ZINIT="+filepath.Join(w.home, "zinit.zsh"))
	tests := []struct {
		line string
		want []string // exactly these; nil: check has
		has  string
	}{
		{"awsrun --exp", []string{"--export"}, ""},
		{"awsrun --export ", exportFormats(), ""},
		{"awsrun --completion f", []string{"fish"}, ""},
		{"awsrun -p ro", []string{"role101", "role102"}, ""},
		{"awsrun --profile=o", []string{"ops"}, ""},
		{"awsrun -p ops sh --exp", []string{}, ""},
		{"awsrun -p ops ech", nil, "echo"},
	}
	for _, tt := range tests {
		got := strings.Fields(w.shell(t, "zsh", "-f", ask, tt.line))
		if tt.want != nil && !slices.Equal(got, tt.want) || tt.has != "" && !slices.Contains(got, tt.has) {
			t.Errorf("zsh %q: candidates %q, want %q%s", tt.line, got, tt.want, tt.has)
		}
	}

	// Sourced, as the README's other way says.
	out := w.shell(t, "zsh", "-f", "-c", `autoload -Uz compinit && compinit -u -D -d "$HOME/.zcompdump" && source <(awsrun --completion zsh) && print -r -- "$_comps[awsrun]"`)
	if out != "_awsrun\n" {
		t.Errorf("sourcing the zsh script registered %q for awsrun, want _awsrun", out)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// exportFormats are the --export formats as a completion lists them:
// every one --help names, sorted.
func exportFormats() []string { return slices.Sorted(slices.Values(cli.ExportFormats)) }
