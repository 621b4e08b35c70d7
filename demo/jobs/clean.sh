#!/bin/sh
# clean.sh: validate the day's raw records and add an amount column.
# A record that does not parse fails the whole partition: nothing is
# written, and downstream jobs wait until it is fixed.
set -eu
in="$sales_raw_path/$dataid.csv"
mkdir -p "$sales_clean_path"
out="$sales_clean_path/$dataid.csv"
awk -F, -v OFS=, '
NR == 1 { print $0, "amount"; next }
$4 !~ /^[0-9]+$/ || $5 !~ /^[0-9]+(\.[0-9]+)?$/ {
	printf "clean: %s line %d: bad record: %s\n", FILENAME, NR, $0 \
	    > "/dev/stderr"
	bad = 1
	next
}
{ printf "%s,%s,%s,%d,%.2f,%.2f\n", $1, $2, $3, $4, $5, $4 * $5 }
END { exit bad ? 2 : 0 }
' "$in" > "$out.tmp" || { rm -f "$out.tmp"; exit 2; }
mv "$out.tmp" "$out"
echo "clean: $dataid ok"
