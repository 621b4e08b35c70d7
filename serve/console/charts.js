// charts.js: the console's pictures of time (SPEC 9), drawn as SVG from the
// API's JSON: the timeline of runs by host (GET /api/v1/timeline) and a
// job's backlog of claimable partitions (GET /api/v1/backlog). Text by
// textContent only; every mark says what it is in words, not by colour.
"use strict";

import {svgEl as svg} from "./svg.js";

const LANE = 18;		// the height of a row of bars
const LEFT = 150;		// the hosts' names
const WIDTH = 900;
// An outcome's glyph, as the grid's states: colour is never alone.
const GLYPH = {
	SUCCEEDED: "\u2713", FAILED: "\u2717", TIMEOUT: "\u25F7",
	CANCELLED: "\u2298", ABANDONED: "\u2300", RUNNING: "\u25B6"
};

const ms = (t) => new Date(t).getTime();

function hhmm(t, secs)
{
	return new Date(t).toISOString().slice(11, secs ? 19 : 16);
}

// Ticks of the time axis from t0 to t1 (ms): every hour, or finer for a
// short window; each a line and its time (UTC) under the axis.
function timeAxis(g, t0, t1, x, top, bottom)
{
	const span = t1 - t0;
	const steps = [1e3, 5e3, 15e3, 30e3, 60e3, 300e3, 900e3, 1800e3,
	    3600e3, 7200e3, 21600e3, 43200e3, 86400e3];
	const step = steps.find((s) => span / s <= 8) || 86400e3;
	for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
		g.append(svg("line", {class: "tick", x1: x(t), x2: x(t),
		    y1: top, y2: bottom}));
		g.append(svg("text", {x: x(t), y: bottom + 14,
		    "text-anchor": "middle"}, hhmm(t, step < 60e3)));
	}
	g.append(svg("text", {class: "axis-label", x: LEFT + (WIDTH - LEFT) / 2,
	    y: bottom + 30, "text-anchor": "middle"}, "time (UTC)"));
}

// Pack each host's runs into rows so that runs at once never overlap:
// [{host, rows: [[run, ...], ...]}], hosts by name.
function lanes(runs, now)
{
	const by = new Map();
	for (const r of runs) {
		if (!by.has(r.host))
			by.set(r.host, []);
		by.get(r.host).push(r);
	}
	return [...by.keys()].sort().map((host) => {
		const rows = [];
		for (const r of by.get(host)) {
			const s = ms(r.started);
			let row = rows.find((q) => q.end <= s);
			if (!row) {
				row = {end: 0, runs: []};
				rows.push(row);
			}
			row.runs.push(r);
			row.end = r.ended ? ms(r.ended) : now;
		}
		return {host, rows: rows.map((q) => q.runs)};
	});
}

// The most runs at once over the window, and when.
function mostAtOnce(runs, now)
{
	const ev = [];
	for (const r of runs) {
		ev.push([ms(r.started), 1]);
		ev.push([r.ended ? ms(r.ended) : now, -1]);
	}
	ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let n = 0, most = 0, at = null;
	for (const [t, d] of ev) {
		n += d;
		if (n > most) {
			most = n;
			at = t;
		}
	}
	return {most, at};
}

function runBar(r, x, y, t0, now)
{
	const s = Math.max(ms(r.started), t0);
	const e = r.ended ? ms(r.ended) : now;
	const x0 = x(s), w = Math.max(2, x(e) - x0);
	const g = svg("a", {href: `#/run/${r.run_id}`, class: "run",
	    "data-run": r.run_id, "data-host": r.host});
	const words = `run ${r.run_id}: ${r.jobid} ${r.dataid} on ${r.host}` +
	    ` pid ${r.pid}, ${r.status}, ${hhmm(r.started)}` +
	    (r.ended ? `\u2013${hhmm(r.ended)}` : " until now") +
	    `, ${r.duration_secs} s`;
	g.setAttribute("aria-label", words);
	g.append(svg("title", {}, words));
	g.append(svg("rect", {class: `bar s-${r.status}`, x: x0, y: y + 2,
	    width: w, height: LANE - 4}));
	const glyph = GLYPH[r.status] || "?";
	const text = w > 60 ? `${glyph} ${r.jobid} ${r.dataid}` :
	    w > 10 ? glyph : "";
	if (text)
		g.append(svg("text", {x: x0 + 2, y: y + LANE - 5,
		    class: "bar-label"}, text.length * 6.5 > w ?
		    text.slice(0, Math.max(1, Math.floor(w / 6.5))) : text));
	return g;
}

function legend()
{
	return ["Legend:", ...Object.entries(GLYPH).map(([k, v]) =>
	    `${v} ${k.toLowerCase()}`)].join(" ");
}

// The timeline of doc (GET /api/v1/timeline) as a figure: a lane per
// host, a row per run at once on it, bars linking to their runs. The
// axis starts at the window's first run (a little before), so that a
// burst of short runs is not a hairline at the right of six hours.
export function timeline(doc)
{
	const now = ms(doc.until);
	const runs = doc.runs || [];
	const first = runs.length ? Math.min(now, ...runs.map((r) =>
	    ms(r.started))) : ms(doc.since);
	const t0 = Math.max(ms(doc.since), first - (now - first) / 20 - 1e3);
	const ls = lanes(runs, now);
	const x = (t) => LEFT + (t - t0) / Math.max(1, now - t0) *
	    (WIDTH - LEFT - 10);
	const nrows = ls.reduce((n, l) => n + l.rows.length, 0);
	const bottom = 10 + Math.max(1, nrows) * LANE;
	const root = svg("svg", {class: "timeline", role: "group",
	    width: WIDTH, height: bottom + 40,
	    viewBox: `0 0 ${WIDTH} ${bottom + 40}`});
	const g = svg("g", {});
	root.append(g);
	root.prepend(svg("title", {}, `runs of the last ${doc.hours} h by ` +
	    "host"));
	timeAxis(g, t0, now, x, 10, bottom);
	let y = 10;
	for (const l of ls) {
		g.append(svg("line", {class: "lane", x1: 0, x2: WIDTH, y1: y,
		    y2: y}));
		g.append(svg("text", {class: "host", x: 4, y: y + LANE - 5,
		    "data-host": l.host}, `${l.host.slice(0, 16)} ` +
		    `(${l.rows.length} at most)`));
		for (const row of l.rows) {
			for (const r of row)
				g.append(runBar(r, x, y, t0, now));
			y += LANE;
		}
	}
	const m = mostAtOnce(runs, now);
	const cap = [`${runs.length} runs in the last ${doc.hours} h on ` +
	    `${ls.length} hosts, drawn from ${hhmm(t0, true)} UTC; at ` +
	    `most ${m.most} at once` +
	    (m.at !== null ? ` (at ${hhmm(m.at, true)} UTC)` : "") + ". ",
	    doc.capped ? `Only the newest ${doc.limit} are drawn. ` : "",
	    legend()].join("");
	const fig = document.createElement("figure");
	const fc = document.createElement("figcaption");
	fc.className = "muted";
	fc.id = "timeline-caption";
	fc.textContent = cap;
	fig.id = "timeline";
	fig.append(root, fc);
	return fig;
}

// Round up to a "nice" number for the top of an axis.
function niceMax(v)
{
	if (v <= 2)
		return 2;
	const p = 10 ** Math.floor(Math.log10(v));
	return [2, 4, 10].map((k) => k * p).find((k) => k >= v);
}

// The backlog of one job of doc (GET /api/v1/backlog) as an area chart:
// claimable partitions over time, both axes labelled.
export function backlog(doc, jobid)
{
	const j = (doc.jobs || []).find((k) => k.jobid === jobid) ||
	    {claimable: []};
	const pts = j.claimable;
	const t0 = ms(doc.since), step = doc.step_secs * 1000;
	const H = 120, top = 10, bottom = top + H;
	const max = niceMax(Math.max(0, ...pts));
	const x = (i) => LEFT + i / Math.max(1, pts.length - 1) *
	    (WIDTH - LEFT - 10);
	const y = (n) => bottom - n / max * H;
	const root = svg("svg", {class: "backlog", role: "img",
	    width: WIDTH, height: bottom + 40,
	    viewBox: `0 0 ${WIDTH} ${bottom + 40}`,
	    "aria-label": `claimable partitions of ${jobid} over the last ` +
	    `${Math.round(pts.length > 1 ? (pts.length - 1) * step / 3600e3 :
	    0)} h: now ${pts[pts.length - 1] ?? 0}, at most ` +
	    `${Math.max(0, ...pts)}`});
	timeAxis(root, t0, t0 + (pts.length - 1) * step,
	    (t) => x((t - t0) / step), top, bottom);
	for (const n of [0, max / 2, max]) {
		root.append(svg("line", {class: "tick", x1: LEFT - 4,
		    x2: WIDTH - 10, y1: y(n), y2: y(n)}));
		root.append(svg("text", {x: LEFT - 8, y: y(n) + 4,
		    "text-anchor": "end"}, String(n)));
	}
	root.append(svg("text", {class: "axis-label", x: 0, y: 0,
	    "text-anchor": "middle", transform: `translate(${LEFT - 40} ` +
	    `${top + H / 2}) rotate(-90)`}, "claimable partitions"));
	if (pts.length) {
		const line = pts.map((n, i) => `${x(i)},${y(n)}`).join(" ");
		root.append(svg("polygon", {class: "area", points:
		    `${x(0)},${bottom} ${line} ${x(pts.length - 1)},${bottom}`}));
		root.append(svg("polyline", {class: "line", points: line}));
		pts.forEach((n, i) => {
			const c = svg("circle", {class: "point", cx: x(i),
			    cy: y(n), r: 2});
			c.append(svg("title", {}, `${hhmm(t0 + i * step)} ` +
			    `UTC: ${n} claimable`));
			root.append(c);
		});
	}
	const fig = document.createElement("figure");
	const fc = document.createElement("figcaption");
	fc.className = "muted";
	fc.textContent = "Claimable partitions over time, from the run " +
	    "history (a lower bound: a partition resubmitted after a " +
	    "success counts from its claim)";
	fig.id = "backlog";
	fig.append(root, fc);
	return fig;
}
