# bootfix — top-level Makefile (GNU make, no autotools).
#
#   make              libbootfix.a, libbootfix.so and the bootfix CLI (in build/)
#   make check        every test, built with -fsanitize=address,undefined
#   make demo         a sample hive under testdata/ and the CLI run on it
#   make install      PREFIX=/usr/local DESTDIR=
#   make deps         install the Debian packages the build and tests need

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
VERSION := 0.1.0

DEB_PACKAGES := build-essential pkg-config check libregf-dev libbfio-dev libhivex-dev
PKG_MODULES  := check libregf libbfio hivex

WARN    := -Wall -Wextra -Werror
BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DBOOTFIX_VERSION=\"$(VERSION)\" $(WARN) -Iinclude -Ilib
OPT     ?= -O2 -g
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# lib/io/posix or lib/io/win32: the platform layer (lib/io/platform.h)
LIB_SRC := $(sort $(wildcard lib/*.c lib/*/*.c lib/io/posix/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_COMMON_SRC := $(sort $(wildcard tests/common/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TESTS   := $(patsubst tests/%.c,%,$(TEST_SRC))

B  := build
BA := build/asan

LIB_OBJ    := $(patsubst %.c,$(B)/%.o,$(LIB_SRC))
LIB_PIC    := $(patsubst %.c,$(B)/pic/%.o,$(LIB_SRC))
CLI_OBJ    := $(patsubst %.c,$(B)/%.o,$(CLI_SRC))
ALIB_OBJ   := $(patsubst %.c,$(BA)/%.o,$(LIB_SRC))
ACLI_OBJ   := $(patsubst %.c,$(BA)/%.o,$(CLI_SRC))
ATCOM_OBJ  := $(patsubst %.c,$(BA)/%.o,$(TEST_COMMON_SRC))

LDLIBS := -ldl

.PHONY: all deps check demo install uninstall clean bench
all: deps $(B)/libbootfix.a $(B)/libbootfix.so $(B)/bootfix

# ---- dependencies ------------------------------------------------------------------
deps:
	@if pkg-config --exists $(PKG_MODULES) 2>/dev/null && command -v cc >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing: $(DEB_PACKAGES)"; \
	  (apt-get install -y -q $(DEB_PACKAGES) || (apt-get update -q && apt-get install -y -q $(DEB_PACKAGES))) >$(B)-deps.log 2>&1 \
	    || { cat $(B)-deps.log; echo "make deps: apt-get failed (log above)"; exit 1; }; \
	else \
	  echo "missing build dependencies; run as root:"; \
	  echo "  apt-get install -y $(DEB_PACKAGES)"; exit 1; \
	fi

# ---- library and CLI -----------------------------------------------------------------
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT) -MMD -MP -c $< -o $@

$(B)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT) -fPIC -MMD -MP -c $< -o $@

$(B)/libbootfix.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/libbootfix.so: $(LIB_PIC)
	$(CC) -shared -Wl,-soname,libbootfix.so.0 -o $@ $^ $(LDLIBS)

$(B)/bootfix: $(CLI_OBJ) $(B)/libbootfix.a
	$(CC) $(OPT) -o $@ $(CLI_OBJ) $(B)/libbootfix.a $(LDLIBS)

# ---- sanitizer build and tests ----------------------------------------------------------
CHECK_CFLAGS  = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS    = $(shell pkg-config --libs check 2>/dev/null)
ORACLE_CFLAGS = $(shell pkg-config --cflags libregf hivex 2>/dev/null)
ORACLE_LIBS   = $(shell pkg-config --libs libregf hivex 2>/dev/null)

$(BA)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) $(CHECK_CFLAGS) $(ORACLE_CFLAGS) -Itests -MMD -MP -c $< -o $@

$(BA)/libbootfix.a: $(ALIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BA)/bootfix: $(ACLI_OBJ) $(BA)/libbootfix.a
	$(CC) $(SAN) -o $@ $(ACLI_OBJ) $(BA)/libbootfix.a $(LDLIBS)

$(BA)/tests/%: $(BA)/tests/%.o $(ATCOM_OBJ) $(BA)/libbootfix.a
	$(CC) $(SAN) -o $@ $< $(ATCOM_OBJ) $(BA)/libbootfix.a $(CHECK_LIBS) $(ORACLE_LIBS) $(LDLIBS)

# tests/test_faults.c runs the CLI in-process: cli/main.c with main renamed
$(BA)/cli/main_as_function.o: cli/main.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -Dmain=bootfix_main -MMD -MP -c $< -o $@

$(BA)/tests/test_faults: $(BA)/tests/test_faults.o $(ATCOM_OBJ) $(filter-out $(BA)/cli/main.o,$(ACLI_OBJ)) \
		$(BA)/cli/main_as_function.o $(BA)/libbootfix.a
	$(CC) $(SAN) -o $@ $(filter %.o,$^) $(BA)/libbootfix.a $(CHECK_LIBS) $(ORACLE_LIBS) $(LDLIBS)

TEST_BINS := $(addprefix $(BA)/tests/,$(TESTS))
CLI_TESTS := $(sort $(wildcard tests/test_*.sh))

# small programs the shell tests use (tests/tools/*.c): input generators, oracle dumps
.PRECIOUS: $(BA)/tests/tools/%.o
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(patsubst tests/tools/%.c,$(BA)/tests/tools/%,$(TOOL_SRC))

$(BA)/tests/tools/%: $(BA)/tests/tools/%.o $(ATCOM_OBJ) $(BA)/libbootfix.a
	$(CC) $(SAN) -o $@ $< $(ATCOM_OBJ) $(BA)/libbootfix.a $(CHECK_LIBS) $(ORACLE_LIBS) $(LDLIBS)

check: deps $(TEST_BINS) $(TOOL_BINS) $(BA)/bootfix $(B)/bootfix
	@st=0; export BOOTFIX=$(CURDIR)/$(BA)/bootfix BOOTFIX_SRC=$(CURDIR) \
	  BOOTFIX_TOOLS=$(CURDIR)/$(BA)/tests/tools; \
	sh tests/run-all.sh $(TEST_BINS) || st=1; \
	for s in $(CLI_TESTS); do echo "=== $$s"; sh $$s || st=1; done; \
	$(MAKE) --no-print-directory check-fuzz-replay || st=1; \
	if [ $$st -ne 0 ]; then echo "make check: FAILED (see above)"; fi; exit $$st

# ---- demo -------------------------------------------------------------------------------
demo: all
	@sh tests/demo.sh $(B)/bootfix

# ---- benchmarks (bench/): bootfix against libhivex and libregf ---------------------------
# `make bench` measures and prints a table; it asserts nothing.  The
# readers it compares with come from Debian's packages, installed by `deps`.
BENCH_CFLAGS = $(BASE_CFLAGS) -Ibench $(OPT)
$(B)/bench/worker: bench/worker.c $(wildcard bench/impl_*.c) bench/bench.h $(B)/libbootfix.a
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/worker.c $(wildcard bench/impl_*.c) $(B)/libbootfix.a \
	  $$(pkg-config --cflags --libs hivex libregf) $(LDLIBS)

$(B)/bench/genhive: bench/genhive.c bench/bench.h $(B)/libbootfix.a
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/genhive.c $(B)/libbootfix.a $(LDLIBS)

bench: all $(B)/bench/worker $(B)/bench/genhive
	@sh bench/run.sh $(B)

# ---- Windows (mingw-w64): `make windows`, `make check-windows` ----------------------------
# A static bootfix.exe that needs no DLL beyond those of every Windows (KERNEL32,
# msvcrt, SHELL32, ADVAPI32), and libbootfix.a + headers for Windows tools, in
# build/windows/dist.  The platform layer is lib/io/win32 instead of lib/io/posix.
# check-windows runs the Windows build under Wine (tests/windows/run.sh).
WIN_PACKAGES := gcc-mingw-w64-x86-64 wine wine64
MINGW  ?= x86_64-w64-mingw32-
W      := build/windows
WIN_CFLAGS  := -std=c11 -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0601 -DBOOTFIX_VERSION=\"$(VERSION)\" \
	$(WARN) -Iinclude -Ilib -O2
WIN_LIB_SRC := $(sort $(wildcard lib/*.c lib/*/*.c lib/io/win32/*.c))
WIN_LIB_OBJ := $(patsubst %.c,$(W)/%.o,$(WIN_LIB_SRC))
WIN_CLI_OBJ := $(patsubst %.c,$(W)/%.o,$(CLI_SRC))
WIN_LDLIBS  := -static -lshell32 -ladvapi32
WIN_HEADERS := $(wildcard include/bootfix/*.h)

.PHONY: windows deps-windows check-windows
windows: deps-windows $(W)/dist/bin/bootfix.exe $(W)/dist/lib/libbootfix.a \
	$(patsubst include/%,$(W)/dist/include/%,$(WIN_HEADERS))

deps-windows:
	@if command -v $(MINGW)gcc >/dev/null && command -v wine >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing: $(WIN_PACKAGES)"; mkdir -p build; \
	  (apt-get install -y -q $(WIN_PACKAGES) || (apt-get update -q && apt-get install -y -q $(WIN_PACKAGES))) \
	    >build/windows-deps.log 2>&1 || { cat build/windows-deps.log; echo "make deps-windows: apt-get failed"; exit 1; }; \
	else \
	  echo "missing the Windows cross-compiler or Wine; run as root:"; \
	  echo "  apt-get install -y $(WIN_PACKAGES)"; exit 1; \
	fi

$(W)/%.o: %.c
	@mkdir -p $(dir $@)
	$(MINGW)gcc $(WIN_CFLAGS) -MMD -MP -c $< -o $@

$(W)/dist/lib/libbootfix.a: $(WIN_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(MINGW)ar rcs $@ $^

$(W)/dist/bin/bootfix.exe: $(WIN_CLI_OBJ) $(W)/dist/lib/libbootfix.a
	@mkdir -p $(dir $@)
	$(MINGW)gcc -o $@ $(WIN_CLI_OBJ) $(W)/dist/lib/libbootfix.a $(WIN_LDLIBS)

$(W)/dist/include/%.h: include/%.h
	@mkdir -p $(dir $@)
	cp $< $@

# test helpers built for Windows (tests/windows/*.c)
$(W)/tests/%.exe: tests/windows/%.c
	@mkdir -p $(dir $@)
	$(MINGW)gcc $(WIN_CFLAGS) -o $@ $< $(WIN_LDLIBS)

check-windows: windows deps $(BA)/tests/tools/oracle_dump $(B)/bootfix \
	$(patsubst tests/windows/%.c,$(W)/tests/%.exe,$(wildcard tests/windows/*.c))
	@BOOTFIX_EXE=$(CURDIR)/$(W)/dist/bin/bootfix.exe BOOTFIX_SRC=$(CURDIR) BOOTFIX_LINUX=$(CURDIR)/$(B)/bootfix \
	  BOOTFIX_TOOLS=$(CURDIR)/$(BA)/tests/tools BOOTFIX_WIN_TOOLS=$(CURDIR)/$(W)/tests \
	  WINEPREFIX=$(CURDIR)/$(W)/wineprefix sh tests/windows/run.sh

# ---- install ----------------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/bootfix \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3
	install -m 755 $(B)/bootfix $(DESTDIR)$(PREFIX)/bin/bootfix
	install -m 644 $(B)/libbootfix.a $(DESTDIR)$(PREFIX)/lib/libbootfix.a
	install -m 755 $(B)/libbootfix.so $(DESTDIR)$(PREFIX)/lib/libbootfix.so.$(VERSION)
	ln -sf libbootfix.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libbootfix.so.0
	ln -sf libbootfix.so.0 $(DESTDIR)$(PREFIX)/lib/libbootfix.so
	install -m 644 include/bootfix/*.h $(DESTDIR)$(PREFIX)/include/bootfix/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' bootfix.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bootfix.pc
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	for f in man/*.3; do [ -e "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/man/man3/ || true; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/bootfix $(DESTDIR)$(PREFIX)/lib/libbootfix.* \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/bootfix.pc \
	  $(DESTDIR)$(PREFIX)/share/man/man1/bootfix.1 $(DESTDIR)$(PREFIX)/share/man/man3/libbootfix.3
	rm -rf $(DESTDIR)$(PREFIX)/include/bootfix

clean:
	rm -rf build build-deps.log build-fuzz-deps.log testdata/demo

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- fuzzing (fuzz/README.md) -------------------------------------------------------------
#   make fuzz FUZZ_SECONDS=N   libFuzzer targets (clang) into build/fuzz/, N seconds each
#   make check-fuzz-replay     tests/fuzz-regressions/NAME/* through gcc ASan/UBSan replays
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FZ           := build/fuzz
FUZZ_NAMES   := $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_CORPUS  ?= $(CURDIR)/../shared/corpus
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(filter-out -Werror,$(BASE_CFLAGS)) -g -O1
FLIB_OBJ     := $(patsubst %.c,$(FZ)/%.o,$(LIB_SRC))
FUZZ_BINS    := $(addprefix $(FZ)/fuzz_,$(FUZZ_NAMES))
REPLAY_BINS  := $(addprefix $(BA)/fuzz/replay_,$(FUZZ_NAMES))

FUZZ_DEB_PACKAGES := clang libclang-rt-14-dev

.PHONY: fuzz check-fuzz-replay fuzz-build fuzz-deps
# clang and its libFuzzer runtime (Debian 12 package names), like `make deps`
fuzz-deps:
	@if command -v $(FUZZ_CC) >/dev/null && echo 'int LLVMFuzzerTestOneInput(const char*d,long n){(void)d;(void)n;return 0;}' \
	    | $(FUZZ_CC) -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing: $(FUZZ_DEB_PACKAGES)"; \
	  (apt-get install -y -q $(FUZZ_DEB_PACKAGES) || (apt-get update -q && apt-get install -y -q $(FUZZ_DEB_PACKAGES))) \
	    >$(B)-fuzz-deps.log 2>&1 || { cat $(B)-fuzz-deps.log; echo "make fuzz-deps: apt-get failed"; exit 1; }; \
	else \
	  echo "make fuzz needs clang with libFuzzer; run as root: apt-get install -y $(FUZZ_DEB_PACKAGES)"; exit 1; \
	fi
.SECONDARY: $(patsubst %,$(BA)/fuzz/fuzz_%.o,$(FUZZ_NAMES)) $(BA)/fuzz/replay_main.o

$(FZ)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FZ)/libbootfix.a: $(FLIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FZ)/fuzz_%: fuzz/fuzz_%.c $(FZ)/libbootfix.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FZ)/libbootfix.a $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# Seeds for one target (a fresh copy each run, never committed):
# fuzz/seeds/NAME, testdata/, and the shared corpus when present.
define fuzz_seed
	d=$(FZ)/corpus-$(1); rm -rf $$d; mkdir -p $$d; \
	cp fuzz/seeds/$(1)/* $$d/ 2>/dev/null; \
	c="$(FUZZ_CORPUS)"; \
	case $(1) in \
	hive_walk|hive_edit) \
	  [ -d "$$c/hives" ] && find "$$c/hives" -type f -size -1024k ! -name '*.md' ! -name '*.LOG*' \
	    | while read -r f; do cp "$$f" "$$d/$$(echo "$$f" | cksum | cut -d' ' -f1)"; done; \
	  find testdata -type f -size -1024k ! -name '*.reg' ! -name '*.cmd' ! -name '*.txt' 2>/dev/null \
	    | while read -r f; do cp "$$f" "$$d/td-$$(echo "$$f" | cksum | cut -d' ' -f1)"; done ;; \
	logreplay) \
	  [ -d "$$c/hives" ] && find "$$c/hives" -type f -name '*.LOG1' | while read -r l1; do \
	    h=$${l1%.LOG1}; l2=$$h.LOG2; [ -f "$$h" ] || continue; \
	    [ $$(wc -c <"$$h") -lt 1048576 ] || continue; \
	    o="$$d/$$(echo "$$h" | cksum | cut -d' ' -f1)"; \
	    for p in "$$h" "$$l1"; do n=$$(wc -c <"$$p"); \
	      printf "\\$$(printf %03o $$((n & 255)))\\$$(printf %03o $$((n >> 8 & 255)))\\$$(printf %03o $$((n >> 16 & 255)))\\$$(printf %03o $$((n >> 24 & 255)))"; \
	      cat "$$p"; done >"$$o"; \
	    [ -f "$$l2" ] && cat "$$l2" >>"$$o"; \
	  done ;; \
	bcd) \
	  [ -d "$$c/bcd" ] && find "$$c/bcd" -type f -name '*.bin' -size -1024k \
	    | while read -r f; do cp "$$f" "$$d/$$(echo "$$f" | cksum | cut -d' ' -f1)"; done ;; \
	regfile_import) \
	  find testdata -type f -name '*.reg' 2>/dev/null | while read -r f; do cp "$$f" "$$d/"; done ;; \
	esac; true
endef

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@rm -f $(FZ)/summary.txt; st=0; \
	for n in $(FUZZ_NAMES); do \
	  $(call fuzz_seed,$$n); \
	  mkdir -p $(FZ)/artifacts-$$n; \
	  echo "=== fuzz_$$n: $(FUZZ_SECONDS)s, seeds: $$(ls $(FZ)/corpus-$$n | wc -l)"; \
	  ASAN_OPTIONS=detect_leaks=1 $(FZ)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -rss_limit_mb=4096 -timeout=25 -artifact_prefix=$(FZ)/artifacts-$$n/ $(FZ)/corpus-$$n \
	    >$(FZ)/log-$$n.txt 2>&1 || { st=1; echo "fuzz_$$n: CRASH (log: $(FZ)/log-$$n.txt, inputs: $(FZ)/artifacts-$$n/)"; }; \
	  ex=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FZ)/log-$$n.txt | tail -n 1); \
	  echo "fuzz_$$n: $${ex:-?} executions" | tee -a $(FZ)/summary.txt; \
	done; exit $$st

$(BA)/fuzz/replay_%: $(BA)/fuzz/fuzz_%.o $(BA)/fuzz/replay_main.o $(BA)/libbootfix.a
	$(CC) $(SAN) -o $@ $< $(BA)/fuzz/replay_main.o $(BA)/libbootfix.a $(LDLIBS)

check-fuzz-replay: $(REPLAY_BINS)
	@st=0; for n in $(FUZZ_NAMES); do \
	  mkdir -p tests/fuzz-regressions/$$n; \
	  printf 'replay_%s: ' $$n; $(BA)/fuzz/replay_$$n tests/fuzz-regressions/$$n || st=1; \
	done; \
	if [ $$st -ne 0 ]; then echo "make check-fuzz-replay: FAILED"; fi; exit $$st
