# dondoc: build, check, install, run.  See README.md.
#
#   make            build bot/dondoc
#   make run        install what is missing, build, and run on a demo registry
#   make check      install what is missing, build (plain and ASan+UBSan),
#                   run every test; ends with "N passed, N failed"
#   make bench      the benchmarks of bench/ (not part of check)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/dondoc
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system

CC ?= cc
CFLAGS ?= -O2 -g
WARNFLAGS = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# Every dependency with a .pc file comes through pkg-config; libcsv has none.
# Recursive (=) so that pkg-config runs after 'deps' has installed them.
PKGS = sqlite3 libutf8proc jansson libcrypto libical inih libsystemd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS)) -lcsv
TEST_LIBS = $(shell pkg-config --libs cmocka)

ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARNFLAGS) $(CFLAGS) $(PKG_CFLAGS)

SRCS = $(sort $(wildcard bot/*.c))
LIB_SRCS = $(filter-out bot/main.c,$(SRCS))
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))

REL = build/rel
SAN = build/san

.PHONY: all deps run check test-build check-style bench install uninstall clean demo

all: bot/dondoc

# --- build -----------------------------------------------------------------
# $(1) = variant dir, $(2) = extra flags
define variant
$(1)/obj/%.o: bot/%.c $(wildcard bot/*.h) | $(1)/obj
	$$(CC) $$(ALL_CFLAGS) $(2) -MMD -c -o $$@ $$<
$(1)/libdondoc.a: $(patsubst bot/%.c,$(1)/obj/%.o,$(LIB_SRCS))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/tests/%: tests/unit/%.c tests/unit/testlib.h $(1)/libdondoc.a | $(1)/tests
	$$(CC) $$(ALL_CFLAGS) $(2) -Ibot -o $$@ $$< $(1)/libdondoc.a $$(PKG_LIBS) $$(TEST_LIBS)
$(1)/obj $(1)/tests:
	mkdir -p $$@
endef
$(eval $(call variant,$(REL),))
$(eval $(call variant,$(SAN),$(SANFLAGS)))

bot/dondoc: $(REL)/obj/main.o $(REL)/libdondoc.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS)

$(SAN)/dondoc: $(SAN)/obj/main.o $(SAN)/libdondoc.a
	$(CC) $(ALL_CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

UNITS = $(patsubst tests/unit/%.c,%,$(UNIT_SRCS))
test-build: bot/dondoc $(SAN)/dondoc $(addprefix $(REL)/tests/,$(UNITS)) $(addprefix $(SAN)/tests/,$(UNITS))

-include $(wildcard $(REL)/obj/*.d $(SAN)/obj/*.d)

# --- setup -----------------------------------------------------------------
deps:
	@sh tests/deps.sh

# --- the two commands ------------------------------------------------------
run: deps
	@$(MAKE) --no-print-directory all
	@sh demo/run.sh

check: deps
	@$(MAKE) --no-print-directory test-build
	@sh tests/check-style.sh
	@sh tests/check.sh

check-style:
	@sh tests/check-style.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh

# --- install ---------------------------------------------------------------
install: bot/dondoc
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 bot/dondoc $(DESTDIR)$(BINDIR)/dondoc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/dondoc

clean:
	rm -rf build bot/dondoc
