// console.js: the web console of dataflow serve (SPEC 9). Plain JavaScript,
// no library: it talks only to the JSON API of the server it came from, puts
// data on the page with textContent only, and refreshes while visible.
"use strict";

import {backlog, timeline} from "./charts.js";
import {SVG_NS, svgEl} from "./svg.js";
import {graphView as graphViewOf} from "./graph.js";

const POLL_MS = 4000;
const GRID_ROWS = 30;
const PREVIEW_ROWS = 20;	// of a resubmit's dry run
// A partition's state in words and a glyph, never by colour alone.
const STATES = {
	succeeded: ["\u2713", "succeeded"],
	done: ["\u2713", "done"],
	failed: ["\u2717", "failed"],
	running: ["\u25B6", "running"],
	ready: ["\u25CB", "ready"],
	retrying: ["\u21BB", "retrying"],
	waiting: ["\u2026", "waiting"],
	skipped: ["\u2013", "skipped"],
	missing: ["\u00B7", "missing"]
};

let session = null;		// {name, role, csrf}
let current = null;		// the view on the page: {refresh()}
let timer = null;

const $ = (id) => document.getElementById(id);

// el("td", {class: "num"}, "text", child...): an element; strings become
// text nodes, so data is never parsed as HTML.
function el(tag, attrs, ...kids)
{
	const e = document.createElement(tag);

	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k.startsWith("on"))
			e.addEventListener(k.slice(2), v);
		else
			e.setAttribute(k, v === true ? "" : String(v));
	}
	for (const k of kids.flat()) {
		if (k === null || k === undefined)
			continue;
		e.append(k instanceof Node ? k : document.createTextNode(
		    String(k)));
	}
	return e;
}

function showError(msg)
{
	const p = $("error");

	p.textContent = msg ? String(msg).split("\n")[0] : "";
	p.hidden = !msg;
}

// The API: JSON in and out; a mutation carries the session's CSRF token.
// Throws an Error whose message is the server's one line.
async function api(method, path, body)
{
	const opt = {method, credentials: "same-origin",
	    headers: {Accept: "application/json"}};

	if (method !== "GET") {
		opt.headers["Content-Type"] = "application/json";
		if (session && session.csrf)
			opt.headers["X-CSRF-Token"] = session.csrf;
		opt.body = JSON.stringify(body || {});
	}
	let r;
	try {
		r = await fetch(path, opt);
	} catch (e) {
		throw new Error("the server did not answer: " + e.message);
	}
	const text = await r.text();
	let data = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch (e) {
		data = null;
	}
	if (!r.ok) {
		const err = new Error(data && data.error ? data.error :
		    `${method} ${path}: HTTP ${r.status}`);
		err.status = r.status;
		throw err;
	}
	return data;
}

const enc = encodeURIComponent;
const isOperator = () => session && session.role === "operator";

function stateBadge(state, extra)
{
	const s = STATES[state] || ["", state || "?"];

	return el("span", {class: `state s-${state}`, title: extra || null},
	    `${s[0]} ${s[1]}`.trim());
}

function fmtSecs(s)
{
	if (s === null || s === undefined)
		return "";
	if (s < 60)
		return `${Number(s).toFixed(s < 10 ? 1 : 0)} s`;
	if (s < 3600)
		return `${Math.round(s / 60)} min`;
	if (s < 172800)
		return `${(s / 3600).toFixed(1)} h`;
	return `${Math.round(s / 86400)} d`;
}

function fmtTime(t)
{
	if (!t)
		return "";
	const d = new Date(t);
	return isNaN(d) ? String(t) : d.toISOString().replace("T", " ")
	    .replace(/\.\d+Z$/, "Z");
}

// A table: heads (strings) and rows (arrays of cells: string or node).
function table(caption, heads, rows, cls)
{
	return el("table", {class: cls || null},
	    el("caption", {class: "muted"}, caption),
	    el("thead", {}, el("tr", {}, heads.map((h) =>
		el("th", {scope: "col"}, h)))),
	    el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) =>
		c instanceof Node && c.tagName === "TH" ? c :
		el("td", typeof c === "number" ? {class: "num"} : {},
		    c === null || c === undefined ? "" : c))))));
}

function link(href, text)
{
	return el("a", {href}, text);
}

const jobHref = (j) => `#/job/${enc(j)}`;
const partHref = (j, d) => `#/partition/${enc(j)}/${enc(d)}`;

// --- sign-in -------------------------------------------------------------

async function loadSession()
{
	try {
		const s = await api("GET", "/api/v1/session");
		const csrf = s.csrf || sessionStorage.getItem("df-csrf");
		session = {name: s.name || s.token, role: s.role, csrf};
	} catch (e) {
		session = null;
		if (e.status !== 401)
			showError(e.message);
	}
}

async function signIn(ev)
{
	ev.preventDefault();
	const input = $("token");
	try {
		const s = await api("POST", "/api/v1/session",
		    {token: input.value.trim()});
		input.value = "";
		if (s && s.csrf)
			sessionStorage.setItem("df-csrf", s.csrf);
		showError("");
		await start();
	} catch (e) {
		showError(e.message);
	}
}

async function signOut()
{
	try {
		await api("DELETE", "/api/v1/session");
	} catch (e) {
		// Signed out either way: the cookie is gone or useless.
	}
	sessionStorage.removeItem("df-csrf");
	session = null;
	location.hash = "#/";
	await start();
}

function showSignedIn(on)
{
	$("signin").hidden = on;
	$("view").hidden = !on;
	$("nav").hidden = !on;
	$("signout").hidden = !on;
	$("who").hidden = !on;
	if (on)
		$("who").textContent = `${session.name} (${session.role})`;
	else
		$("token").focus();
}

// --- refresh -------------------------------------------------------------

async function refresh()
{
	if (!current || document.hidden)
		return;
	try {
		await current.refresh();
		showError("");
	} catch (e) {
		if (e.status === 401) {
			session = null;
			showSignedIn(false);
			showError("the session ended: sign in again");
			return;
		}
		showError(e.message);
	}
}

function poll()
{
	clearInterval(timer);
	timer = setInterval(refresh, POLL_MS);
}

// What has the keyboard's focus inside node, as a way to find it again
// after a refresh replaced it: a link by its address, else by its id.
function focusKey(node)
{
	const a = document.activeElement;

	if (!a || !node.contains(a))
		return () => {};
	const href = a.getAttribute("href");
	const sel = href !== null ? `[href="${CSS.escape(href)}"]` :
	    a.id ? `#${CSS.escape(a.id)}` : null;
	return () => {
		const b = sel && node.querySelector(sel);
		if (b)
			b.focus();
	};
}

// A view: a title, a static part (forms keep what was typed) and a data
// part that each refresh replaces.
function view(title, load, forms)
{
	const data = el("div", {class: "data"});
	const v = $("view");

	v.replaceChildren(el("h2", {id: "view-title", tabindex: "-1"}, title),
	    data, ...(forms || []));
	return {
		data,
		refresh: async () => {
			const nodes = await load();
			const again = focusKey(data);
			data.replaceChildren(...nodes);
			again();
		}
	};
}

// --- overview ------------------------------------------------------------

function jobRow(j)
{
	const lr = j.last_run;
	return [
		el("th", {scope: "row"}, link(jobHref(j.jobid), j.jobid)),
		el("span", {}, stateBadge(j.paused ? "paused" : j.state),
		    j.failed ? [" ", el("span", {class: "state s-failed"},
		    `${STATES.failed[0]} ${j.failed} failed`)] : null),
		j.claimable, j.running, j.done, j.failed,
		j.oldest ? fmtSecs(j.oldest.lag_secs) : "",
		lr ? el("span", {}, link(partHref(j.jobid, lr.dataid),
		    lr.dataid), " ", stateBadge(lr.status),
		    ` ${fmtTime(lr.ended || lr.started)}`) : "never"
	];
}

function workerRow(w)
{
	return [
		w.worker_id, w.jobid, stateBadge(w.state), w.host || "",
		w.mode || "", w.processed, w.succeeded, w.failed,
		fmtTime(w.last_seen)
	];
}

async function overview()
{
	const [st, wk] = await Promise.allSettled([
	    api("GET", "/api/v1/status"), api("GET", "/api/v1/workers")]);
	if (st.status === "rejected")
		throw st.reason;
	// The jobs without the workers rather than nothing.
	const workers = wk.status === "fulfilled" ? wk.value.workers || [] :
	    null;
	return [
		table("Jobs", ["job", "state", "claimable", "running", "done",
		    "failed", "lag", "last run"], st.value.jobs.map(jobRow)),
		el("h3", {}, "Workers"),
		workers === null ? el("p", {class: "muted"},
		    `Workers: ${wk.reason.message}`) :
		workers.length ? table("Workers", ["id", "job", "state",
		    "host", "mode", "processed", "succeeded", "failed",
		    "last seen"], workers.map(workerRow)) :
		    el("p", {class: "muted"}, "No worker has registered.")
	];
}

// --- graph ---------------------------------------------------------------

// The graph: serve/console/graph.js draws it (dot's layout, or the
// page's own), with what it needs of this file.

function graphView(q)
{
	return graphViewOf({api, el, svgEl, view, table, link, stateBadge,
	    jobHref, enc, STATES}, q);
}

// Jobs in dependency order (upstream first), from the graph's edges.
function jobOrder(g)
{
	const jobs = g.nodes.filter((n) => n.kind === "job").map((n) =>
	    n.name).sort();
	const producer = {};
	for (const n of g.nodes)
		if (n.kind === "dataset" && n.producer)
			producer[n.id] = n.producer;
	const ups = {};
	for (const j of jobs)
		ups[j] = [];
	for (const e of g.edges)
		if (e.to.startsWith("j:") && producer[e.from])
			ups[e.to.slice(2)].push(producer[e.from]);
	const out = [], seen = new Set();
	const visit = (j) => {
		if (seen.has(j))
			return;
		seen.add(j);
		for (const u of ups[j] || [])
			visit(u);
		out.push(j);
	};
	jobs.forEach(visit);
	return out;
}

// --- grid ----------------------------------------------------------------

function gridCell(job, dataid, p)
{
	const state = p ? p.state : "missing";
	const s = STATES[state] || ["?", state];
	const label = `${job} ${dataid}: ${s[1]}`;
	// Hover or focus: the last run, and the attempts so far.
	const title = p && p.run_id ? `${label} (run ${p.run_id}, attempt ` +
	    `${p.attempts}, ${p.failures} failed)` : label;
	if (!p)
		return el("td", {}, el("span", {class: "cell s-missing",
		    title: label, "aria-label": label}, `${s[0]} ${s[1]}`));
	return el("td", {}, el("a", {class: `cell s-${state}`,
	    href: partHref(job, dataid), title, "aria-label": label,
	    "data-job": job, "data-dataid": dataid, "data-state": state},
	    `${s[0]} ${s[1]}`));
}

function gridView(q)
{
	const filter = q.get("state") || "";
	const to = q.get("to") || "";
	const form = el("form", {id: "grid-filter"},
	    el("label", {for: "grid-state"}, "Show"),
	    el("select", {id: "grid-state", name: "state"},
		el("option", {value: ""}, "all partitions"),
		el("option", {value: "failed"}, "failed"),
		el("option", {value: "missing"}, "missing"),
		el("option", {value: "running"}, "running")),
	    el("button", {type: "submit"}, "Filter"));
	form.elements.state.value = filter;
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const v = form.elements.state.value;
		location.hash = "#/grid" + (v ? `?state=${enc(v)}` : "");
	});
	const legend = el("p", {class: "legend"}, "Legend: ",
	    Object.keys(STATES).map((k) => stateBadge(k)));

	return view("Partitions", async () => {
		const g = await api("GET", "/api/v1/graph");
		const jobs = jobOrder(g);
		const want = filter === "missing" || !filter ? "" : filter;
		// "to" is inclusive: one more row, and the page's own
		// oldest (shown on the page before) left out.
		const qs = `limit=${GRID_ROWS + 2}` +
		    (want ? `&state=${enc(want)}` : "") +
		    (to ? `&to=${enc(to)}` : "");
		const lists = await Promise.all(jobs.map((j) => api("GET",
		    `/api/v1/jobs/${enc(j)}/partitions?${qs}`)));
		const cells = {};
		const ids = new Set();
		lists.forEach((l, i) => {
			for (const p of l.partitions || []) {
				cells[`${jobs[i]}\u0000${p.dataid}`] = p;
				ids.add(p.dataid);
			}
		});
		let rows = [...ids].sort().reverse().filter((d) => !to ||
		    d < to);
		if (filter === "missing")
			rows = rows.filter((d) => jobs.some((j) =>
			    !cells[`${j}\u0000${d}`]));
		const more = rows.length > GRID_ROWS;
		rows = rows.slice(0, GRID_ROWS);
		const nav = el("p", {});
		if (to)
			nav.append(link("#/grid" + (filter ?
			    `?state=${enc(filter)}` : ""), "Newest"), " ");
		if (more)
			nav.append(link(`#/grid?to=${enc(rows[rows.length -
			    1])}` + (filter ? `&state=${enc(filter)}` : ""),
			    "Older"));
		if (!rows.length)
			return [el("p", {class: "muted"},
			    "No partition matches.")];
		return [table("Jobs by dataid, newest first",
		    ["dataid", ...jobs], rows.map((d) => [
			el("th", {scope: "row"}, d),
			...jobs.map((j) => gridCell(j, d,
			    cells[`${j}\u0000${d}`]))
		    ]), "grid"), nav];
	}, [form, legend]);
}

// --- a partition ---------------------------------------------------------

function kvTable(caption, obj)
{
	const keys = Object.keys(obj || {});
	if (!keys.length)
		return el("p", {class: "muted"}, `${caption}: none`);
	return table(caption, ["name", "value"], keys.map((k) =>
	    [k, typeof obj[k] === "string" ? obj[k] : JSON.stringify(obj[k])]));
}

function runDetail(r)
{
	return el("section", {"aria-label": `run ${r.run_id}`},
	    el("h3", {}, `Run ${r.run_id}: `, stateBadge(r.status)),
	    el("p", {}, `attempt ${r.attempt}, on ${r.host || "?"} ` +
		`(pid ${r.pid}, ${r.user}), exit ${r.exit_code ?? "none"}` +
		(r.signal ? `, signal ${r.signal}` : "") +
		`, ${fmtSecs(r.duration_secs)}` +
		(r.message ? `: ${r.message}` : "")),
	    kvTable("Parameters (secrets masked)", r.params),
	    kvTable("Metrics", r.metrics),
	    el("h4", {}, "stderr (tail)"),
	    el("pre", {class: "stderr"}, r.stderr_tail || "(empty)"));
}

function partitionView(job, dataid)
{
	const forms = isOperator() ? [resubmitForm(job, [dataid])] : [];

	return view(`${job} / ${dataid}`, async () => {
		const [runs, ex] = await Promise.all([
		    api("GET", `/api/v1/runs?job=${enc(job)}&dataid=` +
			`${enc(dataid)}&limit=50`),
		    api("GET", `/api/v1/explain/${enc(job)}?dataid=` +
			`${enc(dataid)}`)]);
		const list = (runs.runs || []).filter((r) => r.dataid ===
		    dataid);
		const out = [el("p", {}, "Job: ", link(jobHref(job), job))];
		for (const p of ex.partitions || [])
			out.push(el("p", {class: "explain"}, "Explain: ",
			    stateBadge(p.state), ` ${p.verdict}: ${p.reason}`));
		out.push(table("Runs of this partition", ["run", "status",
		    "attempt", "host", "started", "duration", "exit"],
		    list.map((r) => [link(`#/run/${r.run_id}`,
			String(r.run_id)), stateBadge(r.status), r.attempt,
			r.host, fmtTime(r.started), fmtSecs(r.duration_secs),
			r.exit_code ?? ""])));
		if (list.length)
			out.push(runDetail(await api("GET",
			    `/api/v1/runs/${list[0].run_id}`)));
		return out;
	}, forms);
}

function runView(id)
{
	return view(`Run ${id}`, async () => {
		const r = await api("GET", `/api/v1/runs/${enc(id)}`);
		return [el("p", {}, link(jobHref(r.jobid), r.jobid), " / ",
		    link(partHref(r.jobid, r.dataid), r.dataid)), runDetail(r)];
	});
}

// --- a job and the operators' actions ------------------------------------

// A one-line result of an action, in words.
function said(form, text)
{
	let p = form.querySelector(".said");
	if (!p) {
		p = el("p", {class: "said", role: "status"});
		form.append(p);
	}
	p.textContent = text;
}

async function act(form, fn)
{
	try {
		showError("");
		await fn();
		await refresh();
	} catch (e) {
		showError(e.message);
		said(form, `refused: ${e.message}`);
	}
}

function pauseForm(job)
{
	const f = el("form", {id: "pause-form"}, el("fieldset", {},
	    el("legend", {}, "Pause or resume"),
	    el("label", {for: "pause-reason"}, "Reason"),
	    el("input", {id: "pause-reason", name: "reason", size: 40}),
	    el("button", {type: "button", id: "pause", onclick: () =>
		act(f, async () => {
			await api("POST", `/api/v1/jobs/${enc(job)}/pause`,
			    {reason: f.elements.reason.value || undefined});
			said(f, `${job} paused`);
		})}, "Pause"),
	    el("button", {type: "button", id: "resume", onclick: () =>
		act(f, async () => {
			await api("POST", `/api/v1/jobs/${enc(job)}/resume`,
			    {reason: f.elements.reason.value || undefined});
			said(f, `${job} resumed`);
		})}, "Resume")));
	f.addEventListener("submit", (ev) => ev.preventDefault());
	return f;
}

// Resubmit: the dry run's list and count first, then a confirmation.
function resubmitForm(job, dataids)
{
	const preview = el("div", {class: "preview", hidden: true,
	    "aria-live": "polite"});
	const f = el("form", {id: "resubmit-form"}, el("fieldset", {},
	    el("legend", {}, "Resubmit"),
	    el("label", {for: "rs-dataids"},
		"Dataids (all blank: all failed)"),
	    el("input", {id: "rs-dataids", name: "dataids", size: 30,
		value: (dataids || []).join(" ")}),
	    el("label", {for: "rs-from"}, "or from"),
	    el("input", {id: "rs-from", name: "from", size: 12}),
	    el("label", {for: "rs-to"}, "to"),
	    el("input", {id: "rs-to", name: "to", size: 12}),
	    el("label", {for: "rs-step"}, "step (blank: daily, YYYY-MM-DD)"),
	    el("input", {id: "rs-step", name: "step", size: 4,
		inputmode: "numeric"}),
	    el("input", {type: "checkbox", id: "rs-down", name: "downstream"}),
	    el("label", {for: "rs-down"}, "with downstream"),
	    el("label", {for: "rs-reason"}, "Reason"),
	    el("input", {id: "rs-reason", name: "reason", size: 30}),
	    el("button", {type: "submit", id: "rs-preview"},
		"Preview (dry run)")), preview);
	const body = (dry) => {
		const ids = f.elements.dataids.value.trim().split(/[\s,]+/)
		    .filter(Boolean);
		const b = {downstream: f.elements.downstream.checked,
		    dry_run: dry};
		const from = f.elements.from.value.trim();
		const to = f.elements.to.value.trim();
		if (ids.length)
			b.dataids = ids;
		if (from || to) {
			b.from = from;
			b.to = to;
			const step = f.elements.step.value.trim();
			if (step)
				b.step = Number(step);
			else
				b.daily = true;
		}
		if (!ids.length && !from && !to)
			b.failed = true;
		if (f.elements.reason.value)
			b.reason = f.elements.reason.value;
		return b;
	};
	f.addEventListener("submit", (ev) => {
		ev.preventDefault();
		act(f, async () => {
			const b = body(true);
			const r = await api("POST",
			    `/api/v1/jobs/${enc(job)}/resubmit`, b);
			const parts = r.partitions || [];
			const go = el("button", {type: "button",
			    id: "rs-confirm"}, `Resubmit ${r.resubmitted}`);
			const no = el("button", {type: "button",
			    id: "rs-cancel"}, "Cancel");
			preview.replaceChildren(
			    el("p", {id: "rs-count"}, `Dry run: ` +
				`${r.resubmitted} to resubmit, ${r.refused} ` +
				"refused" + (parts.length > PREVIEW_ROWS ?
				`; the first ${PREVIEW_ROWS} of ` +
				`${parts.length}:` : ".")),
			    table("What the resubmit would do", ["job",
				"dataid", "action", "from", "to"], parts.slice(
				0, PREVIEW_ROWS).map((p) => [p.jobid,
				p.dataid, p.action, p.old_state,
				p.new_state])),
			    go, no);
			preview.hidden = false;
			no.addEventListener("click", () => {
				preview.hidden = true;
			});
			go.addEventListener("click", () => act(f,
			    async () => {
				const c = await api("POST",
				    `/api/v1/jobs/${enc(job)}/resubmit`,
				    {...b, dry_run: false});
				preview.hidden = true;
				said(f, `resubmitted ${c.resubmitted}`);
			    }));
			go.focus();
		});
	});
	return f;
}

function kvRow(list, name, value)
{
	const i = list.children.length;
	list.append(el("div", {class: "kv-row"},
	    el("label", {for: `tp-name-${i}`}, "Name"),
	    el("input", {id: `tp-name-${i}`, class: "tp-name", value: name}),
	    el("label", {for: `tp-value-${i}`}, "Value"),
	    el("input", {id: `tp-value-${i}`, class: "tp-value",
		value})));
}

function triggerForm(job, params)
{
	const list = el("div", {class: "kv"});
	for (const [k, v] of Object.entries(params || {}))
		kvRow(list, k, typeof v === "string" ? v : JSON.stringify(v));
	if (!list.children.length)
		kvRow(list, "", "");
	const f = el("form", {id: "trigger-form"}, el("fieldset", {},
	    el("legend", {}, "Trigger a partition"), list,
	    el("button", {type: "button", id: "tp-add", onclick: () =>
		kvRow(list, "", "")}, "Add a parameter"),
	    el("label", {for: "tp-dataid"}, "Dataid (blank: generated)"),
	    el("input", {id: "tp-dataid", name: "dataid"}),
	    el("label", {for: "tp-label"}, "Label"),
	    el("input", {id: "tp-label", name: "label"}),
	    el("button", {type: "submit", id: "trigger"}, "Trigger")));
	f.addEventListener("submit", (ev) => {
		ev.preventDefault();
		act(f, async () => {
			const p = {};
			for (const row of list.children) {
				const n = row.querySelector(".tp-name").value
				    .trim();
				if (n)
					p[n] = row.querySelector(".tp-value")
					    .value;
			}
			const b = {params: p};
			if (f.elements.dataid.value)
				b.dataid = f.elements.dataid.value;
			if (f.elements.label.value)
				b.label = f.elements.label.value;
			const r = await api("POST",
			    `/api/v1/jobs/${enc(job)}/trigger`, b);
			said(f, "triggered " + (r.partitions || []).map((x) =>
			    x.dataid).join(", "));
		});
	});
	return f;
}

function readyForm(datasets)
{
	const f = el("form", {id: "ready-form"}, el("fieldset", {},
	    el("legend", {}, "Mark an input ready"),
	    el("label", {for: "rd-ds"}, "Dataset"),
	    el("select", {id: "rd-ds", name: "ds"}, datasets.map((d) =>
		el("option", {value: d}, d))),
	    el("label", {for: "rd-dataids"}, "Dataids"),
	    el("input", {id: "rd-dataids", name: "dataids", size: 30,
		required: true}),
	    el("button", {type: "submit", id: "ready"}, "Mark ready")));
	f.addEventListener("submit", (ev) => {
		ev.preventDefault();
		act(f, async () => {
			const ds = f.elements.ds.value;
			const ids = f.elements.dataids.value.trim()
			    .split(/[\s,]+/).filter(Boolean);
			const r = await api("POST",
			    `/api/v1/datasets/${enc(ds)}/ready`,
			    {dataids: ids});
			said(f, `${ds}: ${ids.join(", ")} ready` +
			    (r && r.changed !== undefined ?
			    ` (${r.changed} changed)` : ""));
		});
	});
	return f;
}

// A job's inputs and outputs (from the graph, as the CLI's graph gives
// them) and static parameters (from the job's configuration).
function jobConfig(j, g)
{
	const c = j.config || j.job || j;
	const id = `j:${j.jobid}`;
	return {
		inputs: g.edges.filter((e) => e.to === id).map((e) =>
		    e.from.slice(2)),
		outputs: g.edges.filter((e) => e.from === id).map((e) =>
		    e.to.slice(2)),
		params: c.params || {}
	};
}

// The last runs' durations and outcomes as bars, oldest left: the slow
// and the failing days at a glance. Each bar says its run in words.
function runChart(runs)
{
	const NS = SVG_NS;
	const list = runs.filter((r) => r.duration_secs !== null &&
	    r.duration_secs !== undefined).slice().reverse();
	const w = 16, h = 80;
	const max = Math.max(...list.map((r) => r.duration_secs), 0.001);
	const svg = document.createElementNS(NS, "svg");
	svg.setAttribute("width", String(Math.max(list.length, 1) * w + 2));
	svg.setAttribute("height", String(h + 2));
	svg.setAttribute("role", "img");
	svg.setAttribute("class", "chart");
	svg.setAttribute("aria-label", `durations of the last ${list.length}` +
	    " runs, oldest first");
	list.forEach((r, i) => {
		const bh = Math.max(2, Math.round(r.duration_secs / max * h));
		const bar = document.createElementNS(NS, "rect");
		bar.setAttribute("x", String(i * w + 1));
		bar.setAttribute("y", String(h - bh + 1));
		bar.setAttribute("width", String(w - 3));
		bar.setAttribute("height", String(bh));
		bar.setAttribute("class", `bar s-${r.status}`);
		const t = document.createElementNS(NS, "title");
		t.textContent = `run ${r.run_id} ${r.dataid}: ${r.status}, ` +
		    fmtSecs(r.duration_secs);
		bar.append(t);
		svg.append(bar);
	});
	return el("figure", {}, svg, el("figcaption", {class: "muted"},
	    "Duration of the last runs, oldest first (red: failed)"));
}

async function jobView(job)
{
	const [j, g] = await Promise.all([
	    api("GET", `/api/v1/jobs/${enc(job)}`),
	    api("GET", "/api/v1/graph")]);
	j.jobid = job;
	const c = jobConfig(j, g);
	const forms = [];
	if (isOperator()) {
		forms.push(pauseForm(job), resubmitForm(job, []));
		if (c.inputs.includes("trigger"))
			forms.push(triggerForm(job, c.params));
		const ds = c.inputs.filter((d) => d !== "trigger");
		if (ds.length)
			forms.push(readyForm(ds));
	}
	return view(`Job ${job}`, async () => {
		const [st, runs, bl] = await Promise.all([
		    api("GET", `/api/v1/jobs/${enc(job)}`),
		    api("GET", `/api/v1/runs?job=${enc(job)}&limit=20`),
		    api("GET", `/api/v1/backlog?job=${enc(job)}`)]);
		const s = st.status || st;
		return [
		    el("p", {}, stateBadge(s.paused ? "paused" : s.state),
			` claimable ${s.claimable ?? "?"}, running ` +
			`${s.running ?? "?"}, done ${s.done ?? "?"}, failed ` +
			`${s.failed ?? "?"}`),
		    el("p", {}, `inputs: ${c.inputs.join(", ") || "none"}; ` +
			`outputs: ${c.outputs.join(", ") || "none"}`),
		    kvTable("Static parameters", c.params),
		    runChart(runs.runs || []),
		    backlog(bl, job),
		    table("Last runs", ["run", "dataid", "status", "started",
			"duration", "exit"], (runs.runs || []).map((r) => [
			link(`#/run/${r.run_id}`, String(r.run_id)),
			link(partHref(job, r.dataid), r.dataid),
			stateBadge(r.status), fmtTime(r.started),
			fmtSecs(r.duration_secs), r.exit_code ?? ""]))
		];
	}, forms);
}

// --- the timeline --------------------------------------------------------

// Runs by host over the last hours (charts.js draws them).
function timelineView(q)
{
	const hours = q.get("hours") || "6";
	const form = el("form", {id: "timeline-form"},
	    el("label", {for: "tl-hours"}, "Last"),
	    el("select", {id: "tl-hours", name: "hours"}, [1, 3, 6, 12, 24,
		48, 168].map((h) => el("option", {value: h}, `${h} h`))),
	    el("button", {type: "submit"}, "Show"));
	form.elements.hours.value = hours;
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		location.hash = `#/timeline?hours=${enc(
		    form.elements.hours.value)}`;
	});
	return view("Timeline", async () => [timeline(await api("GET",
	    `/api/v1/timeline?hours=${enc(hours)}`))], [form]);
}

// --- the router ----------------------------------------------------------

async function route()
{
	if (!session)
		return;
	const h = location.hash.replace(/^#/, "") || "/";
	const [path, query] = h.split("?");
	const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
	const q = new URLSearchParams(query || "");
	try {
		switch (parts[0]) {
		case "graph":
			current = graphView(q);
			break;
		case "grid":
			current = gridView(q);
			break;
		case "timeline":
			current = timelineView(q);
			break;
		case "job":
			current = await jobView(parts[1]);
			break;
		case "partition":
			current = partitionView(parts[1], parts[2]);
			break;
		case "run":
			current = runView(parts[1]);
			break;
		default:
			current = view("Overview", overview);
		}
	} catch (e) {
		current = null;
		showError(e.message);
		return;
	}
	await refresh();
	$("view-title").focus();
}

async function start()
{
	await loadSession();
	showSignedIn(!!session);
	if (session) {
		await route();
		poll();
	} else {
		clearInterval(timer);
		current = null;
	}
}

$("signin-form").addEventListener("submit", signIn);
$("signout").addEventListener("click", signOut);
window.addEventListener("hashchange", route);
document.addEventListener("visibilitychange", refresh);
start();
