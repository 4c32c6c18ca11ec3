# SPDX-License-Identifier: GPL-2.0
# Page-migration copy offload for Linux 6.12: entry points.
#
#   make check   build, boot the two-node VM, run every test suite
#   make bench   build, boot, run the benchmarks, print tables
#   make shell   boot the same VM with a shell on its console
#   make kernel  only (re)build the kernel
#   make clean   remove build/ (the extracted kernel source included)
#
# Each target installs the Debian packages it needs (as root).

SHELL := /bin/bash

.PHONY: check bench shell kernel initramfs clean series series-check lint

check:
	@host/check.sh

bench:
	@host/bench.sh

shell: initramfs
	@host/vm.sh shell

kernel:
	@host/build-kernel.sh

initramfs: kernel
	@host/initramfs.sh

clean:
	if [ -d build/pristine ]; then chmod -R u+w build/pristine; fi
	rm -rf build results out

series:
	@host/series.sh

series-check: series
	@host/series-check.sh

lint: series
	@host/lint.sh
