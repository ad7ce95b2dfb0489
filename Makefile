# SPDX-License-Identifier: GPL-2.0
# gate511 build. `make` builds the XDP object and the binaries; `make check`
# runs every test; `make demo`, `make bench`, `make fuzz`, `make install`,
# `make uninstall`.
#
# Layout: user/lib/*.c is the pure library (libgate511.a) shared by the
# daemon, the CLI, tests and fuzzers; user/gate511d/ and user/gate511ctl/
# hold one binary each. New files are picked up by wildcard.

.DELETE_ON_ERROR:
.SUFFIXES:

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CC	?= gcc
CLANG	?= clang
PREFIX	?= /usr/local
DESTDIR	?=
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

B	:= build
CFLAGS	?= -O2 -g
CFLAGS	+= -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser/lib \
	   -DG511_PREFIX='"$(PREFIX)"'
BPF_CFLAGS := -g -O2 --target=bpf -Wall -Werror -Iinclude -I$(ARCH_INC)
LIBS_BPF := -lxdp -lbpf -lelf -lz
# GnuTLS: HMAC-SHA256 and hashes in user/lib (sig.c), TLS for the listeners
LIBS_CRYPTO := -lgnutls
LIBS_D	:= $(LIBS_BPF) -lsqlite3 -lmicrohttpd $(LIBS_CRYPTO) -lpthread
LIBS_PCAP := -lpcap

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:.bpf.c=.bpf.o)
LIB_SRCS := $(wildcard user/lib/*.c)
LIB_OBJS := $(patsubst user/lib/%.c,$(B)/lib/%.o,$(LIB_SRCS))
LIB	 := $(B)/libgate511.a
D_SRCS	 := $(wildcard user/gate511d/*.c)
D_OBJS	 := $(patsubst user/gate511d/%.c,$(B)/gate511d.d/%.o,$(D_SRCS))
C_SRCS	 := $(wildcard user/gate511ctl/*.c)
C_OBJS	 := $(patsubst user/gate511ctl/%.c,$(B)/gate511ctl.d/%.o,$(C_SRCS))
HDRS	 := $(wildcard include/*.h user/lib/*.h user/gate511d/*.h user/gate511ctl/*.h)

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRCS))
XDPT_SRCS := $(wildcard tests/xdp/*.c)
XDPT_BINS := $(patsubst tests/xdp/%.c,$(B)/tests/%,$(XDPT_SRCS))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRCS))
BENCH_BPF  := $(patsubst %.bpf.c,%.bpf.o,$(wildcard bench/*.bpf.c))
# Test bed helpers (tests/xdp_pass.bpf.c, tests/adversarial/txq_steer.bpf.c).
TEST_BPF   := $(patsubst %.bpf.c,%.bpf.o,$(wildcard tests/*.bpf.c tests/*/*.bpf.c))

BINS := $(B)/gate511d $(B)/gate511ctl

.PHONY: all deps check test-build demo bench fuzz install uninstall clean
all: $(BPF_OBJS) $(BINS)

# Install the Debian packages when a tool or library is missing.
deps:
	$(Q)command -v bpftool >/dev/null && command -v xdp-loader >/dev/null && \
	  [ -e /usr/include/pcap.h ] && [ -e /usr/include/xdp/libxdp.h ] && \
	  [ -e /usr/include/sqlite3.h ] && [ -e /usr/include/bpf/libbpf.h ] && \
	  [ -e /usr/include/microhttpd.h ] && [ -e /usr/include/gnutls/gnutls.h ] && \
	  mount | grep -q ' /sys/fs/bpf type bpf' || scripts/install-deps.sh

%.bpf.o: %.bpf.c $(HDRS) $(wildcard bpf/*.h)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/lib/%.o: user/lib/%.c $(HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/gate511d.d/%.o: user/gate511d/%.c $(HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Iuser/gate511d -c $< -o $@

$(B)/gate511ctl.d/%.o: user/gate511ctl/%.c $(HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c $< -o $@

$(B)/gate511d: $(D_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(D_OBJS) $(LIB) $(LIBS_D)

$(B)/gate511ctl: $(C_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(C_OBJS) $(LIB) $(LIBS_BPF) $(LIBS_CRYPTO)

# Unit tests may #include daemon sources (user/gate511d/*.c) to test them.
$(B)/tests/%: tests/unit/%.c $(LIB) $(HDRS) $(D_SRCS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Itests -Iuser/gate511d -o $@ $< $(LIB) \
		$(LIBS_PCAP) $(LIBS_D)

$(B)/tests/%: tests/xdp/%.c $(LIB) $(HDRS) $(wildcard tests/xdp/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Itests -o $@ $< $(LIB) $(LIBS_PCAP) $(LIBS_BPF) \
		$(LIBS_CRYPTO)

# libFuzzer targets: the library is rebuilt with sanitizers, not linked.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -Iinclude -Iuser/lib -Iuser/gate511d
$(B)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(HDRS)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(LIBS_BPF) $(LIBS_CRYPTO)

$(B)/bench/%: bench/%.c $(LIB) $(HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Ibench -o $@ $< $(LIB) $(LIBS_D) $(LIBS_PCAP)

test-build: all $(UNIT_BINS) $(XDPT_BINS) $(FUZZ_BINS) $(TEST_BPF)

# The committed pcap vectors must be what tests/xdp/gen_vectors.py writes;
# a mismatch fails make check after the test groups have run.
check: deps
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)vec=0; tests/xdp/check_vectors.sh || vec=1; tests/run.sh && [ $$vec = 0 ]

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BINS)
	$(Q)FUZZ_SECONDS=$${FUZZ_SECONDS:-600} tests/fuzz/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all $(TEST_BPF)
	$(Q)scripts/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS) $(BENCH_BPF) $(TEST_BPF)
	$(Q)bench/run.sh

# ---- install / uninstall ----
# Programs, the XDP object, man pages, the 511 page and the unit under
# PREFIX; the config files in /etc whatever PREFIX is (gate511d reads
# /etc/gate511/gate511.conf by default). The unit goes where systemd looks
# for units that are not the distribution's: $(PREFIX)/lib/systemd/system
# for /usr and /usr/local (both in systemd's search path; /etc/systemd/system
# stays the admin's, for `systemctl edit` and enable links, so uninstall
# never removes a unit the admin wrote there), /etc/systemd/system for any
# other PREFIX, which systemd would not search; UNITDIR= overrides.
# The config files are written only when absent: a reinstall keeps the
# admin's edits. uninstall removes what install wrote except those two
# files and the state database.
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
OBJDIR	:= $(PREFIX)/lib/gate511
DATADIR	:= $(PREFIX)/share/gate511
CONFDIR	:= /etc/gate511
DEFAULTDIR := /etc/default
ifneq ($(filter /usr /usr/local,$(PREFIX)),)
UNITDIR	?= $(PREFIX)/lib/systemd/system
else
UNITDIR	?= /etc/systemd/system
endif
MANPAGES := $(notdir $(wildcard doc/*.8))
# every file install writes, config files aside
INSTALLED := $(addprefix $(SBINDIR)/,$(notdir $(BINS))) $(OBJDIR)/gate511.bpf.o \
	$(addprefix $(MANDIR)/man8/,$(MANPAGES)) $(DATADIR)/511.html \
	$(UNITDIR)/gate511d.service
KEPT	:= $(CONFDIR)/gate511.conf $(DEFAULTDIR)/gate511d

install: all
	$(Q)$(B)/gate511d -h | grep -qF '$(OBJDIR)/gate511.bpf.o' || \
		{ echo "$(B)/gate511d was built for another PREFIX: make clean; make PREFIX=$(PREFIX)" >&2; \
		  exit 1; }
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(OBJDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(CONFDIR) $(DESTDIR)$(DEFAULTDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(SBINDIR)/
	install -m 0644 bpf/gate511.bpf.o $(DESTDIR)$(OBJDIR)/
	install -m 0644 $(addprefix doc/,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 etc/511.html $(DESTDIR)$(DATADIR)/
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@CONFDIR@|$(CONFDIR)|g' \
		-e 's|@DEFAULTDIR@|$(DEFAULTDIR)|g' etc/gate511d.service.in \
		> $(DESTDIR)$(UNITDIR)/gate511d.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/gate511d.service
	[ -e $(DESTDIR)$(CONFDIR)/gate511.conf ] || \
		install -m 0640 etc/gate511.conf $(DESTDIR)$(CONFDIR)/
	[ -e $(DESTDIR)$(DEFAULTDIR)/gate511d ] || \
		install -m 0644 etc/default/gate511d $(DESTDIR)$(DEFAULTDIR)/
	@echo "installed. Set portal_url and interface in $(CONFDIR)/gate511.conf, then:"
	@echo "  systemctl daemon-reload && systemctl enable --now gate511d"

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	-rmdir $(DESTDIR)$(OBJDIR) $(DESTDIR)$(DATADIR) 2>/dev/null
	@echo "kept (remove them by hand if you want them gone):"
	@for f in $(KEPT); do [ ! -e $(DESTDIR)$$f ] || echo "  $(DESTDIR)$$f"; done
	@echo "  the state database, /var/lib/gate511/state.db, if the daemon ran"
	@[ ! -L $(DESTDIR)/etc/systemd/system/multi-user.target.wants/gate511d.service ] || \
		echo "gate511d is still enabled: systemctl disable gate511d"

clean:
	rm -rf $(B) bpf/*.bpf.o bench/*.bpf.o $(TEST_BPF)
