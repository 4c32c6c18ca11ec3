#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check for one VM (host/check.sh runs it for each): build, boot,
# run every test suite of that VM, summarize.  GUEST_ARCH (lib.sh) says
# which: x86_64, the two-node PC with its slow node and swdma, or arm64,
# QEMU's xlnx-versal-virt and its ZynqMP DMA channels.
#
#   TESTS=PATTERN   run only the suites and cases matching: comma-separated
#                   shell globs over "suite" and "suite.case" names, e.g.
#                   TESTS='kunit.swdma' or TESTS='migrate_verify.*dcbm*'
#                   (host/testsel.py; the summary says it was filtered)
#   FULL=1          the long fault campaign: the test programs' own
#                   sizes and rounds (about 50 GiB moved and verified)
#
# Test sizes, from the environment (defaults in the guest programs, or
# guest/check.sh's short campaign):
#   DMATEST_ITERATIONS     dmatest iterations per thread
#   MIGRATE_VERIFY_MB      MB moved by migrate_verify
#   MIGRATE_VERIFY_ROUNDS  round trips of its concurrent cases
#   CHURN_MB, CHURN_CYCLES, CHURN_OPS, CHURN_FAULT_MOVES
#                          migrator_churn: MB moved, unload/reload cycles,
#                          parameter changes, moves under each fault
#   STORM_SECS             migration_storm: seconds of each storm (20;
#                          FULL=1: 120)
#   STRESS_NG_SECS         stress_ng_numa: seconds of each stress-ng run
#                          (5; FULL=1: 60)
#
# It builds and boots its own kernel, with debug.config (KASAN, KFENCE,
# lockdep, kmemleak, fault injection...; see lib.sh).  The summary goes to
# $ABUILD/vm/check/summary.txt.
export KVARIANT=check
. "$(dirname "$0")/lib.sh"

TESTS=${TESTS:-}
err=$(python3 "$TOP/host/testsel.py" check "$TESTS" 2>&1) || die "$err"
case ${FULL:=0} in
0 | 1) ;;
*) die "FULL must be 0 or 1, not '$FULL'" ;;
esac
# What KUnit runs: its suites are built in (they run at boot) or modules
# (the guest loads them), and kunit.filter_glob applies to both.
kunit=$(python3 "$TOP/host/testsel.py" kunit "$TESTS")
KUNIT=1
case $kunit in
all) ;;
none) KUNIT=0 VM_KERNEL_ARGS="${VM_KERNEL_ARGS:-} kunit.filter_glob=vmtest-none" ;;
*) VM_KERNEL_ARGS="${VM_KERNEL_ARGS:-} kunit.filter_glob=$kunit" ;;
esac
export VM_KERNEL_ARGS
# About three times what the campaign takes in the VM here (11 minutes
# short, 44 long; the arm64 VM's under 4): a machine several times slower
# fails with a summary that names what was running and what never ran,
# inside a CI job's limit.
if [ "$GUEST_ARCH" = arm64 ]; then
	export VM_TIMEOUT=${VM_TIMEOUT:-900}
elif [ "$FULL" = 1 ]; then
	export VM_TIMEOUT=${VM_TIMEOUT:-8100}
else
	export VM_TIMEOUT=${VM_TIMEOUT:-1800}
fi

start=$SECONDS
"$TOP/host/deps.sh" build vm
"$TOP/host/build-kernel.sh"
"$TOP/host/initramfs.sh"

# Only what the user set is passed on.
guest_env TESTS FULL KUNIT DMATEST_ITERATIONS MIGRATE_VERIFY_MB \
	MIGRATE_VERIFY_ROUNDS CHURN_MB CHURN_CYCLES CHURN_OPS CHURN_FAULT_MOVES \
	STORM_SECS STRESS_NG_SECS ZDMA_MIGRATE_MB
[ -z "$TESTS" ] || info "only the tests matching TESTS='$TESTS'"
[ "$FULL" = 0 ] || info "the long fault campaign (FULL=1)"

vm_rc=0
"$TOP/host/vm.sh" check "${GUEST_ENV[@]}" || vm_rc=$?
[ $vm_rc -le 2 ] || vm_rc=2

# The second boot (about 30 s): the built-in test migrator enabled on the
# kernel command line, as a distribution would enable a built-in
# migrator, with guest/boot/'s programs checking that it registered.
# KUnit stays off: its registry tests register migrators of their own.
# Its results and console join the first boot's, for one summary.
CHECK_RUN=$ABUILD/vm/check
BOOT_RUN=$ABUILD/vm/builtin
if [ "$GUEST_ARCH" = x86_64 ] &&
	python3 "$TOP/host/testsel.py" suite "$TESTS" boot_builtin &&
	[ -s "$CHECK_RUN/results.txt" ]; then
	boot_rc=0
	VM_KERNEL_ARGS="${VM_KERNEL_ARGS:+${VM_KERNEL_ARGS%% kunit.filter_glob=*}} kunit.enable=0 test_migrator.offloading=1 test_migrator.reason_mask=syscall_or_cpuset" \
		"$TOP/host/vm.sh" builtin "${GUEST_ENV[@]}" || boot_rc=$?
	grep -v -e '^@@vmtest mode ' -e '^@@vmtest done ' \
		"$BOOT_RUN/results.txt" >>"$CHECK_RUN/results.txt" || true
	{
		echo "==== second boot: built-in test migrator ===="
		cat "$BOOT_RUN/console.log"
	} >>"$CHECK_RUN/console.log"
	if [ $boot_rc -ge 2 ] && [ $vm_rc -lt 2 ]; then
		vm_rc=2
		echo "second boot (built-in migrator): $(cat "$BOOT_RUN/status")" \
			>"$CHECK_RUN/status"
	fi
fi

# The fault campaign's account comes from these programs of each VM.
case $GUEST_ARCH in
x86_64) campaign=migrate_verify,migrator_churn ;;
arm64) campaign=zdma_dcbm ;;
esac
rc=0
step "The $GUEST_ARCH VM's results"
python3 "$TOP/host/summarize.py" --run "$CHECK_RUN" \
	--kunit-py "$KTREE/tools/testing/kunit/kunit.py" --vm-status "$vm_rc" \
	--tests "$TESTS" --kunit "$kunit" --campaign-suites "$campaign" || rc=$?
info "the $GUEST_ARCH part of make check took $((SECONDS - start)) s; logs in $CHECK_RUN/"
exit $rc
