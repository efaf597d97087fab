#!/usr/bin/env bash
# A throwaway Virtuoso (Debian's virtuoso-opensource 7) on 127.0.0.1, for the tests and the
# benchmark. Usage:
#   tests/virtuoso/virtuoso.sh start DIR [SQL_PORT HTTP_PORT]   # new database in DIR (emptied)
#   tests/virtuoso/virtuoso.sh restart DIR                      # same database, after a stop
#   tests/virtuoso/virtuoso.sh stop DIR
#   tests/virtuoso/virtuoso.sh isql DIR 'SQL;'                  # runs SQL as dba
# DIR holds virtuoso.ini, the database, its log and the ports (DIR/ports). The server listens
# on 127.0.0.1 only. The throwaway database grants SPARQL_UPDATE to the SPARQL user, so the
# unauthenticated /sparql and /sparql-graph-crud endpoints accept writes: it is reachable from
# this machine only and deleted afterwards. Bulk-load directories must be under DIR (DirsAllowed).
set -euo pipefail

cmd=${1:?start|restart|stop|isql}
dir=${2:?database directory}
server=${VIRTUOSO_BIN:-virtuoso-t}
isql_bin=${VIRTUOSO_ISQL:-isql-vt}

isql() {
    local sql_port
    sql_port=$(cut -d' ' -f1 "$dir/ports")
    "$isql_bin" "127.0.0.1:$sql_port" dba dba "exec=$1" 2>&1
}

wait_up() {
    local sql_port http_port i
    read -r sql_port http_port <"$dir/ports"
    for i in $(seq 1 300); do
        if "$isql_bin" "127.0.0.1:$sql_port" dba dba 'exec=select 1;' >/dev/null 2>&1 &&
            curl -s -o /dev/null "http://127.0.0.1:$http_port/sparql?query=ASK%7B%7D"; then
            return 0
        fi
        sleep 0.2
    done
    echo "virtuoso did not come up; its log:" >&2
    tail -n 30 "$dir/virtuoso.log" >&2 || true
    return 1
}

case "$cmd" in
start)
    sql_port=${3:-11111}
    http_port=${4:-18890}
    command -v "$server" >/dev/null || { echo "$server not found (apt-get install virtuoso-opensource)" >&2; exit 127; }
    rm -rf "$dir"
    mkdir -p "$dir/load"
    dir=$(cd "$dir" && pwd)
    echo "$sql_port $http_port" >"$dir/ports"
    cat >"$dir/virtuoso.ini" <<INI
[Database]
DatabaseFile    = $dir/virtuoso.db
ErrorLogFile    = $dir/virtuoso.log
LockFile        = $dir/virtuoso.lck
TransactionFile = $dir/virtuoso.trx
xa_persistent_file = $dir/virtuoso.pxa
ErrorLogLevel   = 7
FileExtend      = 200
MaxCheckpointRemap = 2000
Striping        = 0
TempStorage     = TempDatabase
[TempDatabase]
DatabaseFile    = $dir/virtuoso-temp.db
TransactionFile = $dir/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping        = 0
[Parameters]
ServerPort      = 127.0.0.1:$sql_port
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode        = 2
DirsAllowed     = ., $dir/load, /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = ${VIRTUOSO_BUFFERS:-30000}
MaxDirtyBuffers = $(( ${VIRTUOSO_BUFFERS:-30000} * 3 / 4 ))
MaxQueryMem     = 1G
ThreadsPerQuery = 2
[HTTPServer]
ServerPort      = 127.0.0.1:$http_port
ServerRoot      = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads   = 10
Charset         = UTF-8
EnabledGzipContent = 0
[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
[SPARQL]
ResultSetMaxRows = 1000000
MaxSortedTopRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
INI
    (cd "$dir" && "$server" +configfile "$dir/virtuoso.ini" +wait >"$dir/start.log" 2>&1)
    wait_up
    isql "grant SPARQL_UPDATE to \"SPARQL\"; grant execute on DB.DBA.L_O_LOOK to \"SPARQL\";" >/dev/null
    echo "virtuoso up: sql 127.0.0.1:$sql_port http://127.0.0.1:$http_port/sparql"
    ;;
restart)
    dir=$(cd "$dir" && pwd)
    (cd "$dir" && "$server" +configfile "$dir/virtuoso.ini" +wait >>"$dir/start.log" 2>&1)
    wait_up
    ;;
stop)
    [ -f "$dir/ports" ] || exit 0
    isql 'shutdown;' >/dev/null || true
    for i in $(seq 1 150); do
        [ -f "$dir/virtuoso.lck" ] || exit 0
        sleep 0.2
    done
    echo "virtuoso did not stop" >&2
    exit 1
    ;;
isql)
    isql "${3:?SQL}"
    ;;
*)
    echo "unknown command $cmd" >&2
    exit 2
    ;;
esac
