package cli

import (
	"fmt"
	"strings"
)

// The scripts are written from the flag set, so a new flag is completed
// without a second list to keep in step. Each script completes awsrun's
// flags up to the command, then hands the command and its arguments to
// the shell's own completion for that command. Profile names come from
// "awsrun --complete-profiles", which the launcher answers without
// starting awsrun-core.

func bashCompletion(flags []completionFlag) string {
	var values strings.Builder
	var all []string
	for _, f := range flags {
		all = append(all, "--"+f.Long)
		if f.Short != "" {
			all = append(all, "-"+f.Short)
		}
		if f.Arg == "" {
			continue
		}
		pattern := "--" + f.Long
		if f.Short != "" {
			pattern = "-" + f.Short + "|" + pattern
		}
		switch {
		case f.Profiles:
			fmt.Fprintf(&values, "\t\t%s) _awsrun_profiles \"$cur\" ;;\n", pattern)
		case len(f.Values) > 0:
			fmt.Fprintf(&values, "\t\t%s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", pattern, strings.Join(f.Values, " "))
		}
	}
	return fmt.Sprintf(`# bash completion for awsrun
# Written by "awsrun --completion bash". Install:
#   awsrun --completion bash > ~/.local/share/bash-completion/completions/awsrun
# or, in ~/.bashrc:
#   source <(awsrun --completion bash)

_awsrun_profiles() {
	local name
	while IFS= read -r name; do
		COMPREPLY+=("$name")
	done < <(command awsrun --complete-profiles -- "$1" 2>/dev/null)
}

_awsrun() {
	local cur words cword
	COMPREPLY=()
	if declare -F _get_comp_words_by_ref >/dev/null; then
		# bash-completion: "=" and ":" stay in the word.
		_get_comp_words_by_ref -n =: cur words cword
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${words[cword]}
	fi

	# Find the flag awaiting a value, or where the command starts.
	local i=1 w want= cmd=0
	while ((i < cword)); do
		w=${words[i]}
		if [[ -n $want ]]; then
			# "--flag = value" when bash splits at "=".
			[[ $w == = ]] || want=
			((i++))
			continue
		fi
		case $w in
		--) cmd=$((i + 1)); break ;;
		--*=*) ;;
		--*) [[ " %[1]s " == *" $w "* ]] && want=$w ;;
		-?*)
			# -vp NAME: a value flag last in a cluster takes the next word.
			local rest=${w#-}
			rest=${rest%%%%[%[2]s]*}
			[[ ${#rest} -eq $((${#w} - 2)) && %[2]q == *"${w: -1}"* ]] && want=-${w: -1}
			;;
		*) cmd=$i; break ;;
		esac
		((i++))
	done

	if ((cmd > 0)); then
		if ((cmd >= cword)); then
			# compgen -c names a command once per place it is found (a
			# builtin, /bin, /usr/bin): each once.
			COMPREPLY=($(compgen -c -- "$cur" | LC_ALL=C sort -u))
		elif declare -F _command_offset >/dev/null; then
			_command_offset "$cmd"
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return
	fi

	local prefix=
	if [[ -z $want && $cur == --*=* ]]; then
		want=${cur%%%%=*}
		prefix=$want=
		cur=${cur#*=}
	elif [[ $cur == = ]]; then
		cur=
	fi
	if [[ -n $want ]]; then
		case $want in
%[3]s		esac
		# bash replaces the word from its last break ("=", ":") on.
		if [[ -n $prefix && $COMP_WORDBREAKS != *=* ]]; then
			COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
		else
			prefix=
		fi
		if declare -F __ltrim_colon_completions >/dev/null; then
			__ltrim_colon_completions "$prefix$cur"
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '%[4]s' -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -c -- "$cur" | LC_ALL=C sort -u))
}

complete -F _awsrun awsrun
`, strings.Join(valueLongs(flags), " "), valueShorts(flags), values.String(), strings.Join(all, " "))
}

func zshCompletion(flags []completionFlag) string {
	var specs strings.Builder
	for _, f := range flags {
		desc := "[" + zshBracket(f.Usage) + "]"
		var names string
		switch {
		case f.Short != "" && f.Arg != "":
			names = fmt.Sprintf("'(-%[1]s --%[2]s)'{-%[1]s+,--%[2]s=}'", f.Short, f.Long)
		case f.Short != "":
			names = fmt.Sprintf("'(-%[1]s --%[2]s)'{-%[1]s,--%[2]s}'", f.Short, f.Long)
		case f.Arg != "":
			names = "'--" + f.Long + "="
		default:
			names = "'--" + f.Long
		}
		action := ""
		switch {
		case f.Arg == "":
		case f.Profiles:
			action = ":" + f.Arg + ":_awsrun_profiles"
		case len(f.Values) > 0:
			action = ":" + f.Arg + ":(" + strings.Join(f.Values, " ") + ")"
		default:
			action = ":" + f.Arg + ": "
		}
		fmt.Fprintf(&specs, "\t\t%s%s%s' \\\n", names, zshQuote(desc), zshQuote(action))
	}
	return fmt.Sprintf(`#compdef awsrun
# zsh completion for awsrun
# Written by "awsrun --completion zsh". Install into a directory of $fpath:
#   awsrun --completion zsh > "${fpath[1]}/_awsrun"
# or, in ~/.zshrc after compinit:
#   source <(awsrun --completion zsh)

_awsrun_profiles() {
	local -a profiles
	profiles=(${(f)"$(_call_program profiles awsrun --complete-profiles 2>/dev/null)"})
	_wanted profiles expl profile compadd -a profiles
}

_awsrun() {
	_arguments -s -S \
%s		'(-)1:command:_command_names -e' \
		'*::arguments:_normal'
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
	_awsrun "$@"
else
	compdef _awsrun awsrun
fi
`, specs.String())
}

// zshBracket escapes a description for _arguments' [...].
func zshBracket(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(s)
}

// zshQuote makes s safe inside a single-quoted word.
func zshQuote(s string) string { return strings.ReplaceAll(s, "'", `'\''`) }

func fishCompletion(flags []completionFlag) string {
	var lines strings.Builder
	var boolShorts string
	for _, f := range flags {
		if f.Arg == "" && f.Short != "" {
			boolShorts += f.Short
		}
		fmt.Fprintf(&lines, "complete -c awsrun -n __awsrun_in_flags")
		if f.Short != "" {
			fmt.Fprintf(&lines, " -s %s", f.Short)
		}
		fmt.Fprintf(&lines, " -l %s", f.Long)
		switch {
		case f.Arg == "":
		case f.Profiles:
			lines.WriteString(" -x -a '(__awsrun_profiles)'")
		case len(f.Values) > 0:
			fmt.Fprintf(&lines, " -x -a '%s'", strings.Join(f.Values, " "))
		default:
			lines.WriteString(" -x")
		}
		fmt.Fprintf(&lines, " -d %s\n", fishQuote(f.Usage))
	}
	return fmt.Sprintf(`# fish completion for awsrun
# Written by "awsrun --completion fish". Install:
#   awsrun --completion fish > ~/.config/fish/completions/awsrun.fish

# fish matches the names against the word itself, "--profile=" and all.
function __awsrun_profiles
    command awsrun --complete-profiles 2>/dev/null
end

# The index of the command's first word in the command line, if it has one.
function __awsrun_command_index
    set -l tokens (commandline -opc)
    set -l want 0
    for i in (seq 2 (count $tokens))
        set -l w $tokens[$i]
        if test $want = 1
            set want 0
            continue
        end
        switch $w
            case --
                echo (math $i + 1)
                return 0
            case '--*=*'
            case %[1]s
                set want 1
            case '--*'
            case '-*'
                # -vp NAME: a value flag last in a cluster takes the next word.
                string match -qr -- '^-[%[2]s]*[%[3]s]$' $w; and set want 1
            case '*'
                echo $i
                return 0
        end
    end
    return 1
end

function __awsrun_in_flags
    not __awsrun_command_index >/dev/null
end

# The command and its arguments complete as they would on their own.
function __awsrun_command
    set -l i (__awsrun_command_index); or return
    set -l tokens (commandline -opc)
    __fish_complete_subcommand --commandline (string escape -- $tokens[$i..-1]) (commandline -ct)
end

complete -c awsrun -f
%[4]scomplete -c awsrun -n __awsrun_in_flags -a '(__fish_complete_command)'
complete -c awsrun -n 'not __awsrun_in_flags' -a '(__awsrun_command)'
`, strings.Join(valueLongs(flags), " "), boolShorts, valueShorts(flags), lines.String())
}

func powershellCompletion(flags []completionFlag) string {
	var names, values strings.Builder
	for _, f := range flags {
		fmt.Fprintf(&names, "\t\t@{ Name = '--%s'; Help = %s }\n", f.Long, powershellQuote(f.Usage))
		if f.Short != "" {
			fmt.Fprintf(&names, "\t\t@{ Name = '-%s'; Help = %s }\n", f.Short, powershellQuote(f.Usage))
		}
		if f.Arg == "" {
			continue
		}
		keys := "'--" + f.Long + "'"
		if f.Short != "" {
			keys += ", '-" + f.Short + "'"
		}
		switch {
		case f.Profiles:
			fmt.Fprintf(&values, "\t\t{ $_ -in %s } { $candidates = @(& awsrun --complete-profiles -- $wordToComplete 2>$null) }\n", keys)
		case len(f.Values) > 0:
			fmt.Fprintf(&values, "\t\t{ $_ -in %s } { $candidates = @('%s') }\n", keys, strings.Join(f.Values, "', '"))
		default:
			fmt.Fprintf(&values, "\t\t{ $_ -in %s } { return }\n", keys)
		}
	}
	return fmt.Sprintf(`# PowerShell completion for awsrun
# Written by "awsrun --completion powershell". Install, in $PROFILE:
#   awsrun --completion powershell | Out-String | Invoke-Expression

Register-ArgumentCompleter -Native -CommandName 'awsrun', 'awsrun.exe' -ScriptBlock {
	param($wordToComplete, $commandAst, $cursorPosition)

	$flags = @(
%s	)
	# The words before the cursor, without awsrun itself.
	$words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
	$valueFlags = @('%s')
	$want = $null
	foreach ($w in $words) {
		if ($want) { $want = $null; continue }
		if ($w -eq '--') { return }
		if ($valueFlags -contains $w) { $want = $w; continue }
		if (-not $w.StartsWith('-')) { return }  # the command's own words: PowerShell's default
	}

	$candidates = $null
	if ($want) {
		switch ($want) {
%s		}
		$candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
			[System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
		}
		return
	}
	if ($wordToComplete.StartsWith('-')) {
		$flags | Where-Object { $_.Name -like "$wordToComplete*" } | ForEach-Object {
			[System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ParameterName', $_.Help)
		}
	}
}
`, names.String(), strings.Join(append(valueLongs(flags), valueShortFlags(flags)...), "', '"), values.String())
}

func valueShortFlags(flags []completionFlag) []string {
	var out []string
	for _, f := range flags {
		if f.Arg != "" && f.Short != "" {
			out = append(out, "-"+f.Short)
		}
	}
	return out
}
