# A PostgreSQL of the tests' own (issue 17), sourced by the scripts that
# need one:
#
#   . tests/pg.sh
#   pg_start DIR     initdb in DIR/data and a server on 127.0.0.1 at a free
#                    port; sets PG_URI (postgresql://dondoc@127.0.0.1:PORT/dondoc),
#                    PG_PORT and PG_DIR; 0, or 1 with why on stderr
#   pg_restart       stops it fast and starts it again on the same port
#   pg_stop          stops it (immediate: nothing of it matters after)
#
# Debian's PostgreSQL 15 from its own folder, not the packaged cluster:
# no system service, no port 5432, nothing left behind.  PostgreSQL
# refuses to run as root, so as root the folder is given to the postgres
# user the package made and each command runs as that user (runuser).
# fsync off: a test's server never outlives its machine's crash, and the
# tests that restart it stop it cleanly first.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

_pg_as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

_pg_server() {
	_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
		-o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off \
-c full_page_writes=off -c max_connections=50 -c shared_buffers=32MB" "$@" >/dev/null
}

pg_start() {
	PG_DIR=$1
	if [ ! -x "$PG_BIN/initdb" ]; then
		echo "pg: no PostgreSQL 15 at $PG_BIN (make deps installs postgresql-15)" >&2
		return 1
	fi
	mkdir -p "$PG_DIR" || return 1
	[ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
	PG_PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if ! _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U dondoc --auth=trust -E UTF8 \
		--locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
		echo "pg: initdb failed: $(tail -3 "$PG_DIR/initdb.log")" >&2
		return 1
	fi
	if ! _pg_server start; then
		echo "pg: the server did not start: $(tail -3 "$PG_DIR/server.log")" >&2
		return 1
	fi
	if ! _pg_as "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U dondoc dondoc; then
		echo "pg: createdb failed" >&2
		return 1
	fi
	PG_URI="postgresql://dondoc@127.0.0.1:$PG_PORT/dondoc"
	export PG_URI PG_PORT PG_DIR
}

pg_restart() {
	_pg_server -m fast restart
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] && _pg_server -m immediate stop 2>/dev/null
	return 0
}
