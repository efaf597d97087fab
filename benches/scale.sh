#!/usr/bin/env bash
# The Normattiva-scale comparison of issue 15, unattended, one run side by side (BENCHMARKS.md):
#   1. makes the corpus (scale-corpus from the shared Normattiva documents) unless it is there;
#   2. `paesi parse` on one thread (MB/s per core);
#   3. `paesi ingest` into an empty store, with the text index and the annotator (as by default);
#   4. `paesi compact`, then `paesi export` of that store and `paesi reindex`;
#   5. `paesi bench-search` (in force today, 10 hits with snippets) and `paesi bench-queries`
#      (each named query with its defaults, warm, no HTTP, no cache, each run cancelled after
#      PAESI_SCALE_QUERY_LIMIT seconds, default 120), after a small ingest of ontology/,
#      corpus/ and the Testo unico, which the defaults name;
#   6. oxigraph's own bulk load of the very quads `export` wrote (examples/oxigraph_load.rs:
#      what `oxigraph load --file` does, same oxigraph build);
# then prints the ratios against the targets. Times and peak RSS by GNU time.
# Usage: benches/scale.sh ARTICLES [WORK_DIR]   (e.g. 560000; WORK_DIR default /tmp/paesi-scale)
# PAESI_SCALE_READS=0 leaves out steps 4 and 6 (the long reads: about 45 minutes at 560k);
# PAESI_SCALE_DROP_KB=1 deletes the KB before step 6 (disk: the KB, the export and the
# yardstick's store were 13 + 16.6 + 12 GB at 560k, the KB 20 GB before its compaction; the
# yardstick's load also writes its sorted files first: with the KB deleted it filled the 18.4 GB
# left beside the corpus and the 16.6 GB export on 2026-12-08 at 00:55, and finished with 34 GB
# free when it began at 03:23).
# Needs: `cargo build --release --bins --examples`, GNU time at /usr/bin/time, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
articles=${1:?usage: benches/scale.sh ARTICLES [WORK_DIR]}
work=${2:-/tmp/paesi-scale}
shared=${PAESI_SHARED:-../shared}
release=${CARGO_TARGET_DIR:-target}/release
paesi=${PAESI_BIN:-$release/paesi}
oxigraph_load=${OXIGRAPH_LOAD:-$release/examples/oxigraph_load}
corpus=$work/corpus-$articles
mkdir -p "$work"
if [ ! -d "$corpus" ]; then
    python3 "$shared/tools/scale-corpus" "$shared/corpus/akn/normattiva" "$corpus" --articles "$articles"
fi
bytes=$(du -sb "$corpus" | cut -f1)
files=$(find "$corpus" -name '*.xml' | wc -l)
echo "corpus: $corpus ($files files, $bytes bytes); $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; $(date -u +%FT%TZ)"

timed() { # label, command...: "label|seconds|peak MiB", the command's stdout in $work/out.txt
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/out.txt" 2> "$work/err.txt" \
        || { echo "$label failed:" >&2; tail -5 "$work/err.txt" >&2; }
    read -r secs kb < "$work/time.txt"
    echo "$label|$secs|$((kb / 1024))"
}
field() { python3 -c "import json,sys; r=json.load(open('$work/out.txt')); print(*(r[k] for k in sys.argv[1:]))" "$@"; }
secs() { cut -d'|' -f2 <<< "$1"; }

find "$corpus" -type f -exec cat {} + > /dev/null   # the files in the page cache for every step
r=$(timed "parse, 1 thread" "$paesi" parse --jobs 1 --json "$corpus"); parse=$(secs "$r")
echo "$r|$(field documents partitions)"
rm -rf "$work/kb"
r=$(timed "paesi ingest (index, annotator)" "$paesi" --data "$work/kb" ingest --json "$corpus"); ingest=$(secs "$r")
echo "$r|$(field documents triples failed)"
# the files of the last commits are left unmerged, and a store opened read-only never merges
# them: uncompacted, `export` of the 560,000-article store wrote 2.8 GB in 18 minutes
r=$(timed "paesi compact" "$paesi" --data "$work/kb" compact); compact=$(secs "$r")
echo "$r"
export_s=0 oxload=0 reindex=0
reads=${PAESI_SCALE_READS:-1}
if [ "$reads" != 0 ]; then
    r=$(timed "paesi export" sh -c "'$paesi' --data '$work/kb' export > '$work/all.nq'"); export_s=$(secs "$r")
    echo "$r|$(wc -l < "$work/all.nq") quads, $(du -sb "$work/all.nq" | cut -f1) bytes"
    r=$(timed "paesi reindex" "$paesi" --data "$work/kb" reindex --json); reindex=$(secs "$r")
    echo "$r"
fi
# what the named queries' defaults name (the Testo unico, the catalogue) beside the scale
# corpus, so that they answer with rows: a small ingest of its own, timed apart
r=$(timed "paesi ingest (ontology, corpus/, the Testo unico)" "$paesi" --data "$work/kb" ingest --json ontology corpus "$shared/corpus/nir/xmleges-samples/286-paesi.xml")
echo "$r|$(field documents triples failed)"
r=$(timed "paesi bench-search" "$paesi" --data "$work/kb" bench-search benches/search-queries.txt --rounds 50)
echo "$r|$(cat "$work/out.txt")"
r=$(timed "paesi bench-queries" "$paesi" --data "$work/kb" --queries queries bench-queries --rounds 5 --limit-seconds "${PAESI_SCALE_QUERY_LIMIT:-120}")
echo "$r"; sed 's/^/  /' "$work/out.txt"
if [ "$reads" != 0 ]; then
    # the KB and the export together are twice the store: PAESI_SCALE_DROP_KB=1 lets the KB
    # go before the yardstick's store is made (at 560,000 articles the three need ~42 GB)
    du -sh "$work/kb"
    [ "${PAESI_SCALE_DROP_KB:-0}" = 1 ] && rm -rf "$work/kb"
    rm -rf "$work/ox"
    r=$(timed "oxigraph bulk load (same quads)" "$oxigraph_load" "$work/ox" "$work/all.nq"); oxload=$(secs "$r")
    echo "$r|$(tail -1 "$work/out.txt")"
    rm -rf "$work/ox" "$work/all.nq"
fi
python3 - "$bytes" "$parse" "$ingest" "$oxload" "$export_s" "$reindex" "$compact" <<'EOF'
import sys
bytes_, parse, ingest, oxload, export, reindex, compact = map(float, sys.argv[1:])
print(f"parse: {bytes_ / 1e6 / parse:.0f} MB/s on one core (target >= 300)")
print(f"ingest: {ingest:.1f} s (target < 300); then compact {compact:.1f} s")
if oxload:
    print(f"speed / oxigraph bulk load speed: {oxload / ingest:.2f} (target >= 0.7)")
    print(f"export {export:.1f} s, reindex {reindex:.1f} s")
EOF
