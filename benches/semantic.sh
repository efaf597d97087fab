#!/bin/sh
# Parse, parse+map and ingest figures of one paesi binary (BENCHMARKS.md, issue 8).
# usage: benches/semantic.sh BINARY LABEL  (SHARED defaults to ../shared)
B=$1; L=$2; S=${SHARED:-../shared}/corpus
cat $S/bulk/normattiva/* > /dev/null
for i in 1 2 3; do $B parse --json --jobs 1 $S/bulk | python3 -c "import json,sys; r=json.load(sys.stdin); print('$L parse 1 thread', r['seconds'], r['bytes']/r['seconds']/1e6, 'MB/s')"; done
for i in 1 2 3; do $B parse --json $S/bulk | python3 -c "import json,sys; r=json.load(sys.stdin); print('$L parse 2 threads', r['seconds'], r['bytes']/r['seconds']/1e6, 'MB/s')"; done
for i in 1 2; do $B parse --json --map $S/bulk | python3 -c "import json,sys; r=json.load(sys.stdin); print('$L parse+map 2 threads', r['seconds'], r['bytes']/r['seconds']/1e6, 'MB/s', r['triples'])"; done
for i in 1 2; do rm -rf /tmp/kb-$L; /usr/bin/time -f "$L ingest wall %e s, rss %M KB" $B --data /tmp/kb-$L ingest --json $S/akn $S/nir $S/bulk > /tmp/ingest-$L.json; python3 -c "import json; r=json.load(open('/tmp/ingest-$L.json')); print('$L ingest report', r['seconds'], r['documents'], r['triples'])"; done
