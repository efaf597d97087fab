#!/usr/bin/env bash
# Ingest benchmarks, measured side by side in one run (see BENCHMARKS.md):
#   1. parse-only and parse+map throughput (no store), 1 and 2 threads;
#   2. `paesi ingest` into an empty store (documents/s, MB/s, triples/s, peak memory);
#   3. `oxigraph load` (oxigraph-cli from crates.io) of the same quads exported as N-Quads.
# Usage: benches/ingest.sh CORPUS_DIR [WORK_DIR]
# Needs: a release build (cargo build --release), `oxigraph` on PATH or $OXIGRAPH
# (cargo install oxigraph-cli --no-default-features), GNU time at /usr/bin/time.
set -euo pipefail
corpus=${1:?usage: benches/ingest.sh CORPUS_DIR [WORK_DIR]}
work=${2:-$(mktemp -d /tmp/paesi-bench.XXXX)}
paesi=${PAESI_BIN:-${CARGO_TARGET_DIR:-target}/release/paesi}
oxigraph=${OXIGRAPH:-oxigraph}
mkdir -p "$work"
bytes=$(du -sb "$corpus" | cut -f1)
files=$(find "$corpus" -name '*.xml' | wc -l)
echo "corpus: $corpus ($files files, $bytes bytes); machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB"

timed() { # label, command...: prints wall seconds and peak RSS (MiB)
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/out.txt" 2> "$work/err.txt" || true
    read -r secs kb < "$work/time.txt"
    echo "$label|$secs|$((kb / 1024))"
}

sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
cat "$corpus"/* > /dev/null 2>&1 || find "$corpus" -type f -exec cat {} + > /dev/null
for jobs in 1 2; do
    r=$(timed "parse, $jobs thread(s)" "$paesi" parse --jobs "$jobs" --json "$corpus")
    echo "$r|$(python3 -c "import json;r=json.load(open('$work/out.txt'));print(r['documents'],r['partitions'])")"
    r=$(timed "parse+map, $jobs thread(s)" "$paesi" parse --map --jobs "$jobs" --json "$corpus")
    echo "$r|$(python3 -c "import json;r=json.load(open('$work/out.txt'));print(r['documents'],r['triples'])")"
done
rm -rf "$work/kb"
r=$(timed "paesi ingest" "$paesi" --data "$work/kb" ingest --json "$corpus")
echo "$r|$(python3 -c "import json;r=json.load(open('$work/out.txt'));print(r['documents'],r['triples'],r['failed'])")"
"$paesi" --data "$work/kb" export > "$work/all.nq"
quads=$(wc -l < "$work/all.nq")
rm -rf "$work/ox"
r=$(timed "oxigraph load" "$oxigraph" load --location "$work/ox" --file "$work/all.nq")
echo "$r|$quads quads"
echo "bytes=$bytes"
