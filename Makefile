# dondoc: build, check, install, run.  See README.md.
#
#   make            build bot/dondoc (and its helper bot/dondoc-ical)
#   make run        install what is missing, build, and run on a demo registry
#   make check      install what is missing, build (plain, ASan+UBSan, and
#                   TSan for the threaded server), run every test; ends
#                   with "N passed, N failed"
#   make bench      the benchmarks of bench/ (not part of check)
#   make bench-feed the iCal feeds' (issue 15), beside ical-generator
#   make fuzz       the libFuzzer targets of tests/fuzz, FUZZ_SECONDS (60) each
#   make valgrind   every integration script with each dondoc process under
#                   valgrind memcheck: no error, no leak (not part of check)
#   make bench-peers dondoc beside grammY, ical-generator, mustache.js and
#                   the sqlite3 shell (issue 16), one table of ratios
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/dondoc
LIBEXECDIR ?= $(PREFIX)/libexec/dondoc
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system

CC ?= cc
CFLAGS ?= -O2 -g
WARNFLAGS = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The daemon's threads (the webhook's server, writer and background thread) under ThreadSanitizer.
TSANFLAGS = -fsanitize=thread -fno-omit-frame-pointer

# Every dependency with a .pc file comes through pkg-config; libcsv has none.
# Recursive (=) so that pkg-config runs after 'deps' has installed them.
# dondoc itself does not link libical (and the ICU libraries under it):
# the dondoc-ical helper reads the iCalendar files for it (bot/expand.h).
# libcurl, libmicrohttpd and libxml2 (which links ICU) are loaded when
# first needed (bot/dlcurl.h, bot/dlmhd.h, bot/dlxml.h): their headers only.
CORE_PKGS = sqlite3 libutf8proc jansson libcrypto inih libsystemd libesmtp-1.0 openssl libzip xlsxwriter
PKGS = $(CORE_PKGS) libical
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) libcurl libmicrohttpd libxml-2.0 libpq)
CORE_LIBS = $(shell pkg-config --libs $(CORE_PKGS)) -lcsv
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lcsv
TEST_LIBS = $(shell pkg-config --libs cmocka libpq)
# tests/ical_check.c: libical reading the feeds back, beside python3-icalendar and ical.js.
ICAL_CHECK_LIBS = $(shell pkg-config --libs libical jansson)

ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARNFLAGS) $(CFLAGS) $(PKG_CFLAGS) -DDONDOC_DATADIR=\"$(DATADIR)\" \
	-DDONDOC_LIBEXECDIR=\"$(LIBEXECDIR)\"

SRCS = $(sort $(wildcard bot/*.c))
LIB_SRCS = $(filter-out bot/main.c bot/ical_main.c,$(SRCS))
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
# The libFuzzer targets (see 'fuzzing' below), built by make check too.
FUZZ = build/fuzz
FUZZ_SRCS = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(FUZZ)/%,$(FUZZ_SRCS))

REL = build/rel
SAN = build/san
TSAN = build/tsan

.PHONY: all deps run check test-build check-style valgrind bench bench-webhook bench-pg bench-pg-floor bench-zalo bench-feed bench-peers faults fuzz fuzz-build install uninstall clean demo

all: bot/dondoc bot/dondoc-ical

# --- build -----------------------------------------------------------------
# $(1) = variant dir, $(2) = extra flags
define variant
$(1)/obj/%.o: bot/%.c $(wildcard bot/*.h) | $(1)/obj
	$$(CC) $$(ALL_CFLAGS) $(2) -MMD -c -o $$@ $$<
$(1)/libdondoc.a: $(patsubst bot/%.c,$(1)/obj/%.o,$(LIB_SRCS))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/tests/test_%: tests/unit/test_%.c tests/unit/testlib.h $(1)/libdondoc.a | $(1)/tests
	$$(CC) $$(ALL_CFLAGS) $(2) -Ibot -o $$@ $$< $(1)/libdondoc.a $$(PKG_LIBS) $$(TEST_LIBS)
$(1)/tests/ical_check: tests/ical_check.c | $(1)/tests
	$$(CC) $$(ALL_CFLAGS) $(2) -o $$@ $$< $$(ICAL_CHECK_LIBS)
$(1)/dondoc-ical: $(1)/obj/ical_main.o $(1)/libdondoc.a
	$$(CC) $$(ALL_CFLAGS) $(2) -o $$@ $$^ $$(PKG_LIBS)
# Programs find the helper beside them: the unit tests too.
$(1)/tests/dondoc-ical: $(1)/dondoc-ical | $(1)/tests
	cp $$< $$@
$(1)/obj $(1)/tests:
	mkdir -p $$@
endef
# store_pg.c and store_sqlite.c hold sql/*/NNN.sql (.incbin), which -MMD does not see.
$(REL)/obj/store_pg.o $(SAN)/obj/store_pg.o $(TSAN)/obj/store_pg.o: $(wildcard sql/postgresql/*.sql)
$(REL)/obj/store_sqlite.o $(SAN)/obj/store_sqlite.o $(TSAN)/obj/store_sqlite.o: $(wildcard sql/sqlite/*.sql)
$(eval $(call variant,$(REL),))
$(eval $(call variant,$(SAN),$(SANFLAGS)))
$(eval $(call variant,$(TSAN),$(TSANFLAGS)))

bot/dondoc: $(REL)/obj/main.o $(REL)/libdondoc.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CORE_LIBS)

bot/dondoc-ical: $(REL)/dondoc-ical
	cp $< $@

$(SAN)/dondoc: $(SAN)/obj/main.o $(SAN)/libdondoc.a
	$(CC) $(ALL_CFLAGS) $(SANFLAGS) -o $@ $^ $(CORE_LIBS)

$(TSAN)/dondoc: $(TSAN)/obj/main.o $(TSAN)/libdondoc.a
	$(CC) $(ALL_CFLAGS) $(TSANFLAGS) -o $@ $^ $(CORE_LIBS)

UNITS = $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))
# The benchmarks are built too (not run), so that a change cannot break them unseen.
test-build: all $(SAN)/dondoc $(SAN)/dondoc-ical $(REL)/tests/dondoc-ical $(SAN)/tests/dondoc-ical \
	$(REL)/tests/ical_check $(SAN)/tests/ical_check \
	$(TSAN)/dondoc $(TSAN)/dondoc-ical \
	$(REL)/bench_planner $(REL)/bench_render $(REL)/bench_inbound $(REL)/bench_feed $(REL)/bench_mail \
	$(addprefix $(REL)/tests/,$(UNITS)) $(addprefix $(SAN)/tests/,$(UNITS)) \
	$(FUZZ_BINS)

-include $(wildcard $(REL)/obj/*.d $(SAN)/obj/*.d $(TSAN)/obj/*.d)

# --- setup -----------------------------------------------------------------
deps:
	@sh tests/deps.sh

# --- the two commands ------------------------------------------------------
run: deps
	@$(MAKE) --no-print-directory all
	@sh demo/run.sh

check: deps
	@$(MAKE) --no-print-directory -j$$(nproc) test-build
	@sh tests/check-style.sh
	@sh tests/check.sh

check-style:
	@sh tests/check-style.sh

# The integration suite with the daemon and every CLI call under valgrind
# memcheck (tests/valgrind.sh): a memory error or a leak fails it.
valgrind: deps
	@$(MAKE) --no-print-directory -j$$(nproc) all $(REL)/tests/ical_check
	@sh tests/valgrind.sh

bench: deps
	@$(MAKE) --no-print-directory all $(REL)/bench_planner $(REL)/bench_render $(REL)/dondoc-ical
	@sh bench/run.sh

# The webhook budget of issue 5 (wrk, installed here when missing).
bench-webhook: deps
	@$(MAKE) --no-print-directory all $(REL)/bench_inbound $(REL)/dondoc-ical
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	@sh bench/webhook.sh

# Issue 17's budget: PostgreSQL with two instances, beside SQLite (a
# server of its own, as the tests start; wrk installed when missing).
bench-pg: deps
	@$(MAKE) --no-print-directory all $(REL)/bench_planner $(REL)/dondoc-ical
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	@sh bench/pg.sh

# What PostgreSQL itself does here with the statements of one webhook
# update (pgbench, no dondoc): the floor under bench-pg's webhook figure.
bench-pg-floor: deps
	@$(MAKE) --no-print-directory all
	@sh bench/pg_floor.sh

# The Zalo webhook at the same budget (issue 14): signed events replayed by wrk.
bench-zalo: deps
	@$(MAKE) --no-print-directory all $(REL)/dondoc-ical
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	@sh bench/zalo_webhook.sh

# The feed budget of issue 15, beside ical-generator 11 (bench/js: npm ci
# when missing) on the same 10,000 tasks; wrk installed when missing.
bench-feed: deps
	@$(MAKE) --no-print-directory all $(REL)/dondoc-ical $(if $(wildcard bench/bench_feed.c),$(REL)/bench_feed)
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	@command -v npm >/dev/null || apt-get install -y -qq nodejs npm
	@[ -d bench/js/node_modules/ical-generator ] || (cd bench/js && npm ci --no-audit --no-fund)
	@sh bench/feed.sh

# --- fuzzing (issue 16) -----------------------------------------------------
# Every tests/fuzz/fuzz_NAME.c is a libFuzzer target, linked against a
# clang build of the library with ASan and UBSan (build/fuzz).  'make fuzz'
# runs each for FUZZ_SECONDS on its corpus, its dictionary and the seeds of
# ../shared; 'make check' replays every kept input and fuzzes a few seconds
# (tests/fuzz/run.sh).  The helper dondoc-ical is deliberately not beside
# the targets (nor at LIBEXECDIR): the schedule's target stops at the
# helper's door rather than forking per input.
FUZZ_CC = clang
FUZZ_SECONDS ?= 60
FUZZ_SANS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1

$(FUZZ)/obj/%.o: LIBEXECDIR = /nonexistent/dondoc-fuzz
$(FUZZ)/obj/%.o: bot/%.c $(wildcard bot/*.h) | $(FUZZ)/obj
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SANS) -fsanitize=fuzzer-no-link -MMD -c -o $@ $<
$(FUZZ)/libdondoc.a: $(patsubst bot/%.c,$(FUZZ)/obj/%.o,$(LIB_SRCS))
	rm -f $@ && ar rcs $@ $^
$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ)/libdondoc.a
	$(FUZZ_CC) $(ALL_CFLAGS) $(FUZZ_SANS) -fsanitize=fuzzer -Ibot -Itests/fuzz -o $@ $< \
		$(FUZZ)/libdondoc.a $(PKG_LIBS)
$(FUZZ)/obj:
	mkdir -p $@
-include $(wildcard $(FUZZ)/obj/*.d)

fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory -j$$(nproc) fuzz-build
	@sh tests/fuzz/run.sh --seconds $(FUZZ_SECONDS) $(FUZZ_BINS)

# dondoc beside the tools a user would pick instead (issue 16): bench/peers
# (grammY, better-sqlite3, mustache.js, nodemailer: npm ci when missing;
# better-sqlite3 compiled there when npm's policy skipped its install
# script) and bench/js (ical-generator); wrk, node and npm when missing.
PEERS_NODE = bench/peers/node_modules/better-sqlite3/build/Release/better_sqlite3.node
bench-peers: deps
	@$(MAKE) --no-print-directory all $(REL)/dondoc-ical $(REL)/bench_mail $(REL)/bench_planner $(REL)/bench_feed
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	@command -v npm >/dev/null || apt-get install -y -qq nodejs npm
	@[ -d bench/js/node_modules/ical-generator ] || (cd bench/js && npm ci --no-audit --no-fund)
	@[ -d bench/peers/node_modules/grammy ] || (cd bench/peers && npm ci --no-audit --no-fund)
	@[ -f $(PEERS_NODE) ] || command -v g++ >/dev/null || apt-get install -y -qq g++
	@[ -f $(PEERS_NODE) ] || (cd bench/peers && npm rebuild better-sqlite3 --no-audit --no-fund)
	@sh bench/peers.sh

# kill -9 loops against the real daemon (issue 10): the duplicates per kill.
faults: deps
	@$(MAKE) --no-print-directory all
	@sh tests/faults.sh

$(REL)/bench_%: bench/bench_%.c $(REL)/libdondoc.a
	$(CC) $(ALL_CFLAGS) -Ibot -o $@ $< $(REL)/libdondoc.a $(PKG_LIBS)

# --- install ---------------------------------------------------------------
# The unit is generated at install time, so that it names this install's
# BINDIR and SYSCONFDIR.  An existing dondoc.conf is never overwritten, and
# uninstall leaves it (and /var/lib/dondoc) alone.  The config is 0644: the
# service's transient user must read it; secrets live in separate 0600 files.
INSTALL_DATA = $(wildcard schedules/*.ini schedules/*.ics) \
	$(filter-out %/README.md,$(shell find templates -type f 2>/dev/null))

install: bot/dondoc bot/dondoc-ical
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(LIBEXECDIR)"
	install -m 0755 bot/dondoc "$(DESTDIR)$(BINDIR)/dondoc"
	install -m 0755 bot/dondoc-ical "$(DESTDIR)$(LIBEXECDIR)/dondoc-ical"
	install -d "$(DESTDIR)$(UNITDIR)"
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		systemd/dondoc.service.in >"$(DESTDIR)$(UNITDIR)/dondoc.service"
	chmod 0644 "$(DESTDIR)$(UNITDIR)/dondoc.service"
	install -d "$(DESTDIR)$(DATADIR)/schedules" "$(DESTDIR)$(DATADIR)/templates"
	for f in $(INSTALL_DATA); do \
		install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; \
	done
	install -d "$(DESTDIR)$(SYSCONFDIR)/dondoc"
	if [ -e "$(DESTDIR)$(SYSCONFDIR)/dondoc/dondoc.conf" ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/dondoc/dondoc.conf"; \
	else \
		install -m 0644 systemd/dondoc.conf.example "$(DESTDIR)$(SYSCONFDIR)/dondoc/dondoc.conf"; \
	fi

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/dondoc" "$(DESTDIR)$(UNITDIR)/dondoc.service"
	rm -f "$(DESTDIR)$(LIBEXECDIR)/dondoc-ical"
	rmdir "$(DESTDIR)$(LIBEXECDIR)" 2>/dev/null || true
	for f in $(INSTALL_DATA); do rm -f "$(DESTDIR)$(DATADIR)/$$f"; done
	for d in schedules templates; do \
		[ ! -d "$(DESTDIR)$(DATADIR)/$$d" ] || \
		find "$(DESTDIR)$(DATADIR)/$$d" -depth -type d -empty -delete; \
	done
	rmdir "$(DESTDIR)$(DATADIR)" 2>/dev/null || true

# config.o bakes DATADIR in, expand.o LIBEXECDIR: rebuild them when these
# change, as between 'make' and 'make install PREFIX=/usr'.  The stamp is
# rewritten only then.
build/datadir: FORCE
	@mkdir -p build
	@echo '$(DATADIR) $(LIBEXECDIR)' | cmp -s - $@ || echo '$(DATADIR) $(LIBEXECDIR)' >$@
$(REL)/obj/config.o $(SAN)/obj/config.o $(REL)/obj/expand.o $(SAN)/obj/expand.o: build/datadir
FORCE:

.PHONY: check-systemd
check-systemd:
	@sh tests/check-systemd.sh

clean:
	rm -rf build bot/dondoc bot/dondoc-ical
