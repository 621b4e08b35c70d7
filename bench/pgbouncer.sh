# bench/pgbouncer.sh: sourced by bench/run (section "pgbouncer"). One
# invocation through PgBouncer in transaction pooling against the floor on
# a direct connection, taking turns: behind a pooler a runjob process still
# connects, but to PgBouncer, whose server backends stay warm (PL/pgSQL
# loaded, catalog caches filled, df_claim compiled), so the claim of a new
# process costs what a claim in a long session costs. Uses bench/run's
# cluster ($work), programs and functions (invoke's drive, row, json).

PGBOUNCER=${PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
pgb=$work/pgb
PGB_PID=

pgb_stop()
{
	if [ -n "$PGB_PID" ]; then
		kill "$PGB_PID" 2>/dev/null || :
		wait "$PGB_PID" 2>/dev/null || :
		PGB_PID=
	fi
}

# pgb_start: PgBouncer on a Unix socket in $pgb, port 6432, transaction
# pooling, 2 server connections (one per core), trust from clients; it
# logs in as bench_pool, whose search_path is set on the role (the floor's
# SQL is not schema-qualified, and PgBouncer refuses the startup options).
pgb_start()
{
	local i

	mkdir -p "$pgb"
	sql -c "CREATE ROLE bench_pool LOGIN SUPERUSER;
	    ALTER ROLE bench_pool SET search_path = dataflow" >/dev/null
	printf '"dataflow" ""\n' >"$pgb/users.txt"
	cat >"$pgb/pgbouncer.ini" <<PGB
[databases]
dataflow = host=$work dbname=dataflow user=bench_pool
[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = $pgb
auth_type = trust
auth_file = $pgb/users.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
server_reset_query =
logfile = $pgb/log
PGB
	[ -z "$osuser" ] || chown -R "$osuser" "$pgb"
	# It refuses to run as root; setpriv execs it, so that $! is its pid.
	if [ -z "$osuser" ]; then
		"$PGBOUNCER" -q "$pgb/pgbouncer.ini" &
	else
		setpriv --reuid="$osuser" --regid="$(id -g "$osuser")" \
		    --clear-groups -- "$PGBOUNCER" -q "$pgb/pgbouncer.ini" &
	fi
	PGB_PID=$!
	for i in $(seq 100); do
		[ -S "$pgb/.s.PGSQL.6432" ] && return 0
		sleep 0.1
	done
	cat "$pgb/log" >&2
	return 1
}

if [ ! -x "$PGBOUNCER" ]; then
	say "pgbouncer: no pgbouncer (Debian package pgbouncer): n/a"
	row "invocation through PgBouncer" "n/a (no pgbouncer)"
	json pgbouncer '"n/a"'
elif ! pgb_start; then
	pgb_stop
	die "pgbouncer did not start"
else
	trap 'st=$?; pgb_stop; (exit $st); cleanup' EXIT
	cat >"$work/pgb.properties" <<EOF2
url=postgresql:///dataflow?host=$pgb&port=6432
user=dataflow
EOF2
	CI_PGB="host=$pgb port=6432 dbname=dataflow user=dataflow"
	CI_PGB="$CI_PGB fallback_application_name=floor"
	say "pgbouncer: $runs invocations each of the floor (direct), runjob" \
	    "(direct), runjob and the floor through PgBouncer"
	fill_ready inv_trust $((4 * (runs + warm) + 10)) "b"
	out=$("${D[@]}" -n "$runs" -w "$warm" -- \
	    "$FLOOR" -d "$CI_TRUST" -j inv_trust /bin/true ::: \
	    "$RUNJOB" -q --config "$work/trust.properties" --job inv_trust \
	    /bin/true ::: \
	    "$RUNJOB" -q --config "$work/pgb.properties" --job inv_trust \
	    /bin/true ::: \
	    "$FLOOR" -d "$CI_PGB" -j inv_trust /bin/true)
	f=$(sed -n 1p <<<"$out")
	r=$(sed -n 2p <<<"$out")
	p=$(sed -n 3p <<<"$out")
	q=$(sed -n 4p <<<"$out")
	for v in "$f" "$r" "$p" "$q"; do
		failures "$v"
	done
	json pgbouncer "{\"floor\": $f, \"runjob\": $r,
	    \"runjob_pgbouncer\": $p, \"floor_pgbouncer\": $q}"
	F=$(jget "$f" wall_median_ms)
	row "invocation, direct (trust)" "$(spread "$r")" "$(spread "$f")" \
	    "$(ratio "$(jget "$r" wall_median_ms)" "$F")x"
	row "invocation, runjob via PgBouncer" "$(spread "$p")" \
	    "$(spread "$f")" "$(ratio "$(jget "$p" wall_median_ms)" "$F")x"
	row "  the floor via PgBouncer" "" "$(spread "$q")" \
	    "$(ratio "$(jget "$q" wall_median_ms)" "$F")x"
	r=$(ratio "$(jget "$p" wall_median_ms)" "$F")
	goal "invocation via PgBouncer <= the direct floor" "${r}x" \
	    "$(met "$r" "<=" 1.0)"
	pgb_stop
	trap cleanup EXIT
fi
