#!/bin/sh
# extract.sh: copy the day's sales file into the raw area.
# dataflow gives: $dataid, and each dataset's extra attribute "path".
set -eu
src="$sales_files_path/sales-$dataid.csv"
mkdir -p "$sales_raw_path"
cp "$src" "$sales_raw_path/$dataid.csv.tmp"
mv "$sales_raw_path/$dataid.csv.tmp" "$sales_raw_path/$dataid.csv"
echo "extract: $(($(wc -l < "$src") - 1)) records for $dataid"
