#!/usr/bin/env bash
# Push throughput against Virtuoso's own bulk load of the same graphs, in one run:
#   PAESI=target/release/paesi benches/virtuoso.sh DATA [WORK]
# DATA is a built knowledge base; WORK (default /tmp/paesi-virtuoso-bench) holds three
# throwaway Virtuoso databases, one after the other (tests/virtuoso/virtuoso.sh, ports
# 11111/18890): (1) `paesi push` by Graph Store PUT, (2) `paesi push` by SPARQL Update (no
# Graph Store given), (3) `paesi export --per-graph` into the database's load directory, then
# `ld_dir` + `rdf_loader_run` + `checkpoint` through isql. Each ends with the quad count
# Virtuoso holds in the paesi graphs. Wall seconds by `date`.
set -euo pipefail
data=${1:?knowledge base directory}
work=${2:-/tmp/paesi-virtuoso-bench}
paesi=${PAESI:-target/release/paesi}
v=$(dirname "$0")/../tests/virtuoso/virtuoso.sh
endpoint=http://127.0.0.1:18890/sparql
count='SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/paesi/")) }'
now() { date +%s.%N; }
held() { "$paesi" --data "$data" query --format tsv --endpoint "$endpoint" "$count" | tail -n 1; }
trap '"$v" stop "$work/db" >/dev/null 2>&1 || true' EXIT

"$paesi" --data "$data" stats
for method in gsp update; do
    "$v" start "$work/db" >/dev/null
    rm -rf "$data/push"
    args=(--endpoint "$endpoint")
    [ "$method" = gsp ] && args+=(--graph-store http://127.0.0.1:18890/sparql-graph-crud)
    t0=$(now)
    "$paesi" --data "$data" push "${args[@]}" 2>"$work/push-$method.err" | tail -n 1 || tail -n 2 "$work/push-$method.err"
    t1=$(now)
    echo "push ($method): $(echo "$t1 - $t0" | bc) s wall; Virtuoso holds $(held) quads"
    "$v" stop "$work/db"
done
rm -rf "$data/push"

"$v" start "$work/db" >/dev/null
t0=$(now)
"$paesi" --data "$data" export --per-graph "$work/db/load"
t1=$(now)
"$v" isql "$work/db" "ld_dir('$work/db/load', '*.nq', 'https://w3id.org/paesi/graph/default');" >/dev/null
"$v" isql "$work/db" "rdf_loader_run();" >/dev/null
"$v" isql "$work/db" "checkpoint;" >/dev/null
t2=$(now)
echo "export --per-graph: $(echo "$t1 - $t0" | bc) s; ld_dir + rdf_loader_run + checkpoint: $(echo "$t2 - $t1" | bc) s; Virtuoso holds $(held) quads"
"$v" isql "$work/db" "select count(*) from DB.DBA.load_list where ll_state = 2 and ll_error is null;" | grep -E '^ *[0-9]+ *$' | sed 's/^/files loaded without error: /'
"$v" stop "$work/db"
rm -rf "$work"
