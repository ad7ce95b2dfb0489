# SPDX-License-Identifier: GPL-2.0
# gate511 build. `make` builds the XDP object and the binaries; `make check`
# runs every test; `make demo`, `make bench`, `make fuzz`, `make install`.
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

.PHONY: all deps check test-build demo bench fuzz install clean
all: $(BPF_OBJS) $(BINS)

# Install the Debian packages when a tool or library is missing.
deps:
	$(Q)command -v bpftool >/dev/null && command -v xdp-loader >/dev/null && \
	  [ -e /usr/include/pcap.h ] && [ -e /usr/include/xdp/libxdp.h ] && \
	  [ -e /usr/include/sqlite3.h ] && [ -e /usr/include/bpf/libbpf.h ] && \
	  [ -e /usr/include/microhttpd.h ] && [ -e /usr/include/gnutls/gnutls.h ] && \
	  mount | grep -q ' /sys/fs/bpf type bpf' || scripts/install-deps.sh

%.bpf.o: %.bpf.c $(HDRS)
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

$(B)/tests/%: tests/xdp/%.c $(LIB) $(HDRS)
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

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/gate511 \
		$(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)/etc/gate511 \
		$(DESTDIR)/lib/systemd/system $(DESTDIR)$(PREFIX)/share/gate511
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 bpf/gate511.bpf.o $(DESTDIR)$(PREFIX)/lib/gate511/
	[ ! -d doc ] || install -m 0644 doc/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	[ ! -f etc/gate511.conf ] || [ -e $(DESTDIR)/etc/gate511/gate511.conf ] || \
		install -m 0640 etc/gate511.conf $(DESTDIR)/etc/gate511/
	[ ! -f etc/511.html ] || install -m 0644 etc/511.html $(DESTDIR)$(PREFIX)/share/gate511/
	[ ! -f etc/gate511d.service ] || \
		sed 's|@PREFIX@|$(PREFIX)|g' etc/gate511d.service > $(DESTDIR)/lib/systemd/system/gate511d.service

clean:
	rm -rf $(B) bpf/*.bpf.o bench/*.bpf.o $(TEST_BPF)
