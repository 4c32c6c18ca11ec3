#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: build, boot, run every test suite in the VM, summarize.
#
# Test sizes, from the environment (defaults in the guest programs):
#   DMATEST_ITERATIONS     dmatest iterations per thread
#   MIGRATE_VERIFY_MB      MB moved by migrate_verify
#   MIGRATE_VERIFY_ROUNDS  round trips of its concurrent cases
#   CHURN_MB, CHURN_CYCLES, CHURN_OPS, CHURN_FAULT_MOVES
#                          migrator_churn: MB moved, unload/reload cycles,
#                          parameter changes, moves under each fault
#
# It builds and boots its own kernel, with debug.config (KASAN, KFENCE,
# lockdep, kmemleak, fault injection...; see lib.sh).
export KVARIANT=check
. "$(dirname "$0")/lib.sh"

start=$SECONDS
"$TOP/host/deps.sh" build vm
"$TOP/host/build-kernel.sh"
"$TOP/host/initramfs.sh"

# Only what the user set is passed on.
guest_env DMATEST_ITERATIONS MIGRATE_VERIFY_MB MIGRATE_VERIFY_ROUNDS \
	CHURN_MB CHURN_CYCLES CHURN_OPS CHURN_FAULT_MOVES

vm_rc=0
"$TOP/host/vm.sh" check "${GUEST_ENV[@]}" || vm_rc=$?
[ $vm_rc -le 2 ] || vm_rc=2

rc=0
python3 "$TOP/host/summarize.py" --run "$BUILD/vm/check" \
	--kunit-py "$KTREE/tools/testing/kunit/kunit.py" --vm-status "$vm_rc" || rc=$?
info "make check took $((SECONDS - start)) s; logs in $BUILD/vm/check/"
exit $rc
