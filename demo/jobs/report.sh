#!/bin/sh
# report.sh: the day's revenue per store, written as a text report.
set -eu
in="$sales_clean_path/$dataid.csv"
mkdir -p "$daily_report_path"
out="$daily_report_path/$dataid.txt"
{
	echo "Sales report for $dataid (run $DATAFLOW_RUNID)"
	awk -F, 'NR > 1 { rev[$2] += $6; total += $6 }
	    END { for (s in rev) printf "  %-6s %9.2f\n", s, rev[s] | "sort";
		  close("sort"); printf "  %-6s %9.2f\n", "total", total }' "$in"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "report: $out"
