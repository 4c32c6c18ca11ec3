# SPDX-License-Identifier: GPL-2.0
# make check, guest side: hand every test suite's KTAP to the host.
#
# From the kernel command line (vmtest.KEY=VALUE, set by host/check.sh):
#   TESTS   comma-separated shell globs over "suite" and "suite.case"
#           names: only matching test cases run (empty: all of them)
#   KUNIT   0: load no KUnit module (no KUnit suite can match TESTS)
#   FULL    1: the long fault campaign (the test programs' own defaults);
#           else the short one set below
. /usr/lib/vmtest/lib.sh
rc=0
T=/usr/lib/vmtest/tests

# The short campaign: every variant, fault and assertion of the long one
# (the programs' own defaults), with less repetition: a quarter of the
# memory moved (16 MB is still 8 batches, 8 THPs and thousands of
# descriptors per move, so that a 1% failure rate hits), two concurrent
# round trips instead of five (the second already moves split mTHPs),
# a quarter of the dmatest iterations, and 5 unload/reload cycles per
# module in migrator_churn instead of 20.  The kernel's migration
# selftest moves for 5 s per case instead of 20 (mm_migration_offload.sh).
# What the user set wins.
if [ "${FULL:-0}" != 1 ]; then
	export FULL=0
	export MIGRATE_VERIFY_MB="${MIGRATE_VERIFY_MB:-16}"
	export MIGRATE_VERIFY_ROUNDS="${MIGRATE_VERIFY_ROUNDS:-2}"
	export DMATEST_ITERATIONS="${DMATEST_ITERATIONS:-100}"
	export CHURN_CYCLES="${CHURN_CYCLES:-5}"
fi
vm_result_line "@@vmtest mode full=$FULL tests=${TESTS:-}"

# The machine first: the tiers the tests rely on, or the run fails.
vm_block topology tiers vm_tiers || rc=1

# The inventory: every test case of every program, before any runs, so
# that the host can name what a run that stops early never reached.
vm_plan "$T"

vm_leaks_baseline

# KUnit suites built into the kernel ran during boot; modular suites run
# when their module loads.  Results stay in debugfs, one KTAP document per
# suite.  kunit.filter_glob, on the command line, applies to both.  swdma
# is loaded first: dma_memcpy_sg_chan runs on the first DMA_MEMCPY_SG
# channel it finds, one of swdma's here.
[ "${KUNIT:-1}" = 0 ] || modprobe swdma || rc=1
[ "${KUNIT:-1}" = 0 ] ||
for ko in $(find /lib/modules/"$(uname -r)" -name '*kunit*.ko' 2>/dev/null); do
	mod=$(basename "$ko" .ko)
	vm_progress "kunit: loading $mod"
	modprobe "$mod" || { echo "modprobe $mod failed" >/dev/console; rc=1; }
done
vm_kunit_blocks || rc=1

# Test programs (kselftest harness, TAP on stdout).
vm_run_programs "$T" || rc=1

# Modules unloaded, kmemleak and DMA-API debugging (guest/lib.sh)
vm_final_blocks || rc=1
exit $rc
