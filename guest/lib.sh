# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest scripts: the result channel protocol.
#
# Every line for the host goes to /dev/ttyS1 (falls back to stdout):
#   @@vmtest progress TEXT           shown to the user while the VM runs
#   @@vmtest begin KIND NAME         KIND is ktap or bench
#   ... the block's lines ...
#   @@vmtest end KIND NAME rc=N secs=N
#   @@vmtest done rc=N               the guest finished

VM_OUT=/dev/ttyS1
[ -c "$VM_OUT" ] || VM_OUT=/dev/stdout

vm_result_line() { echo "$*" >>"$VM_OUT"; }
vm_progress() { vm_result_line "@@vmtest progress $*"; echo "vmtest: $*" >/dev/console; }

# vm_block KIND NAME CMD...: run CMD, its output becomes the block.
vm_block() {
	local kind=$1 name=$2 rc=0 start
	shift 2
	start=$(cut -d. -f1 /proc/uptime)
	vm_result_line "@@vmtest begin $kind $name"
	# Streamed, so that a guest that dies mid-way still shows how far it
	# got.  A ktap block takes stderr too: kselftest_harness.h's TH_LOG()
	# and failed assertions say there, as "# " diagnostic lines, why a
	# test failed, and the summary quotes them.  Other kinds are parsed
	# by the host, and their stderr goes to the console log.
	if [ "$kind" = ktap ]; then
		"$@" >>"$VM_OUT" 2>&1 || rc=$?
	else
		"$@" >>"$VM_OUT" 2>/dev/console || rc=$?
	fi
	vm_result_line "@@vmtest end $kind $name rc=$rc secs=$(($(cut -d. -f1 /proc/uptime) - start))"
	return $rc
}
