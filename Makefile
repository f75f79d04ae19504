# SPDX-License-Identifier: GPL-2.0
#
# spdm-tsm top-level build.  Everything runs inside the cached Debian trixie
# rootfs (scripts/env-run, created on first use) unless SPDM_TSM_NATIVE=1.
#
#   make            build the module (kmod/) and userspace (user/, tests/)
#   make check      run every test suite: unit, fuzz, kernel style, VM scenarios
#   make fuzz-long  every fuzz harness for SPDM_TSM_FUZZ_LONG_SECONDS (default 600)
#                   from the corpus kept in $SPDM_TSM_CACHE/fuzz-corpus; prints
#                   executions, exec/s, coverage, corpus size and findings
#   make bench      one VM run with 18 devices: a table of DOE exchanges, wall
#                   time, kernel CPU (verify/hash/rest), evidence bytes, the DOE
#                   floor, reset latency and 1/4/16 devices after a resume, and
#                   build/bench.json (run make first; not a test)
#   make check-debug the VM scenarios under the debug kernel (KASAN, lockdep,
#                   kmemleak), plus the lane's own selftest (tests/vm/debug-lane-selftest)
#   make demo       boot a VM with an SPDM device and show what the module sees
#   make install    install the module, dkms.conf, tsmctl, udev rules, the agent's
#                   systemd unit and example configuration (DESTDIR=)
#   make clean

SHELL := /bin/bash
ENV := scripts/env-run
BUILD ?= build
JOBS ?= $(shell nproc)
export SPDM_TSM_BUILD := $(abspath $(BUILD))

.PHONY: all module user fuzz fuzz-long bench check check-unit check-fuzz check-style check-vm check-debug debug-kernel demo install clean env kconfig-check

all: module user

env:
	@scripts/bootstrap-env

module: env kconfig-check
	@echo "== building spdm_tsm.ko"
	@$(ENV) scripts/kver-run $(MAKE) -C kmod --no-print-directory

kconfig-check:
	@scripts/check-kconfig

user: env
	@echo "== building userspace (cmake, $(BUILD)/user)"
	@$(ENV) cmake -S user -B $(BUILD)/user -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@$(ENV) cmake --build $(BUILD)/user -j$(JOBS)
	@$(ENV) tests/vm/make-testdata $(BUILD)

fuzz: env
	@echo "== building fuzz harnesses (clang, ASan+UBSan, $(BUILD)/fuzz)"
	@if [ -f tests/fuzz/CMakeLists.txt ]; then \
		$(ENV) env CC=clang CXX=clang++ cmake -S user -B $(BUILD)/fuzz -DSPDM_TSM_FUZZ=ON -DSPDM_TSM_TESTS=OFF >/dev/null && \
		$(ENV) cmake --build $(BUILD)/fuzz -j$(JOBS) --target fuzzers; fi

# one harness per core at a time, so each gets its time on a core of its own
fuzz-long: fuzz
	@scripts/fuzz-run --seconds $${SPDM_TSM_FUZZ_LONG_SECONDS:-600} --jobs $(JOBS)

check: all fuzz
	@tests/run-all

# not part of check: it measures, asserts nothing (scripts/bench)
bench:
	@scripts/bench

check-unit check-fuzz check-style check-vm: all fuzz
	@tests/run-all --only $(patsubst check-%,%,$@)

# The debug kernel is built once and cached ($SPDM_TSM_CACHE/debug-kernel-*);
# vm-run --debug-kernel builds the module against it ($(BUILD)/kmod-debug-kernel-*).
debug-kernel: env
	@echo "== debug kernel (scripts/build-debug-kernel, cached)"
	@scripts/build-debug-kernel

check-debug: all debug-kernel
	@mkdir -p $(BUILD)
	@tests/run-all --only vm --debug-kernel 2>&1 | tee $(BUILD)/check-debug-vm.log; \
	echo; echo "== debug lane selftest (tests/vm/debug-lane-selftest)"; \
	tests/vm/debug-lane-selftest 2>&1 | tee $(BUILD)/check-debug-selftest.log; \
	p=0; f=0; k=0; \
	for l in $(BUILD)/check-debug-vm.log $(BUILD)/check-debug-selftest.log; do \
		k=$$((k + $$(sed -n 's/^[0-9]* passed, [0-9]* failed, \([0-9]*\) skipped$$/\1/p' $$l | tail -n1 | grep . || echo 0))); \
		s=$$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed\(, [0-9]* skipped\)\{0,1\}$$/\1 \2/p' $$l | tail -n1); \
		if [ -z "$$s" ]; then f=$$((f + 1)); echo "no summary in $$l: counted as one failure"; \
		else p=$$((p + $${s% *})); f=$$((f + $${s#* })); fi; \
	done; \
	echo; echo "check-debug: $$p passed, $$f failed, $$k skipped"; [ $$f = 0 ] && [ $$p -gt 0 ]

demo: all
	@scripts/vm-run --devsim "--identity $(abspath $(BUILD))/testdata/ecdsa-p384" -- sh /tests/vm/demo.sh

install:
	@scripts/install "$(DESTDIR)"

clean:
	@$(ENV) $(MAKE) -C kmod clean --no-print-directory >/dev/null 2>&1 || true
	rm -rf $(BUILD)
