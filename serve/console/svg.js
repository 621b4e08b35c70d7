// svg.js: making SVG elements for the console's pictures (console.js,
// charts.js, graph.js through console.js): text by textContent only.
"use strict";

export const SVG_NS = "http://www.w3.org/2000/svg";

// An SVG element tag with attrs (each set as a string) and, when given,
// text as its content.
export function svgEl(tag, attrs, text)
{
	const e = document.createElementNS(SVG_NS, tag);

	for (const [k, v] of Object.entries(attrs || {}))
		e.setAttribute(k, String(v));
	if (text !== undefined)
		e.textContent = text;
	return e;
}
