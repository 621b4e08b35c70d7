# dataflow.bash: bash completion for runjob, RunJob, cryptor and dataflow.
# Everything comes from the programs themselves, so it follows the version
# installed: commands from "dataflow --help", options and arguments from
# each usage line ("[--job ID] SCRIPT [ARGS...]": --job takes a value, then
# a script), job and dataset names from the database ("dataflow complete",
# which gives up quickly and quietly when it cannot ask).
# Installed as bash-completion/completions/dataflow, linked as runjob,
# RunJob and cryptor; or source it from ~/.bashrc.

# Long options whose usage line shows only the short form (-qv, -e, -d).
_dataflow_short_longs()
{
	case ${1##*/} in
	runjob | RunJob | dataflow) echo "o --help" "o --version" \
	    "o --quiet" "o --verbose" ;;
	cryptor) echo "o --help" "o --version" "o --encrypt" "o --decrypt" ;;
	esac | tr ' ' '\n' | paste -d ' ' - -
}

# _dataflow_grammar PROG [COMMAND]: what the usage of PROG (or of its
# COMMAND, with the global options) accepts, one a line: "o --NAME [VALUE]"
# for an option (VALUE: its placeholder, when it takes one) and "a WORD"
# for each argument in order. A value or argument is a placeholder (JOB,
# FILE, ARGS...) or lowercase alternatives (init|start, dot|svg).
_dataflow_grammar()
{
	local prog=$1 cmd=${2-}

	{
		if [ -n "$cmd" ]; then
			"$prog" "$cmd" --help 2>/dev/null | sed '/^$/,$d'
			"$prog" --help 2>/dev/null | head -n 1 |
			    sed 's/ COMMAND .*//'
		else
			"$prog" --help 2>/dev/null | sed '/^$/,$d'
		fi
	} | awk -v cmd="$cmd" '
	{
		# "usage: PROG [COMMAND] ..." and "       PROG ..." (another
		# form): what follows.
		if ($1 == "usage:") {
			name = $2
			$1 = $2 = ""
			if (cmd != "" && $3 == cmd)
				$3 = ""
		} else if (name != "" && $1 == name)
			$1 = ""
		gsub(/[[(]/, " [ ")
		gsub(/[])]/, " ] ")
		for (i = 1; i <= NF; i++)
			tok[++n] = $i
	}
	function value(t) { return t !~ /^-/ && t != "[" && t != "]" && t != "|" }
	END {
		for (i = 1; i <= n; i++) {
			t = tok[i]
			if (t == "[") {
				depth++
			} else if (t == "]") {
				depth--
			} else if (t == "|") {
				# "DATAID... | DATASET --from": another form.
				if (depth == 0 && last == "a")
					stop = 1
			} else if (t ~ /^--[a-z]/) {
				v = ""
				if (i < n && value(tok[i + 1])) {
					v = tok[++i]
					while (i + 2 <= n && tok[i + 1] == "|" &&
					    value(tok[i + 2])) {
						v = v "|" tok[i + 2]
						i += 2
					}
				}
				print "o", t, v
				last = "o"
			} else if (t ~ /^-/) {
				last = "o"
			} else if (t ~ /^[A-Za-z]/) {
				if (!stop)
					print "a", t
				last = "a"
			}
		}
	}'
	_dataflow_short_longs "$prog"
}

# _dataflow_commands PROG: dataflow's commands, from the table --help
# prints ("complete" is for this script, not for people).
_dataflow_commands()
{
	"$1" --help 2>/dev/null |
	    sed -n '/^commands:/,${s/^  \([a-z][a-z-]*\) .*/\1/p;}' |
	    grep -vx complete
	echo help
}

# The value of --config on the command line so far, if any.
_dataflow_config_word()
{
	local i

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--config=*) echo "${COMP_WORDS[i]#--config=}"; return ;;
		--config | -c) echo "${COMP_WORDS[i + 1]}"; return ;;
		esac
	done
}

# The dataflow program to ask for names: the one beside the program being
# completed (same version), else the one on $PATH.
_dataflow_for()
{
	local dir=${1%/*} p

	if [ "$dir" != "$1" ]; then
		for p in "$dir/dataflow" "$dir/../dataflow/dataflow"; do
			[ -x "$p" ] && { echo "$p"; return; }
		done
	fi
	echo dataflow
}

# _dataflow_fill KIND OPTION: COMPREPLY for the word $cur, a value of KIND
# (a placeholder or alternatives) of OPTION (empty for an argument).
_dataflow_fill()
{
	local kind=$1 opt=$2 what= config

	COMPREPLY=()
	case $opt:$kind in
	--job:* | :JOB | :JOB...) what=jobs ;;
	--dataset:* | :DATASET | :DATASET...) what=datasets ;;
	*:FILE | *:FILE... | *:SOURCE | *:SCRIPT | *:ARGS...)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	*:DIR)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	*:*[A-Z]*) ;;
	*:[a-z]*)
		mapfile -t COMPREPLY < <(compgen -W "${kind//|/ }" -- "$cur") ;;
	esac
	[ -n "$what" ] || return 0
	config=$(_dataflow_config_word)
	mapfile -t COMPREPLY < <("$dataflow" ${config:+--config "$config"} \
	    complete "$what" "$cur" </dev/null 2>/dev/null)
}

# Complete COMP_WORDS from word first on (the command's own words) with
# the grammar on standard input. Options are taken until an argument when
# posix is set (runjob: what follows the script is the script's).
_dataflow_complete_words()
{
	local first=$1 posix=$2 kind name value i n=0 w
	local -a opts=() args=()
	local -A takes=()

	while read -r kind name value; do
		case $kind in
		o)
			[ -n "${takes[$name]+set}" ] || opts+=("$name")
			takes[$name]=$value ;;
		a) args+=("$name") ;;
		esac
	done
	for ((i = first; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == --* && ($posix != 1 || $n -eq 0) ]]; then
			[ -n "${takes[$w]-}" ] && ((i++))
		elif [[ $w != -* || $posix == 1 && $n -gt 0 ]]; then
			((n++))
		fi
	done
	w=${COMP_WORDS[COMP_CWORD - 1]}
	if ((COMP_CWORD - 1 >= first)) && [ -n "${takes[$w]-}" ]; then
		_dataflow_fill "${takes[$w]}" "$w"
	elif [[ $cur == -* && ($posix != 1 || $n -eq 0) ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${opts[*]}" -- "$cur")
	elif ((n < ${#args[@]})); then
		_dataflow_fill "${args[n]}" ""
	elif ((${#args[@]} > 0)) && [[ ${args[-1]} == *... ]]; then
		_dataflow_fill "${args[-1]}" ""
	else
		COMPREPLY=()
	fi
}

# runjob, RunJob and cryptor.
_dataflow_runjob()
{
	local cur=${COMP_WORDS[COMP_CWORD]} dataflow

	dataflow=$(_dataflow_for "$1")
	_dataflow_complete_words 1 1 < <(_dataflow_grammar "$1")
}

# dataflow [GLOBAL-OPTIONS] COMMAND ...
_dataflow()
{
	local cur=${COMP_WORDS[COMP_CWORD]} dataflow=$1 i ci=

	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--config | -c | --passkey-file) ((i++)) ;;
		-*) ;;
		*) ci=$i; break ;;
		esac
	done
	if [ -n "$ci" ]; then
		if [ "${COMP_WORDS[ci]}" = help ]; then
			((COMP_CWORD == ci + 1)) &&
			    mapfile -t COMPREPLY < <(compgen -W \
			    "$(_dataflow_commands "$1")" -- "$cur")
			return 0
		fi
		_dataflow_complete_words $((ci + 1)) 0 \
		    < <(_dataflow_grammar "$1" "${COMP_WORDS[ci]}")
	elif [[ $cur == -* || ${COMP_WORDS[COMP_CWORD - 1]} == --config ||
	    ${COMP_WORDS[COMP_CWORD - 1]} == --passkey-file ]]; then
		_dataflow_complete_words 1 0 < <(_dataflow_grammar "$1")
	else
		mapfile -t COMPREPLY < <(compgen -W \
		    "$(_dataflow_commands "$1")" -- "$cur")
	fi
	return 0
}

complete -F _dataflow dataflow
complete -F _dataflow_runjob runjob RunJob cryptor
