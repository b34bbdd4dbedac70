# gpuwarden — build, test, bench. Every library comes through pkg-config.
VERSION   := 0.1.0
CC        ?= cc
PKG_CONFIG ?= pkg-config

# One build tree per flavour: release (./gpuwarden), asan (tests), tsan (threaded tests),
# fuzz (libFuzzer targets; clang only).
FLAVOUR   ?= release
BUILD     := build/$(FLAVOUR)

ENGINE_PKGS := libcurl libcjson libssh2
UI_PKGS     := ncursesw

WARN      := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror
STD       := -std=c17 -D_POSIX_C_SOURCE=200809L -DGPUWARDEN_VERSION='"$(VERSION)"'
OPT_release := -O2 -g
OPT_asan    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
OPT_tsan    := -O1 -g -fsanitize=thread
OPT_fuzz    := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
               -fno-sanitize-recover=all
OPT       := $(OPT_$(FLAVOUR))
# libFuzzer is clang's: the fuzz flavour builds with FUZZ_CC, whatever CC the environment sets.
FUZZ_CC   ?= clang
ifeq ($(FLAVOUR),fuzz)
CC := $(FUZZ_CC)
endif

PKG_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(ENGINE_PKGS) 2>/dev/null)
PKG_LIBS    = $(shell $(PKG_CONFIG) --libs $(ENGINE_PKGS) $(UI_PKGS) 2>/dev/null)
UI_CFLAGS   = $(shell $(PKG_CONFIG) --cflags $(UI_PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

CFLAGS    ?=
# Quiet by default; `make V=1` shows the commands.
Q := $(if $(V),,@)
CFLAGS_ALL = $(STD) $(WARN) $(OPT) -Isrc -MMD -MP $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm

ENGINE_SRC := $(wildcard src/*.c)
UI_SRC     := $(wildcard ui/*.c)
ASSETS     := $(sort $(wildcard assets/*.tsv assets/*.json assets/recipes/* assets/demo/*))
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/assets.o
UI_OBJ     := $(UI_SRC:%.c=$(BUILD)/%.o)
UI_LIB     := $(BUILD)/libgpuwarden_ui.a
LIB        := $(BUILD)/libgpuwarden.a
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_SRC  := $(wildcard bench/*.c)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC   := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN   := $(FUZZ_SRC:fuzz/%.c=$(BUILD)/bin/%)
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 5

PREFIX    ?= /usr/local
DESTDIR   ?=
# Translations (gettext): po/<lang>.po -> build/locale/<lang>/LC_MESSAGES/gpuwarden.mo, which a
# binary run from the source tree finds (src/i18n.h has the search order); installed under
# $(PREFIX)/share/locale. `make pot` re-extracts po/gpuwarden.pot from the sources.
LINGUAS   := $(patsubst po/%.po,%,$(wildcard po/*.po))
MO        := $(LINGUAS:%=build/locale/%/LC_MESSAGES/gpuwarden.mo)
POT_SRC   := $(sort $(wildcard src/*.c ui/*.c))
INSTALLED := $(DESTDIR)$(PREFIX)/bin/gpuwarden $(DESTDIR)$(PREFIX)/share/man/man1/gpuwarden.1 \
             $(DESTDIR)$(PREFIX)/share/bash-completion/completions/gpuwarden \
             $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_gpuwarden \
             $(LINGUAS:%=$(DESTDIR)$(PREFIX)/share/locale/%/LC_MESSAGES/gpuwarden.mo)

.PHONY: install uninstall
.PHONY: all deps deps-test deps-fuzz demo test unit integration tsan bench fuzz fuzz-bins \
        fuzz-regress format lint clean pot locale
.DEFAULT_GOAL := all

all: gpuwarden locale

locale: $(MO)

build/locale/%/LC_MESSAGES/gpuwarden.mo: po/%.po
	@mkdir -p $(dir $@)
	$(Q)msgfmt --check -o $@ $<

pot:
	xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --add-comments=TRANSLATORS: \
	    --package-name=gpuwarden --package-version=$(VERSION) --sort-by-file \
	    -o po/gpuwarden.pot $(POT_SRC)

# The root binary is the release flavour; other flavours build under build/<flavour>/.
ifeq ($(FLAVOUR),release)
gpuwarden: $(BUILD)/gpuwarden
	cp $< $@
endif

$(BUILD)/gpuwarden: $(UI_OBJ) $(LIB)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(OPT) -o $@ $^ $(LDLIBS_ALL)

# The dashboard without main(), for the frame benchmark.
$(UI_LIB): $(filter-out $(BUILD)/ui/main.o,$(UI_OBJ))
	@rm -f $@
	$(Q)ar rcs $@ $^

$(LIB): $(ENGINE_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(DEFS) -c -o $@ $<

# the last place i18n looks for catalogues: where `make install` puts them
$(BUILD)/src/i18n.o: DEFS := -DGPUWARDEN_LOCALEDIR='"$(PREFIX)/share/locale"'

$(BUILD)/ui/%.o: ui/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(UI_CFLAGS) -c -o $@ $<

build/embed: tools/embed.c
	@mkdir -p build
	$(CC) -std=c17 -O1 $(WARN) -o $@ $<

$(BUILD)/gen/assets.c: build/embed $(ASSETS)
	@mkdir -p $(dir $@)
	build/embed $@ $(ASSETS)

$(BUILD)/gen/assets.o: $(BUILD)/gen/assets.c
	$(CC) $(STD) $(OPT) -Isrc -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $<")
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(LIB) $(CMOCKA_LIBS) $(LDLIBS_ALL)

$(BUILD)/bench/%: bench/%.c $(LIB) $(UI_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCH   $<")
	$(Q)$(CC) $(CFLAGS_ALL) $(UI_CFLAGS) -Iui -Ibench -o $@ $< $(UI_LIB) $(LIB) $(LDLIBS_ALL)

# libFuzzer targets link the fuzz flavour's engine with the fuzzer runtime's main().
$(BUILD)/bin/%: fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $<")
	$(Q)$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB) $(LDLIBS_ALL)

# --- set-up -----------------------------------------------------------------------------
deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

deps-fuzz:
	@sh scripts/deps.sh fuzz

# --- the README's two commands ------------------------------------------------------------
demo: deps
	@$(MAKE) --no-print-directory all
	./gpuwarden --provider demo

# The threaded unit tests also run under ThreadSanitizer.
THREADED_TESTS := test_events test_refresh test_metawork test_job test_provider test_gate

# Every fuzz target also runs, briefly (FUZZ_SECONDS each, default 5 here; `make fuzz` runs 60),
# and every saved crasher once.
test: deps-test deps-fuzz
	@$(MAKE) --no-print-directory FLAVOUR=asan unit-bins asan-binary
	@$(MAKE) --no-print-directory FLAVOUR=tsan $(THREADED_TESTS:%=build/tsan/tests/%)
	@$(MAKE) --no-print-directory FLAVOUR=fuzz fuzz-bins
	@$(MAKE) --no-print-directory all
	@FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) sh tests/run.sh

unit-bins: $(UNIT_BIN)
asan-binary: $(BUILD)/gpuwarden $(MO)

tsan: deps-test
	@$(MAKE) --no-print-directory FLAVOUR=tsan unit-bins
	@for t in build/tsan/tests/test_*; do case $$t in *.d) ;; *) $$t || exit 1;; esac; done

bench: deps
	@$(MAKE) --no-print-directory FLAVOUR=release all bench-bins
	@sh bench/run.sh

bench-bins: $(BENCH_BIN)

# Not part of `make test`: each target runs FUZZ_SECONDS on a temp copy of tests/fuzz/<target>/.
fuzz: deps-fuzz
	@$(MAKE) --no-print-directory FLAVOUR=fuzz fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh fuzz

# Every saved crasher under tests/fuzz/regressions/<target>/, once through its target.
fuzz-regress: deps-fuzz
	@$(MAKE) --no-print-directory FLAVOUR=fuzz fuzz-bins
	@sh tests/fuzz/run.sh regress

fuzz-bins: $(FUZZ_BIN)

# --- install: the binary carries its assets (GPU table, cases, recipes, demo) inside ----------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 gpuwarden $(DESTDIR)$(PREFIX)/bin/gpuwarden
	install -m 0644 gpuwarden.1 $(DESTDIR)$(PREFIX)/share/man/man1/gpuwarden.1
	install -m 0644 completions/gpuwarden.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/gpuwarden
	install -m 0644 completions/_gpuwarden $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_gpuwarden
	for l in $(LINGUAS); do \
	    install -d $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES && \
	    install -m 0644 build/locale/$$l/LC_MESSAGES/gpuwarden.mo \
	        $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES/gpuwarden.mo || exit 1; \
	done

uninstall:
	rm -f $(INSTALLED)

# --- hygiene -----------------------------------------------------------------------------
format:
	clang-format -i src/*.c src/*.h $(wildcard ui/*.c ui/*.h) tests/unit/*.c bench/*.c tools/*.c \
	    $(wildcard fuzz/*.c fuzz/*.h)

# clang-tidy (checks in .clang-tidy) runs one process per file, $(NPROC) at a time, and shows a
# file's findings only when it has some; any finding fails the target, as does cppcheck's.
CLANG_TIDY ?= clang-tidy
NPROC      ?= $(shell nproc 2>/dev/null || echo 2)
TIDY_FLAGS  = $(STD) -Isrc -Iui $(shell $(PKG_CONFIG) --cflags $(ENGINE_PKGS) $(UI_PKGS))

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 -j $(NPROC) \
	    --suppress=missingIncludeSystem -Isrc $(shell $(PKG_CONFIG) --cflags-only-I libcjson) src ui
	@printf '%s\n' $(ENGINE_SRC) $(UI_SRC) | xargs -P $(NPROC) -I{} \
	    sh -c 'out=$$("$$@" 2>&1) || { printf "%s\n" "$$out"; exit 1; }' lint \
	    $(CLANG_TIDY) --quiet --warnings-as-errors='*' {} -- $(TIDY_FLAGS)

clean:
	rm -rf build gpuwarden

-include $(shell find build -name '*.d' 2>/dev/null)
