# lib.sh: the integration test harness: a throwaway PostgreSQL per test script
# and TAP helpers. Source it first: . "$(dirname "$0")/lib.sh"
#
# Sourcing it starts a private cluster (unless DF_NO_CLUSTER=1) and sets:
#   T            an empty scratch directory, also the current directory
#   DF_TMP       the cluster's directory (socket, log, properties)
#   DF_PGDATA    its data directory (on /dev/shm when there is room)
#   PGHOST PGUSER PGDATABASE   for psql: socket dir, dataflow, postgres
#   DATAFLOW_PROPERTIES        $DF_TMP/dataflow.properties (database dataflow)
#   PATH         the build's runjob, dataflow, cryptor and RunJob first
#   LC_ALL       C.UTF-8
# The cluster is stopped and everything removed on exit; the server log is
# printed as TAP comments when a test failed. Standard input is /dev/null.
# A template cluster is made once per build (tests/pgtemplate in the build
# directory, or $DF_PGTEMPLATE_DIR) and copied, which is much faster.
#
# Helpers (each assertion prints one TAP line and returns 0 if it passed):
#   plan N                      announce N tests (or call done_testing)
#   done_testing [N]            print the plan at the end: "1..N"
#   ok DESC CMD [ARG...]        pass if CMD exits 0
#   exit_is CODE DESC CMD [ARG...]  pass if CMD exits with CODE
#   is GOT WANT DESC            pass if GOT = WANT (strings)
#   isnt GOT UNWANTED DESC      pass if GOT != UNWANTED
#   like GOT ERE DESC           pass if GOT matches the extended regex
#   unlike GOT ERE DESC         pass if it does not
#   pass DESC / fail DESC       an unconditional result
#   skip REASON [N]             count N (default 1) tests as skipped
#   skip_all REASON             skip the whole script (before any test)
#   diag MSG...                 print MSG as TAP comment lines
#   BAIL_OUT REASON             stop everything
#   run CMD [ARG...]            run CMD; set DF_STATUS, DF_OUT, DF_ERR
#   psql_value [-d DB] SQL      print the value SQL returns (DB: dataflow)
#   df_psql [-d DB] [ARG...]    psql on DB (dataflow), stopping on errors
#   pg_server_stop [MODE]       stop the cluster (default fast)
#   pg_server_start             start it again
#   pg_server_restart [MODE]    pg_ctl restart (default -m fast)
#   pgbouncer_start [POOL [CLIENTS]]  Debian's pgbouncer in transaction
#                               pooling mode before the cluster (POOL
#                               server connections, default 4; CLIENTS,
#                               default 100), stopped at exit; sets
#                               DF_PGB (its directory: socket, log) and
#                               DF_PGB_PROPERTIES (url through it)
# ok and exit_is also leave the command's stdout, stderr and status in
# DF_OUT, DF_ERR and DF_STATUS, and show them when the test fails.

DF_TESTS_RUN=0
DF_TESTS_FAILED=0
DF_PLANNED=
DF_TMP=
DF_PGDATA=
DF_PGDATA_DIR=
DF_PG_OSUSER=
DF_PG_RUNNING=
DF_STATUS=0
DF_OUT=
DF_ERR=

# Where a failing assertion was called from: "basic.test line 12".
_df_where()
{
	local i

	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]; then
			printf '%s line %s' "${BASH_SOURCE[$i]##*/}" \
			    "${BASH_LINENO[$((i - 1))]}"
			return
		fi
	done
}

diag()
{
	local IFS=' '

	printf '%s\n' "$*" | sed 's/^/# /'
}

# _df_show LABEL VALUE: VALUE quoted, one comment line per line.
_df_show()
{
	local first=1 line

	while IFS= read -r line || [ -n "$line" ]; do
		if [ -n "$first" ]; then
			printf '#   %9s: %s\n' "$1" "$line"
			first=
		else
			printf '#   %9s  %s\n' "" "$line"
		fi
	done <<<"'$2'"
}

# _df_result STATUS DESC: print the TAP line; return STATUS.
_df_result()
{
	local desc=${2//$'\n'/ }

	DF_TESTS_RUN=$((DF_TESTS_RUN + 1))
	desc=${desc//#/\\#}
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$DF_TESTS_RUN" "$desc"
		return 0
	fi
	DF_TESTS_FAILED=$((DF_TESTS_FAILED + 1))
	printf 'not ok %d - %s\n' "$DF_TESTS_RUN" "$desc"
	printf '#   Failed test at %s\n' "$(_df_where)"
	return 1
}

plan()
{
	DF_PLANNED=1
	printf '1..%d\n' "$1"
}

done_testing()
{
	DF_PLANNED=1
	printf '1..%d\n' "${1:-$DF_TESTS_RUN}"
}

pass()
{
	_df_result 0 "$1"
}

fail()
{
	_df_result 1 "$1"
}

skip()
{
	local i

	for ((i = 0; i < ${2:-1}; i++)); do
		DF_TESTS_RUN=$((DF_TESTS_RUN + 1))
		printf 'ok %d # SKIP %s\n' "$DF_TESTS_RUN" "$1"
	done
}

skip_all()
{
	DF_PLANNED=1
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

BAIL_OUT()
{
	DF_PLANNED=1
	printf 'Bail out! %s\n' "$1"
	exit 1
}

# run CMD...: run it here (a shell function works too), output captured.
run()
{
	local out=$DF_TMP/.out err=$DF_TMP/.err

	if "$@" >"$out" 2>"$err"; then
		DF_STATUS=0
	else
		DF_STATUS=$?
	fi
	DF_OUT=$(cat "$out")
	DF_ERR=$(cat "$err")
	rm -f "$out" "$err"
	return "$DF_STATUS"
}

_df_show_run()
{
	local IFS=' '

	_df_show command "$*"
	_df_show status "$DF_STATUS"
	[ -z "$DF_OUT" ] || _df_show stdout "$DF_OUT"
	[ -z "$DF_ERR" ] || _df_show stderr "$DF_ERR"
}

ok()
{
	local desc=$1 r=0

	shift
	run "$@" || :
	[ "$DF_STATUS" -eq 0 ] || r=1
	_df_result "$r" "$desc" && return 0
	_df_show_run "$@"
	return 1
}

exit_is()
{
	local want=$1 desc=$2 r=0

	shift 2
	run "$@" || :
	[ "$DF_STATUS" -eq "$want" ] || r=1
	_df_result "$r" "$desc" && return 0
	_df_show expected "$want"
	_df_show_run "$@"
	return 1
}

is()
{
	local r=0

	[ "$1" = "$2" ] || r=1
	_df_result "$r" "$3" && return 0
	_df_show got "$1"
	_df_show expected "$2"
	return 1
}

isnt()
{
	local r=0

	[ "$1" != "$2" ] || r=1
	_df_result "$r" "$3" && return 0
	_df_show got "$1"
	_df_show "expected" "anything else"
	return 1
}

like()
{
	local r=0

	[[ $1 =~ $2 ]] || r=1
	_df_result "$r" "$3" && return 0
	_df_show got "$1"
	_df_show "to match" "$2"
	return 1
}

unlike()
{
	local r=0

	[[ ! $1 =~ $2 ]] || r=1
	_df_result "$r" "$3" && return 0
	_df_show got "$1"
	_df_show "not match" "$2"
	return 1
}

df_psql()
{
	local db=dataflow

	if [ "${1-}" = -d ]; then
		db=$2
		shift 2
	fi
	"$DF_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

psql_value()
{
	local db=dataflow

	if [ "${1-}" = -d ]; then
		db=$2
		shift 2
	fi
	"$DF_PG_BINDIR/psql" -XAtq -v ON_ERROR_STOP=1 -d "$db" -c "$1"
}

# --- The cluster ------------------------------------------------------------

# The settings of every test cluster (the socket directory is added later).
_DF_PG_CONF="listen_addresses = ''
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 100
shared_buffers = 16MB
log_line_prefix = '%m [%p] '"

# Find initdb: $PG_BINDIR, pg_config --bindir, newest /usr/lib/postgresql
# (DF_PG_CONFIG and DF_PG_SEARCH replace the last two, for harness.test).
_df_find_pg()
{
	local d

	for d in "${PG_BINDIR-}" \
	    "$(${DF_PG_CONFIG:-pg_config} --bindir 2>/dev/null)" \
	    $(ls -d ${DF_PG_SEARCH:-/usr/lib/postgresql/*/bin} 2>/dev/null |
	    sort -rV); do
		if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			DF_PG_BINDIR=$d
			return 0
		fi
	done
	return 1
}

# Run a PostgreSQL program as the cluster's owner, from a directory it
# can read (a root build directory may be closed to it).
_df_pg()
{
	if [ -z "$DF_PG_OSUSER" ]; then
		(cd / && "$@")
	elif command -v runuser >/dev/null 2>&1; then
		(cd / && runuser -u "$DF_PG_OSUSER" -- "$@")
	else
		(cd / && setpriv --reuid="$DF_PG_OSUSER" \
		    --regid="$(id -g "$DF_PG_OSUSER")" --clear-groups -- "$@")
	fi
}

# initdb refuses to run as root: use an unprivileged system user.
_df_pick_osuser()
{
	DF_PG_OSUSER=
	[ "$(id -u)" -eq 0 ] || return 0
	DF_PG_OSUSER=dataflow-test
	id -u "$DF_PG_OSUSER" >/dev/null 2>&1 && return 0
	if command -v useradd >/dev/null 2>&1; then
		# Two scripts may race here: whoever loses finds the user.
		useradd --system --no-create-home --shell /usr/sbin/nologin \
		    "$DF_PG_OSUSER" >/dev/null 2>&1 ||
		    id -u "$DF_PG_OSUSER" >/dev/null 2>&1 ||
		    DF_PG_OSUSER=nobody
	else
		DF_PG_OSUSER=nobody
	fi
}

# Where data directories go: tmpfs when it has room, as PostgreSQL writes
# many small files and creating them is slow on some disks. Only the data:
# T must allow exec, and /dev/shm may be noexec.
_df_data_tmp()
{
	local free

	if [ -n "${DF_PGDATA_TMPDIR-}" ]; then
		echo "$DF_PGDATA_TMPDIR"
		return
	fi
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		free=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
		if [ "${free:-0}" -ge 1048576 ]; then
			echo /dev/shm
			return
		fi
	fi
	echo "${TMPDIR:-/tmp}"
}

# _df_newdir PREFIX: print a new empty directory for the cluster's owner.
_df_newdir()
{
	local dir

	dir=$(mktemp -d "$(_df_data_tmp)/$1.XXXXXX") || return 1
	[ -z "$DF_PG_OSUSER" ] || chown "$DF_PG_OSUSER" "$dir" || return 1
	echo "$dir"
}

# _df_initdb DATA SOCKDIR LOG: a new cluster in DATA with the database
# dataflow, shut down cleanly so that its copies start without recovery.
_df_initdb()
{
	local data=$1 sock=$2 log=$3 rc

	_df_pg "$DF_PG_BINDIR/initdb" -A trust --nosync -U dataflow \
	    -E UTF8 --locale=C -D "$data" >>"$log" 2>&1 || return 1
	printf '%s\nunix_socket_directories = '\''%s'\''\n' \
	    "$_DF_PG_CONF" "$sock" >>"$data/postgresql.conf"
	# The server appends to the log as the cluster's owner.
	[ -z "$DF_PG_OSUSER" ] || chown "$DF_PG_OSUSER" "$log"
	_df_pg "$DF_PG_BINDIR/pg_ctl" -w -D "$data" -l "$log" start \
	    >/dev/null 2>&1 || return 1
	_df_pg "$DF_PG_BINDIR/createdb" -h "$sock" -U dataflow dataflow \
	    >>"$log" 2>&1
	rc=$?
	_df_pg "$DF_PG_BINDIR/pg_ctl" -w -D "$data" -m fast stop \
	    >/dev/null 2>&1 || return 1
	return $rc
}

# Make (once, under a lock, for make -j) the template cluster that every
# test copies; print its data directory, or nothing to initdb each time.
_df_template()
{
	local root key tpl build lockfd

	command -v flock >/dev/null 2>&1 || return 0
	root=${DF_PGTEMPLATE_DIR:-${DF_BUILDDIR:-/tmp}/tests/pgtemplate}
	key=$("$DF_PG_BINDIR/pg_ctl" --version; id -un; echo "$_DF_PG_CONF")
	key=$(printf '%s' "$key" | cksum | cut -d' ' -f1)
	tpl=$root/$key
	if [ -f "$tpl/ready" ]; then
		echo "$tpl/data"
		return 0
	fi
	mkdir -p "$root" 2>/dev/null || return 0
	exec {lockfd}>>"$root/lock" || return 0
	flock "$lockfd"
	if [ ! -f "$tpl/ready" ] && build=$(_df_newdir dataflow-tpl); then
		rm -rf "$tpl"
		# The server started there must not hold the lock.
		if _df_initdb "$build/data" "$build" "$build/log" {lockfd}>&- &&
		    mkdir -p "$tpl" && cp -a "$build/data" "$tpl/data"; then
			touch "$tpl/ready"
		else
			sed 's/^/# /' "$build/log" >&2
			rm -rf "$tpl"
		fi
		rm -rf "$build"
	fi
	exec {lockfd}>&-
	[ -f "$tpl/ready" ] && echo "$tpl/data"
	return 0
}

pg_server_start()
{
	_df_pg "$DF_PG_BINDIR/pg_ctl" -w -D "$DF_PGDATA" -l "$DF_TMP/log" \
	    start >/dev/null || return 1
	DF_PG_RUNNING=1
}

pg_server_restart()
{
	_df_pg "$DF_PG_BINDIR/pg_ctl" -w -D "$DF_PGDATA" -l "$DF_TMP/log" \
	    -m "${1:-fast}" restart >/dev/null || return 1
	DF_PG_RUNNING=1
}

pg_server_stop()
{
	_df_pg "$DF_PG_BINDIR/pg_ctl" -w -D "$DF_PGDATA" -m "${1:-fast}" \
	    stop >/dev/null || return 1
	DF_PG_RUNNING=
}

pgbouncer_start()
{
	local bin i

	bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
	[ -x "$bin" ] || return 1
	DF_PGB=$DF_TMP/pgbouncer
	mkdir -p "$DF_PGB" || return 1
	cat >"$DF_PGB/pgbouncer.ini" <<EOF
[databases]
dataflow = host=$DF_TMP port=5432 dbname=dataflow

[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = $DF_PGB
auth_type = trust
auth_file = $DF_PGB/users.txt
pool_mode = transaction
default_pool_size = ${1:-4}
max_client_conn = ${2:-100}
logfile = $DF_PGB/pgbouncer.log
pidfile = $DF_PGB/pgbouncer.pid
EOF
	echo '"dataflow" ""' >"$DF_PGB/users.txt"
	[ -z "$DF_PG_OSUSER" ] || chown -R "$DF_PG_OSUSER" "$DF_PGB"
	# Its file descriptors: one per client and server connection.
	(ulimit -n 4096 2>/dev/null; _df_pg "$bin" -d -q \
	    "$DF_PGB/pgbouncer.ini") || return 1
	for ((i = 0; i < 400; i++)); do
		[ -S "$DF_PGB/.s.PGSQL.6432" ] && break
		sleep 0.05
	done
	[ -S "$DF_PGB/.s.PGSQL.6432" ] || return 1
	DF_PGB_PROPERTIES=$DF_TMP/pgbouncer.properties
	printf 'url=postgresql:///dataflow?host=%s&port=6432\nuser=dataflow\n' \
	    "$DF_PGB" >"$DF_PGB_PROPERTIES"
	export DF_PGB DF_PGB_PROPERTIES
}

_df_start_cluster()
{
	local tpl

	_df_find_pg || skip_all "no PostgreSQL server binaries"
	_df_pick_osuser
	[ -z "$DF_PG_OSUSER" ] || chown "$DF_PG_OSUSER" "$DF_TMP"
	DF_PGDATA_DIR=$(_df_newdir dataflow-pgdata) ||
	    BAIL_OUT "could not create a directory for PostgreSQL"
	DF_PGDATA=$DF_PGDATA_DIR/data
	tpl=$(_df_template)
	if [ -n "$tpl" ]; then
		cp -a "$tpl" "$DF_PGDATA" ||
		    BAIL_OUT "could not copy the template cluster $tpl"
		[ -z "$DF_PG_OSUSER" ] || chown -R "$DF_PG_OSUSER" "$DF_PGDATA"
	elif ! _df_initdb "$DF_PGDATA" "$DF_TMP" "$DF_TMP/log"; then
		sed 's/^/# /' "$DF_TMP/log"
		BAIL_OUT "could not create a PostgreSQL cluster"
	fi
	printf 'unix_socket_directories = '\''%s'\''\n' "$DF_TMP" \
	    >>"$DF_PGDATA/postgresql.conf"
	pg_server_start || {
		sed 's/^/# /' "$DF_TMP/log"
		BAIL_OUT "could not start PostgreSQL"
	}

	export DF_PGDATA PGHOST=$DF_TMP PGUSER=dataflow PGDATABASE=postgres
	cat >"$DF_TMP/dataflow.properties" <<EOF
url=postgresql:///dataflow?host=$DF_TMP
user=dataflow
EOF
	export DATAFLOW_PROPERTIES=$DF_TMP/dataflow.properties
}

_df_cleanup()
{
	local status=$?

	set +e
	trap - EXIT INT TERM HUP
	[ -n "$DF_PLANNED" ] || printf '1..%d\n' "$DF_TESTS_RUN"
	if [ -n "$DF_TMP" ]; then
		[ ! -f "$DF_TMP/pgbouncer/pgbouncer.pid" ] ||
		    kill "$(cat "$DF_TMP/pgbouncer/pgbouncer.pid")" 2>/dev/null
		[ -z "$DF_PG_RUNNING" ] || pg_server_stop immediate
		if [ "$DF_TESTS_FAILED" -gt 0 ] || [ "$status" -ne 0 ]; then
			if [ -s "$DF_TMP/log" ]; then
				echo "# server log:"
				sed 's/^/# /' "$DF_TMP/log"
			fi
		fi
		cd / && rm -rf "$DF_TMP" ${DF_PGDATA_DIR:+"$DF_PGDATA_DIR"}
	fi
	[ "$status" -ne 0 ] || [ "$DF_TESTS_FAILED" -eq 0 ] || status=1
	exit "$status"
}

# --- Set up -----------------------------------------------------------------

if [ -z "${DF_BUILDDIR-}" ] || [ ! -d "$DF_BUILDDIR" ]; then
	DF_PLANNED=1
	echo "Bail out! DF_BUILDDIR is not set: run the tests with" \
	    "make check, or export DF_BUILDDIR=/path/to/the/build/directory"
	exit 1
fi
DF_BUILDDIR=$(cd "$DF_BUILDDIR" && pwd)
: "${DF_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export DF_BUILDDIR DF_SRCDIR

trap _df_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

DF_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dataflow-test.XXXXXX") ||
    BAIL_OUT "could not create a temporary directory"
T=$DF_TMP/t
mkdir "$T" && cd "$T" || BAIL_OUT "could not create $T"
export DF_TMP T

# Nothing from the developer's own setup leaks into the tests.
unset PGHOSTADDR PGPORT PGSERVICE PGSERVICEFILE PGOPTIONS PGPASSWORD \
    PGPASSFILE PGSSLMODE PGAPPNAME PGCONNECT_TIMEOUT PGTARGETSESSIONATTRS \
    PASSKEY DATAFLOW_PASSKEY_FILE DATAFLOW_PROPERTIES
export XDG_CONFIG_HOME=$DF_TMP/xdg
# Messages in English, sorting by bytes, whatever the developer's locale.
unset LANGUAGE
export LC_ALL=C.UTF-8
exec </dev/null

PATH=$DF_BUILDDIR:$PATH
PATH=$DF_BUILDDIR/runjob:$DF_BUILDDIR/dataflow:$DF_BUILDDIR/cryptor:$PATH
if [ -z "${DF_NO_CLUSTER-}" ]; then
	_df_start_cluster
	PATH=$PATH:$DF_PG_BINDIR
fi
export PATH
