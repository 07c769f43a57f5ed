# ksim: the two commands that matter are `make run` and `make test`.
#
#   make run    install what is missing, build, run `ksim up` in the
#               foreground (ARGS="--port 7443 -v 1" passes extra flags)
#   make test   install what is missing, build, run every test (ctest)
#   make build  install what is missing and build
#   make deps   install what is missing (scripts/install-deps.sh)
#   make clean  remove the build directory

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= 2
ARGS       ?=

.PHONY: all run test build deps clean

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j$(JOBS)

# exec: ksim replaces the shell, so Ctrl-C and SIGTERM reach it directly.
run: build
	exec ./$(BUILD_DIR)/ksim up $(ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure

clean:
	rm -rf $(BUILD_DIR)
