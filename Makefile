# chansync - channel-operations sync daemon
#
#   make            build chansyncd and chansyncctl into build/
#   make demo       install missing Debian packages, build, run the demo
#   make check      install missing Debian packages, build, run every test
#                   (the plain build, then the same suite under ASan/UBSan)
#   make asan       the sanitizer build and its test run only
#   make house      the layers' include rules and the size limits only
#   make fuzz       the libFuzzer targets, FUZZ_RUNS executions each
#   make install    PREFIX=/usr DESTDIR=... binaries, unit, config, man pages

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR  ?= /lib/systemd/system
DESTDIR  ?=

VERSION   = 0.1.0
BUILD    ?= build
CC       ?= cc
PKGS      = jansson yaml-0.1 sqlite3 libsystemd libcrypto libcurl libutf8proc libpsl
CFLAGS   ?= -O2 -g
# what the code needs, whatever CFLAGS the caller passes
XCFLAGS   = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Iinclude -DCHANSYNC_VERSION='"$(VERSION)"' \
            $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# Debian packages: to build, and to run the tests
DEB_BUILD = gcc make pkg-config libjansson-dev libyaml-dev libsqlite3-dev \
            libsystemd-dev libssl-dev libcurl4-openssl-dev libutf8proc-dev \
            libpsl-dev publicsuffix iso-codes tzdata
DEB_TEST  = python3 python3-aiosmtpd sqlite3 systemd util-linux procps valgrind openssl \
            chromium \
            clang-14 libclang-rt-14-dev

# The layers, lowest first; a folder may include its own headers and
# those of the folders before it (tests/tools/check_layers.sh checks).
LAYERS   = lib model config rules store sources crm ctl
LIB_SRCS = $(foreach l,$(LAYERS),$(sort $(wildcard src/$(l)/*.c))) \
           $(filter-out src/chansyncd.c src/chansyncctl.c,$(sort $(wildcard src/*.c)))
LIB_OBJS = $(LIB_SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/model/freemail.o
UNIT_TESTS = test_config test_csv test_normalize test_store test_audit \
             test_secret test_log test_record test_http \
             test_salesforce test_jscan test_match test_conflicts test_strmap test_rules test_utf8 \
             test_plan test_score test_alerts test_conflict_rules test_jsalvage \
             test_partner_ids test_queue test_digest test_humanfmt
UNIT_BINS  = $(UNIT_TESTS:%=$(BUILD)/tests/%)

TOOLS      = sfwrite match_eval conflicts_eval
TOOL_BINS  = $(TOOLS:%=$(BUILD)/tests/%)

all: $(BUILD)/chansyncd $(BUILD)/chansyncctl $(UNIT_BINS) $(TOOL_BINS) \
     $(BUILD)/tests/failio.so

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# the shipped free-mail list, compiled in as a sorted array
$(BUILD)/model/freemail.c: config/free-mail-domains
	@mkdir -p $(@D)
	{ echo '/* generated from config/free-mail-domains; do not edit */'; \
	  echo '#include "model/freemail.h"'; \
	  echo 'const char *const free_mail_domains[] = {'; \
	  grep -v -e '^#' -e '^$$' $< | LC_ALL=C sort -u | sed 's/.*/\t"&",/'; \
	  echo '};'; \
	  echo 'const size_t free_mail_count = sizeof(free_mail_domains) / sizeof(free_mail_domains[0]);'; \
	} > $@

$(BUILD)/model/freemail.o: $(BUILD)/model/freemail.c include/model/freemail.h
	$(CC) $(XCFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libchansync.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/chansyncd: $(BUILD)/chansyncd.o $(BUILD)/libchansync.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/chansyncctl: $(BUILD)/chansyncctl.o $(BUILD)/libchansync.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.o: tests/unit/%.c tests/unit/t.h tests/unit/t_sql.h tests/unit/t_cfg.h tests/unit/t_soql.h
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -Itests/unit -MMD -MP -c $< -o $@

$(BUILD)/tests/%.o: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libchansync.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h tests/unit/t_soql.h
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%: $(BUILD)/fuzz/%.o $(BUILD)/libchansync.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the failing-disk shim of the fault tests: no sanitizer (it is preloaded)
$(BUILD)/tests/failio.so: tests/tools/failio.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -shared -fPIC -o $@ $< -ldl

$(BUILD)/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(BUILD)/libchansync.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(wildcard $(BUILD)/*.d $(BUILD)/*/*.d)

# The fuzz targets (tests/fuzz): the library built by clang with
# libFuzzer's coverage and ASan/UBSan, one binary per input format.
FUZZ_TARGETS = fuzz_jscan fuzz_json fuzz_csv fuzz_config fuzz_normalize \
               fuzz_record fuzz_soql
FUZZ_CC     ?= clang-14
FUZZ_SECONDS ?= 5
FUZZ_RUNS   ?= 10000000
FUZZ_MAKE    = $(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
  LDFLAGS="-fsanitize=address,undefined"
fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%.o)

# Installs the Debian packages that are missing (as root), or says which.
deps:
	@missing=""; for p in $(DEB_BUILD) $(DEB_EXTRA); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing || \
	    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; }; \
	  else \
	    echo "missing Debian packages; run as root:"; \
	    echo "  apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

check-deps:
	@$(MAKE) --no-print-directory deps DEB_EXTRA="$(DEB_TEST)"

demo:
	@$(MAKE) --no-print-directory deps DEB_EXTRA="python3"
	@$(MAKE) --no-print-directory all
	@tests/demo.sh $(BUILD)

# The ingest benchmark (contract §13): BENCH_RECORDS opportunities, first full
# sync by chansyncd, a Python stdlib script and a Node.js script (when node
# and npm are installed), on the same pages over loopback. Prints figures.
BENCH_RECORDS ?= 1000000
# Then conflict detection over BENCH_REGISTRATIONS registrations.
BENCH_REGISTRATIONS ?= 1000000
bench:
	@$(MAKE) --no-print-directory deps DEB_EXTRA="python3"
	@$(MAKE) --no-print-directory all $(BUILD)/bench/conflicts_bench
	@python3 bench/run.py $(BUILD) $(BENCH_RECORDS)
	@mkdir -p $(BUILD)/bench/conflicts
	@$(BUILD)/bench/conflicts_bench $(BUILD)/bench/conflicts $(BENCH_REGISTRATIONS)

# The end-customer matcher: on the project's labelled set, then on the
# real names of Debian's pci.ids and usb.ids, the half tuned on and the
# half held out (tests/match/real/): precision, recall and F1, a
# threshold sweep, results by kind, and every pair it gets wrong on the
# sets tuned on; the held-out half's pairs are not listed, so that no
# change is read off them. Then both halves through the conflict pass,
# as the daemon meets them (every pair two registrations in one cache:
# blocking, rarity over the cache, clusters).
eval: all
	@echo "== tests/match/pairs.tsv"; $(BUILD)/tests/match_eval tests/match/pairs.tsv; \
	  a=$$?; \
	  echo "== tests/match/real/dev.tsv (tuned on)"; \
	  $(BUILD)/tests/match_eval -g 0.97,0.93 tests/match/real/dev.tsv; b=$$?; \
	  echo "== tests/match/real/held.tsv (held out; its pairs are not listed)"; \
	  $(BUILD)/tests/match_eval -q -g 0.97,0.93 tests/match/real/held.tsv; c=$$?; \
	  d=$$(mktemp -d); \
	  echo "== through the conflict pass: tests/match/real/dev.tsv"; \
	  $(BUILD)/tests/conflicts_eval -g 0.97,0.93 tests/match/real/dev.tsv $$d; e=$$?; \
	  echo "== through the conflict pass: tests/match/real/held.tsv"; \
	  $(BUILD)/tests/conflicts_eval -q -g 0.97,0.93 tests/match/real/held.tsv $$d; f=$$?; \
	  rm -rf $$d; \
	  [ $$a -eq 0 ] && [ $$b -eq 0 ] && [ $$c -eq 0 ] && [ $$e -eq 0 ] && \
	  [ $$f -eq 0 ]

# the house's rules: the layers' includes, the libraries' owners, sizes
house:
	@tests/tools/check_layers.sh
	@python3 tests/tools/check_sizes.py

check: check-deps house
	@$(MAKE) --no-print-directory all
	@tests/run.sh $(BUILD)
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory fuzz-smoke

# every fuzz target: its seeds and kept regressions, then FUZZ_SECONDS of new inputs
fuzz-smoke:
	@echo "== fuzz targets (seeds, regressions, $(FUZZ_SECONDS)s each)"
	@$(FUZZ_MAKE) fuzz-targets
	@tests/fuzz/run.sh build-fuzz smoke $(FUZZ_SECONDS)

fuzz: check-deps
	@$(FUZZ_MAKE) fuzz-targets
	@tests/fuzz/run.sh build-fuzz long $(FUZZ_RUNS)

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" all
	@CHANSYNC_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run.sh build-asan

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/chansync $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/chansyncd $(DESTDIR)$(SBINDIR)/chansyncd
	install -m 0755 $(BUILD)/chansyncctl $(DESTDIR)$(BINDIR)/chansyncctl
	[ -e $(DESTDIR)$(SYSCONFDIR)/chansync/chansync.yaml ] || \
	  install -m 0640 config/chansync.yaml $(DESTDIR)$(SYSCONFDIR)/chansync/chansync.yaml
	sed -e 's|/usr/sbin/chansyncd|$(SBINDIR)/chansyncd|g' \
	    -e 's|/usr/bin/chansyncctl|$(BINDIR)/chansyncctl|g' \
	  systemd/chansyncd.service > $(DESTDIR)$(UNITDIR)/chansyncd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/chansyncd.service
	install -m 0644 man/chansyncctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/chansync.yaml.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/chansyncd.8 $(DESTDIR)$(MANDIR)/man8/

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all deps check-deps demo bench eval house check asan fuzz fuzz-smoke \
        fuzz-targets install clean
