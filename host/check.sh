#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every VM's test suites (host/check-vm.sh, once per VM), then
# one line for the whole run.
#
#   VM_ARCHES="x86_64 arm64"   the VMs, in order (default: both).  x86_64
#                   is the two-node PC with its CPU-less slow node and
#                   swdma: every test suite; arm64 is QEMU's
#                   xlnx-versal-virt, whose ZynqMP DMA (ZDMA) channels
#                   are a model of DMA hardware: dmatest, the
#                   DMA_MEMCPY_SG KUnit client suite and dcbm on them.
#   TESTS=PATTERN, FULL=1 and the test sizes: see host/check-vm.sh.  A VM
#                   none of whose suites TESTS can select is not booted.
#
# Exit status: 0 when every VM's run passed.
. "$(dirname "$0")/lib.sh"

VM_ARCHES=${VM_ARCHES:-x86_64 arm64}
for arch in $VM_ARCHES; do
	case $arch in
	x86_64 | arm64) ;;
	*) die "VM_ARCHES: '$arch' is not a VM (x86_64 or arm64)" ;;
	esac
done
TESTS=${TESTS:-}
err=$(python3 "$TOP/host/testsel.py" check "$TESTS" 2>&1) || die "$err"

# Whether TESTS may select a suite of the VM (the arm64 VM's programs are
# named zdma_*; KUnit runs in both).
may_run() {
	local s suites
	case $1 in
	x86_64) return 0 ;;
	arm64) suites="zdma_dmatest zdma_dcbm kunit" ;;
	esac
	for s in $suites; do
		python3 "$TOP/host/testsel.py" suite "$TESTS" "$s" && return 0
	done
	return 1
}

start=$SECONDS
rc=0
lines=()
for arch in $VM_ARCHES; do
	if ! may_run "$arch"; then
		info "TESTS='$TESTS' selects nothing of the $arch VM: not booted"
		continue
	fi
	step "make check: the $arch VM"
	summary=$(arch_build_dir "$arch")/vm/check/summary.txt
	rm -f "$summary"
	arch_rc=0
	GUEST_ARCH=$arch "$TOP/host/check-vm.sh" || arch_rc=$?
	[ $arch_rc = 0 ] || rc=1
	if [ -s "$summary" ]; then
		lines+=("$arch: $(cat "$summary")")
	else
		lines+=("$arch: 0 passed, 1 failed, 0 skipped (no summary: status $arch_rc)")
	fi
done

step "make check: $((SECONDS - start)) s"
for l in "${lines[@]}"; do
	info "$l"
done
# One line for the whole run: the counts of every VM added up.
total=$(printf '%s\n' "${lines[@]}" | awk '
	{ for (i = 2; i < NF; i++) if ($(i + 1) ~ /^(passed|failed|skipped|not)/) n[$(i + 1)] += $i }
	END { printf "%d passed, %d failed, %d skipped", n["passed,"] + n["passed"], n["failed,"] + n["failed"], n["skipped,"] + n["skipped"] + 0
	      if (n["not"]) printf ", %d not run", n["not"] }')
# A filtered run must not pass for a full one, here either.
[ -z "$TESTS" ] || total="$total (filtered: TESTS=$TESTS)"
echo
echo "$total"
exit $rc
