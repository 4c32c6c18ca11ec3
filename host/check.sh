#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: build, boot, run every test suite in the VM, summarize.
. "$(dirname "$0")/lib.sh"

start=$SECONDS
"$TOP/host/deps.sh" build vm
"$TOP/host/build-kernel.sh"
"$TOP/host/initramfs.sh"

vm_rc=0
"$TOP/host/vm.sh" check || vm_rc=$?
[ $vm_rc -le 2 ] || vm_rc=2

rc=0
python3 "$TOP/host/summarize.py" --run "$BUILD/vm/check" \
	--kunit-py "$KTREE/tools/testing/kunit/kunit.py" --vm-status "$vm_rc" || rc=$?
info "make check took $((SECONDS - start)) s; logs in $BUILD/vm/check/"
exit $rc
