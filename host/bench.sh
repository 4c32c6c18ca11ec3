#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: build, boot, run the guest benchmarks, print the tables and
# keep them in results/ (Markdown and CSV).
#
# Sizes and repetitions, from the environment (defaults in guest/bench.sh):
#   BENCH_RUNS       runs per cell
#   BENCH_MEMCPY_MB  MB copied per thread per run
#   BENCH_MOVE_MB    MB moved per move_pages run
. "$(dirname "$0")/lib.sh"

"$TOP/host/deps.sh" build vm
"$TOP/host/build-kernel.sh"
"$TOP/host/initramfs.sh"

# Only what the user set is passed on; the defaults live in guest/bench.sh.
guest_env BENCH_RUNS BENCH_MEMCPY_MB BENCH_MOVE_MB

vm_rc=0
"$TOP/host/vm.sh" bench "${GUEST_ENV[@]}" || vm_rc=$?

accel=$("$TOP/host/kvm-probe.sh")
title="Measured $(date -u +%Y-%m-%d) in one boot of the VM ($accel, $VM_CPUS vCPUs, 2 NUMA nodes) on a host with $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1))."
step "Results"
rc=0
python3 "$TOP/host/bench-report.py" --title "$title" "$BUILD/vm/bench/results.txt" "$TOP/results" || rc=$?
info "tables also in $TOP/results/ (bench.md, *.csv)"
[ $vm_rc = 0 ] || die "the benchmark VM failed (status $vm_rc; console: $BUILD/vm/bench/console.log)"
exit $rc
