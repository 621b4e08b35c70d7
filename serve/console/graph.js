// graph.js: the console's graph of datasets and jobs (SPEC 9). The layout
// is Graphviz dot's, made by the server (GET /api/v1/graph?format=layout)
// once per catalog; the page draws it as SVG element by element and, on
// each refresh, only recolours the jobs from /api/v1/graph: nothing moves.
// Without dot on the server the page lays the graph out itself. Data is
// only ever text (textContent) or an attribute value, never markup.
"use strict";

const PAD = 6;
const FILL = {
	failed: "#ffd7d5", running: "#d7e9ff", ready: "#fff3c4",
	idle: "#d4f4dd", waiting: "#eeeeee", paused: "#e0e0e0",
	lagging: "#ffe3c2"
};
const DEPTHS = ["", "1", "2", "3", "5"];
const DIRS = {both: "up and down", up: "upstream", down: "downstream"};
let svgEl = null;	// the console's: an SVG element, attributes, text

// --- the page's own layout, when the server has no dot -------------------

// The column of each node: one more than its deepest predecessor's.
function depths(g)
{
	const preds = {}, depth = {};
	for (const n of g.nodes)
		preds[n.id] = [];
	for (const e of g.edges)
		if (preds[e.to])
			preds[e.to].push(e.from);
	const visit = (id, seen) => {
		if (depth[id] !== undefined)
			return depth[id];
		if (seen.has(id))
			return 0;	// a cycle: cut it
		seen.add(id);
		let d = 0;
		for (const p of preds[id] || [])
			d = Math.max(d, visit(p, seen) + 1);
		depth[id] = d;
		return d;
	};
	for (const n of g.nodes)
		visit(n.id, new Set());
	return depth;
}

// The graph in columns by depth, in the shape of the server's layout.
function ownLayout(g)
{
	const W = 150, H = 40, GX = 60, GY = 18;
	const depth = depths(g), cols = [], pos = {};
	for (const n of g.nodes)
		(cols[depth[n.id]] = cols[depth[n.id]] || []).push(n);
	const nodes = [];
	cols.forEach((col, x) => col.forEach((n, y) => {
		pos[n.id] = {x: W / 2 + x * (W + GX), y: H / 2 + y * (H + GY)};
		nodes.push({id: n.id, kind: n.kind, name: n.name, width: W,
		    height: H, ...pos[n.id]});
	}));
	const edges = g.edges.filter((e) => pos[e.from] && pos[e.to])
	    .map((e) => {
		const a = pos[e.from], b = pos[e.to];
		const x1 = a.x + W / 2, x2 = b.x - W / 2 - 6;
		return {from: e.from, to: e.to, points: [[x1, a.y],
		    [x1 + GX / 2, a.y], [x2 - GX / 2, b.y], [x2, b.y]],
		    end: [x2 + 6, b.y]};
	});
	const rows = Math.max(1, ...cols.map((c) => c.length));
	return {engine: "page", nodes, edges,
	    width: Math.max(1, cols.length) * (W + GX) - GX,
	    height: rows * (H + GY) - GY};
}

// --- drawing ---------------------------------------------------------------

// An edge: its spline (dot's control points, a cubic Bezier per three),
// and its arrowhead from the last point to the end.
function drawEdge(svg, e)
{
	const p = e.points.map(([x, y]) => [x + PAD, y + PAD]);
	let d = `M${p[0][0]},${p[0][1]}`;
	for (let i = 1; i + 2 < p.length; i += 3)
		d += ` C${p[i].join(",")} ${p[i + 1].join(",")} ` +
		    p[i + 2].join(",");
	const cut = e.from.startsWith("cut:") || e.to.startsWith("cut:");
	svg.append(svgEl("path", {class: cut ? "edge cut" : "edge",
	    fill: "none", d, "data-from": e.from, "data-to": e.to}));
	if (!e.end)
		return;
	const [ex, ey] = [e.end[0] + PAD, e.end[1] + PAD];
	const [lx, ly] = p[p.length - 1];
	const len = Math.hypot(ex - lx, ey - ly) || 1;
	const nx = (ey - ly) / len * 3.5, ny = -(ex - lx) / len * 3.5;
	svg.append(svgEl("path", {class: "arrow", d: `M${ex},${ey} ` +
	    `L${lx + nx},${ly + ny} L${lx - nx},${ly - ny} Z`}));
}

// A job: a link to its view, reached by the keyboard, its state written
// under its name (set by paint).
function drawJob(n, x, y, open)
{
	const a = svgEl("a", {href: open.href(n.name), class: "job",
	    "data-job": n.name, "data-id": n.id, tabindex: 0, role: "link"});
	if (n.name === open.focus)
		a.setAttribute("data-focus", "");
	a.addEventListener("keydown", (ev) => {
		if (ev.key === "Enter") {
			ev.preventDefault();
			location.hash = open.href(n.name);
		}
	});
	a.append(svgEl("title"), svgEl("rect", {x, y, width: n.width,
	    height: n.height, rx: 4, fill: "#ffffff"}),
	    svgEl("text", {x: n.x + PAD, y: n.y + PAD - 3,
		"text-anchor": "middle", class: "name"}, n.name),
	    svgEl("text", {x: n.x + PAD, y: n.y + PAD + 11,
		"text-anchor": "middle", class: "st"}, ""));
	return a;
}

function drawNode(svg, n, g, open)
{
	const x = n.x - n.width / 2 + PAD, y = n.y - n.height / 2 + PAD;
	if (n.kind === "job") {
		svg.append(drawJob(n, x, y, open));
		return;
	}
	if (n.kind === "cut") {
		const more = `\u2026 ${n.count} more ` +
		    (n.direction === "up" ? "upstream" : "downstream");
		svg.append(svgEl("text", {x: n.x + PAD, y: n.y + PAD + 4,
		    "text-anchor": "middle", class: "cut", "data-of": n.of,
		    "data-direction": n.direction}, more));
		return;
	}
	const info = g.byId[n.id] || {};
	const d = svgEl("g", {class: "dataset", "data-dataset": n.name});
	d.append(svgEl("title", {}, `dataset ${n.name}` + (info.producer ?
	    ` (made by ${info.producer})` : " (marked ready from outside)")),
	    svgEl("ellipse", {cx: n.x + PAD, cy: n.y + PAD, rx: n.width / 2,
		ry: n.height / 2, fill: "#ffffff",
		"stroke-dasharray": info.producer ? "none" : "4 3"}),
	    svgEl("text", {x: n.x + PAD, y: n.y + PAD + 4,
		"text-anchor": "middle"}, n.name));
	svg.append(d);
}

function draw(lay, g, open)
{
	const svg = svgEl("svg", {class: "graph", role: "group",
	    width: Math.ceil(lay.width + 2 * PAD),
	    height: Math.ceil(lay.height + 2 * PAD),
	    "data-layout": lay.engine,
	    "aria-label": "the graph of datasets and jobs"});
	for (const e of lay.edges)
		drawEdge(svg, e);
	for (const n of lay.nodes)
		drawNode(svg, n, g, open);
	return svg;
}

// Colour and word each job by its state in g: the only change a refresh
// makes to the drawing.
function paint(svg, g, states)
{
	for (const a of svg.querySelectorAll("a.job")) {
		const n = g.byId[a.getAttribute("data-id")];
		if (!n)
			continue;
		const state = n.paused ? "paused" : n.state;
		const s = states[state] || ["", state];
		const word = `${s[0]} ${s[1]}`.trim();
		a.setAttribute("data-state", state);
		a.setAttribute("aria-label", `job ${n.name}: ${s[1]}`);
		a.querySelector("rect").setAttribute("fill",
		    FILL[state] || "#ffffff");
		a.querySelector("title").textContent = `job ${n.name}: ` +
		    `${s[1]}, ${n.claimable} claimable, ${n.running} ` +
		    `running, ${n.failed} failed`;
		const st = a.querySelector("text.st");
		if (st.textContent !== word)
			st.textContent = word;
	}
}

// --- the view --------------------------------------------------------------

// What the graph holds: its nodes and edges, to know when the catalog
// changed and the layout must be asked for again.
const shape = (g) => JSON.stringify([g.nodes.map((n) => n.id).sort(),
    g.edges.map((e) => e.from + ">" + e.to).sort()]);

function focusForm(c, jobs, f)
{
	const sel = (id, label, opts, value) => [
		c.el("label", {for: id}, label),
		c.el("select", {id, name: id}, opts.map(([v, t]) =>
		    c.el("option", {value: v, selected: v === value}, t)))];
	const form = c.el("form", {id: "graph-focus"},
	    sel("gf-job", "Focus on", [["", "every job"],
		...jobs.map((j) => [j, j])], f.job),
	    sel("gf-depth", "within", DEPTHS.map((d) => [d, d ?
		`${d} job${d === "1" ? "" : "s"}` : "any distance"]), f.depth),
	    sel("gf-dir", "", Object.entries(DIRS), f.dir),
	    c.el("button", {type: "submit"}, "Show"));
	form.addEventListener("submit", (ev) => {
		ev.preventDefault();
		const q = new URLSearchParams();
		const job = form.elements["gf-job"].value;
		if (job) {
			q.set("job", job);
			if (form.elements["gf-depth"].value)
				q.set("depth", form.elements["gf-depth"].value);
			if (form.elements["gf-dir"].value !== "both")
				q.set("dir", form.elements["gf-dir"].value);
		}
		const s = q.toString();
		location.hash = "#/graph" + (s ? "?" + s : "");
	});
	return form;
}

function jobsTable(c, g, f, shown)
{
	const jobs = g.nodes.filter((n) => n.kind === "job" &&
	    (!shown || shown.has(n.id)));
	const names = (ids) => ids.map((id) => id.slice(2)).join(", ");
	return c.table("Jobs in the graph", ["job", "state", "claimable",
	    "running", "failed", "inputs", "outputs", "graph"],
	    jobs.map((n) => [
		c.el("th", {scope: "row"}, c.link(c.jobHref(n.name), n.name)),
		c.stateBadge(n.paused ? "paused" : n.state),
		n.claimable, n.running, n.failed,
		names(g.edges.filter((e) => e.to === n.id).map((e) => e.from)),
		names(g.edges.filter((e) => e.from === n.id).map((e) => e.to)),
		n.name === f.job ? "in focus" : c.link("#/graph?job=" +
		    c.enc(n.name) + "&depth=1", "focus")
	    ]));
}

// The layout of the focus f: dot's from the server, else (no dot there,
// or dot failed on this graph) the page's own, of the job's closure
// without the cuts, saying why in lay.why.
async function layoutOf(c, f, g)
{
	const q = new URLSearchParams({format: "layout"});
	let why;
	for (const k of ["job", "depth", "dir"])
		if (f[k])
			q.set(k, f[k]);
	try {
		return await c.api("GET", "/api/v1/graph?" + q.toString());
	} catch (e) {
		if (e.status !== 501 && e.status !== 500)
			throw e;
		why = e.status === 501 ? "the server has no Graphviz dot" :
		    e.message;
	}
	const lay = ownLayout(f.job ? await c.api("GET", "/api/v1/graph?job=" +
	    c.enc(f.job)) : g);
	lay.why = why;
	return lay;
}

// The graph view: c is what the console lends (api, el, view, table,
// link, stateBadge, jobHref, enc, STATES, svgEl), q the route's query.
export function graphView(c, q)
{
	const f = {job: q.get("job") || "", depth: q.get("depth") || "",
	    dir: q.get("dir") || "both"};
	const open = {href: c.jobHref, focus: f.job};

	svgEl = c.svgEl;
	const v = c.view(f.job ? `Graph around ${f.job}` : "Graph",
	    async () => []);
	const holder = c.el("div", {class: "graph-holder"});
	const note = c.el("p", {class: "muted", id: "graph-note"});
	const form = c.el("div", {});
	const tab = c.el("div", {});
	let seen = null, svg = null, jobs = null, shown = null;

	v.data.replaceChildren(form, note, holder, tab);
	v.refresh = async () => {
		const g = await c.api("GET", "/api/v1/graph");
		g.byId = Object.fromEntries(g.nodes.map((n) => [n.id, n]));
		const names = g.nodes.filter((n) => n.kind === "job")
		    .map((n) => n.name).sort();
		if (JSON.stringify(names) !== jobs) {
			jobs = JSON.stringify(names);
			form.replaceChildren(focusForm(c, names, f));
		}
		if (shape(g) !== seen) {
			const lay = await layoutOf(c, f, g);
			seen = shape(g);
			svg = draw(lay, g, open);
			shown = new Set(lay.nodes.map((n) => n.id));
			holder.replaceChildren(svg);
			note.textContent = lay.engine === "dot" ?
			    "Laid out by Graphviz dot on the server." :
			    `Laid out by the page: ${lay.why}.`;
		}
		paint(svg, g, c.STATES);
		// The keyboard's place in the table, kept.
		const at = document.activeElement;
		const href = tab.contains(at) ? at.getAttribute("href") : null;
		tab.replaceChildren(jobsTable(c, g, f, f.job ? shown : null));
		const back = href && tab.querySelector(`[href="${CSS.escape(
		    href)}"]`);
		if (back)
			back.focus();
	};
	return v;
}
