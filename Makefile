# sluice -- plain Makefile with pkg-config.
#
#   make            build $(BUILD)/sluice (ASan+UBSan, -Werror: the dev and CI build)
#   make test       install missing dependencies, build, run every test
#   make unit       unit tests and fuzz-corpus replays only (seconds)
#   make demo       PostgreSQL -> sluice on a throwaway database
#   make release    optimised build in build-rel/ (used by make bench)
#   make bench      benchmarks in bench/ (figures go to bench/README.md)
#   make fuzz       libFuzzer binaries in build-fuzz/ (clang)
#   make tsan       unit tests under ThreadSanitizer in build-tsan/ (make test runs it)
#
# Sources are found by folder, so a new file in src/<subsystem>/ needs no
# Makefile edit.  Unit tests are tests/unit/<subsystem>/test_*.c, one binary
# each; fuzz targets are tests/fuzz/fuzz_*.c.

BUILD ?= build
SAN ?= 1
CC ?= cc

PKGS := libpq rdkafka libcurl libcrypto libzstd zlib snappy libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wno-format-nonliteral
CFLAGS := -std=c11 -D_GNU_SOURCE -g $(WARN) -Isrc $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS := $(PKG_LIBS) -lpthread -lm

ifeq ($(SAN),1)
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else ifeq ($(SAN),thread)
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=thread
LDFLAGS += -fsanitize=thread
else
CFLAGS += -O2
endif

SRCS := $(shell find src -name '*.c' ! -path src/main.c | sort)
OBJS := $(SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libsluice.a
BIN := $(BUILD)/sluice

UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' | sort)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
TOOL_SRCS := $(sort $(wildcard tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tools/%.c=$(BUILD)/tools/%)

.PHONY: all deps test unit integration demo release bench fuzz clean docs tsan

all: $(BIN) $(TOOL_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB) tests/lib/test.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -DSL_SRC_ROOT='"$(CURDIR)"' -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< tests/fuzz/replay_main.c $(LIB) $(LDFLAGS) $(LDLIBS)

$(BUILD)/tools/%: tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDFLAGS) $(LDLIBS)

deps:
	@scripts/deps.sh

# Everything a test run needs, built once.
build-tests: $(BIN) $(TOOL_BINS) $(UNIT_BINS) $(FUZZ_REPLAY)
.PHONY: build-tests

# The release build (make demo's) is compiled too: -O2 finds warnings,
# such as possibly uninitialised values, that the sanitizer build does not.
test: deps
	@$(MAKE) --no-print-directory build-tests
	@$(MAKE) --no-print-directory release
	@$(MAKE) --no-print-directory BUILD=build-tsan SAN=thread $(UNIT_BINS:$(BUILD)/%=build-tsan/%)
	@BUILD=$(BUILD) TSAN_BUILD=build-tsan tests/run.sh all

# The unit tests again under ThreadSanitizer: the ack tracker, the spool,
# the sinks' writer threads and the obs server are multi-threaded.
tsan:
	@$(MAKE) --no-print-directory BUILD=build-tsan SAN=thread $(UNIT_BINS:$(BUILD)/%=build-tsan/%)
	@BUILD=build-tsan tests/run.sh unit

unit:
	@$(MAKE) --no-print-directory build-tests
	@BUILD=$(BUILD) tests/run.sh unit

integration:
	@$(MAKE) --no-print-directory build-tests
	@BUILD=$(BUILD) tests/run.sh integration

demo: deps
	@$(MAKE) --no-print-directory BUILD=build-rel SAN=0 all
	@BUILD=build-rel scripts/demo.sh

release:
	@$(MAKE) --no-print-directory BUILD=build-rel SAN=0 all

bench: deps release
	@BUILD=build-rel bench/run.sh

# clang's -Wextra also flags positional struct initializers that leave
# trailing fields to zero (the metric table's optional `doc`); gcc does not.
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz SAN=0 CC=clang \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -Wno-missing-field-initializers" \
		build-fuzz-bins

FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
build-fuzz-bins: $(FUZZ_BINS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -Itests -o $@ $< $(LIB) $(LDLIBS)

clean:
	rm -rf build build-rel build-fuzz build-tsan

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# make image: the container image (deploy/Dockerfile), where a container engine exists.
-include deploy/image.mk
