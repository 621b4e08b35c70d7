# analyze.awk: the checks of tests/stress/run over what a stress run left.
#
# usage: awk -f analyze.awk -v LEASE=SECS [-v RB=T -v RE=T] KILLS RUNS LEDGER
#
#   KILLS   the killer's log: "kill PID TIME INRUN" (TIME: epoch seconds,
#           taken just after kill(2) returned)
#   RUNS    the job's runs from the database, tab-separated: run_id dataid
#           status pid started ended lease_until message (times: epoch)
#   LEDGER  written by the job script: "start|end|term DATAID RUNID TIME"
#   RB, RE  when the PostgreSQL restart began and ended (none if empty)
#
# Checks, each failure printed as "violation TEXT":
#   - a kill hits the run of that pid live at that time (started before,
#     not ended before); every run that is not its partition's SUCCEEDED
#     one is explained: ABANDONED and hit by a kill, or ABANDONED with a
#     lease that ran out during the restart (lease_until in [RB, RE+LEASE]),
#     or CANCELLED by its own wrapper's fence during the restart (started
#     before it ended, ended after it began: a slow restart outlasted two
#     thirds of the lease);
#   - every script run in the ledger belongs to a run of that partition,
#     and starts once; one that has no end is explained by a kill, or by
#     the restart (its wrapper fenced it and killed it after the grace
#     before bash ran its TERM trap): it ended by the run's end or lease;
#   - the script runs of one partition never overlap: a run's interval is
#     [start, end or term], for a killed run [start, kill time]; a killed
#     run's script that still wrote "end" more than KILL_GRACE s after the
#     kill outlived its wrapper;
#   - every SUCCEEDED run ran its script to the end;
#   - every killed run's partition ran again.
# Also prints "count NAME N" lines and, per killed run,
# "reclaim KILL_TO_NEXT_START KILL_TO_ABANDONED" (seconds).

function v(msg) { nviol++; print "violation " msg }

FILENAME == ARGV[1] { nk++; kp[nk] = $2; kt[nk] = $3 + 0; next }

FILENAME == ARGV[2] {
	split($0, f, "\t")
	r = f[1]; nr++; rid[nr] = r
	rd[r] = f[2]; rs[r] = f[3]; rp[r] = f[4]; rst[r] = f[5] + 0
	ren[r] = f[6]; rlu[r] = f[7] + 0; rmsg[r] = f[8]
	bypid[f[4]] = bypid[f[4]] " " r
	byd[f[2]] = byd[f[2]] " " r
	nstat[f[3]]++
	next
}

FILENAME == ARGV[3] {
	r = $3
	if ($1 == "start") {
		if (r in ls)
			v("run " r " started its script twice")
		ls[r] = $4 + 0; ld[r] = $2; nstart++
		sbyd[$2] = sbyd[$2] " " r
	} else if ($1 == "end")
		le[r] = $4 + 0
	else if ($1 == "term")
		lt[r] = $4 + 0
	else
		v("bad ledger line: " $0)
	next
}

END {
	EPS = 0.5		# clock slack between the killer and PostgreSQL
	if (KILL_GRACE == "")
		KILL_GRACE = 0.25
	# Which run each kill hit: the run of that pid live at that time
	# (pids are reused, hence the time window).
	for (k = 1; k <= nk; k++) {
		m = split(bypid[kp[k]], c, " ")
		hit = ""
		for (i = 1; i <= m; i++) {
			r = c[i]
			if (rst[r] <= kt[k] + EPS &&
			    (ren[r] == "" || ren[r] + 0 >= kt[k] - EPS) &&
			    (hit == "" || rst[r] > rst[hit]))
				hit = r
		}
		if (hit == "")
			kidle++
		else if (rs[hit] == "ABANDONED") {
			if (!(hit in kr)) {
				kr[hit] = k
				kruns++
			} else
				krepeat++	# a wrapper already killed
		} else
			krecorded++
	}

	# Every run but the one SUCCEEDED per partition needs a cause.
	for (i = 1; i <= nr; i++) {
		r = rid[i]
		if (rs[r] == "SUCCEEDED") {
			if (rd[r] in succ)
				v("partition " rd[r] " SUCCEEDED twice: runs " \
				    succ[rd[r]] " and " r)
			succ[rd[r]] = r
			continue
		}
		extra++
		if (r in kr)
			bykill++
		else if (RB != "" && rs[r] == "ABANDONED" &&
		    rlu[r] >= RB - EPS && rlu[r] <= RE + LEASE + EPS)
			byrestart[r] = nbyrestart++
		else if (RB != "" && rs[r] == "CANCELLED" &&
		    rmsg[r] ~ /lease could not be renewed/ &&
		    rst[r] <= RE + EPS && (ren[r] == "" || ren[r] + 0 >= RB - EPS))
			# fenced itself: the restart outlasted two
			# thirds of its lease
			byrestart[r] = nbyrestart++
		else
			v(sprintf("run %s of %s (%s, pid %s, \"%s\") is explained " \
			    "by neither a kill nor the restart", r, rd[r],
			    rs[r], rp[r], rmsg[r]))
	}

	# The ledger.
	for (r in ls) {
		if (!(r in rd))
			v("the ledger has run " r " that the database has not")
		else if (rd[r] != ld[r])
			v("run " r " ran " ld[r] " but claimed " rd[r])
	}
	for (d in sbyd) {
		m = split(sbyd[d], c, " ")
		for (i = 1; i <= m; i++) {
			r = c[i]
			b[i] = ls[r]
			e = (r in le) ? le[r] : ((r in lt) ? lt[r] : "")
			if (r in kr) {
				t = kt[kr[r]]
				if (e == "")
					e = t
				else if (e > t + KILL_GRACE)
					v(sprintf("the script of run %s (%s) " \
					    "ended %.3fs after its wrapper was " \
					    "killed", r, d, e - t))
			} else if (e == "" && (r in byrestart)) {
				# Fenced by its wrapper during the restart and
				# SIGKILLed after the grace, before bash ran
				# its TERM trap (deferred until sleep ends):
				# it ended by the run's end, or its lease.
				e = ren[r] != "" ? ren[r] + 0 : rlu[r] + 0
				fenced_silent++
			} else if (e == "") {
				v("the script of run " r " (" d ") neither " \
				    "ended nor was stopped nor killed")
				e = b[i]
			}
			en[i] = e
		}
		for (i = 1; i <= m; i++)
			for (j = i + 1; j <= m; j++)
				if (b[i] < en[j] && b[j] < en[i]) {
					overlaps++
					v(sprintf("runs %s and %s of %s ran at " \
					    "the same time: [%.3f, %.3f] and " \
					    "[%.3f, %.3f]", c[i], c[j], d, b[i],
					    en[i], b[j], en[j]))
				}
	}
	for (d in succ) {
		r = succ[d]
		if (!(r in le))
			v("the SUCCEEDED run " r " of " d " did not run its " \
			    "script to the end")
	}

	# Death to reclaim: from the kill to the next run of the partition.
	for (r in kr) {
		m = split(byd[rd[r]], c, " ")
		nx = ""
		for (i = 1; i <= m; i++)
			if (c[i] + 0 > r + 0 && (nx == "" || c[i] + 0 < nx + 0))
				nx = c[i]
		if (nx == "")
			v("killed run " r " of " rd[r] " was never run again")
		else
			printf "reclaim %.3f %.3f\n", rst[nx] - kt[kr[r]],
			    ren[r] - kt[kr[r]]
	}

	printf "count runs %d\n", nr
	printf "count starts %d\n", nstart
	printf "count kills %d\n", nk
	printf "count kills_in_run %d\n", kruns
	printf "count kills_between_runs %d\n", kidle
	printf "count kills_after_record %d\n", krecorded
	printf "count kills_repeated %d\n", krepeat
	printf "count extra %d\n", extra
	printf "count extra_by_kill %d\n", bykill
	printf "count extra_by_restart %d\n", nbyrestart
	printf "count fenced_silent %d\n", fenced_silent
	printf "count abandoned %d\n", nstat["ABANDONED"]
	printf "count failed %d\n", nstat["FAILED"] + nstat["TIMEOUT"] + \
	    nstat["CANCELLED"]
	printf "count overlaps %d\n", overlaps
	printf "count violations %d\n", nviol
}
