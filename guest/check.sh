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
KMEMLEAK=/sys/kernel/debug/kmemleak
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

# Leaks are judged on what the tests do: whatever boot left unreferenced
# is reported once and set aside.
if [ -w $KMEMLEAK ]; then
	echo scan >$KMEMLEAK && echo clear >$KMEMLEAK
fi

# KUnit suites built into the kernel ran during boot; modular suites run
# when their module loads.  Results stay in debugfs, one KTAP document per
# suite.
# kunit.filter_glob, on the command line, applies to both.
[ "${KUNIT:-1}" = 0 ] ||
for ko in $(find /lib/modules/"$(uname -r)" -name '*kunit*.ko' 2>/dev/null); do
	mod=$(basename "$ko" .ko)
	vm_progress "kunit: loading $mod"
	modprobe "$mod" || { echo "modprobe $mod failed" >/dev/console; rc=1; }
done
if [ -d /sys/kernel/debug/kunit ]; then
	for suite in /sys/kernel/debug/kunit/*/; do
		name=$(basename "$suite")
		[ -r "$suite/results" ] || continue
		vm_progress "kunit: $name"
		vm_block ktap "kunit.$name" cat "$suite/results" || rc=1
	done
else
	echo "no /sys/kernel/debug/kunit" >/dev/console
	rc=1
fi

# Test programs (kselftest harness, TAP on stdout).
vm_run_programs "$T" || rc=1

# Unload every module, so that what a module leaks at unload is seen,
# and DMA-API debugging checks that swdma's device has no mapping left.
vm_progress "unloading the modules"
unload_modules() {
	local left=1 before
	while [ "$left" -gt 0 ]; do
		before=$left
		for m in $(cut -d' ' -f1 /proc/modules); do
			rmmod "$m" 2>/dev/null
		done
		left=$(wc -l </proc/modules)
		[ "$left" -lt "$before" ] || break
	done
	[ "$left" -eq 0 ] || { echo "modules left loaded:"; cat /proc/modules; }
}
vm_block modules unload unload_modules || rc=1

# The debug kernel's last word: kmemleak reports objects unreferenced for
# 5 s, so wait, scan twice (what a scan frees can make a second one find
# more) and hand over what it found; DMA-API debugging must still be on
# (it turns itself off when it runs out of memory) and have no error.
# Any line of this block fails the run.
debug_report() {
	local d=/sys/kernel/debug/dma-api
	[ -w $KMEMLEAK ] || { echo "no $KMEMLEAK: not the debug kernel"; return 1; }
	sleep 6
	echo scan >$KMEMLEAK && sleep 1 && echo scan >$KMEMLEAK || return 1
	cat $KMEMLEAK
	[ -r $d/disabled ] || { echo "no $d: not the debug kernel"; return 1; }
	[ "$(cat $d/disabled)" = N ] || echo "DMA-API debugging turned itself off"
	[ "$(cat $d/error_count)" = 0 ] ||
		echo "DMA-API debugging found $(cat $d/error_count) error(s)"
}
vm_progress "kmemleak scan, DMA-API state"
vm_block debug final debug_report || rc=1
exit $rc
