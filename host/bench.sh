#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: build, boot, run the guest benchmarks, print the tables and
# keep them in results/ (Markdown, CSV and PNG plots).
#
# FULL=1 runs the LKML scale (512 MB per DMA channel x 20 runs, 1 GB
# move_pages x 10 runs) in a VM with 6G per node, allowed two hours.  Sizes and repetitions
# can also be set one by one (defaults in guest/bench.sh):
#   BENCH_RUNS       runs per cell (memcpy, move_pages)
#   BENCH_DMA_RUNS   runs per cell of the dmaengine setup-cost table
#   BENCH_MEMCPY_MB  MB copied per thread per run
#   BENCH_DMA_MB     MB copied per DMA channel per run
#   BENCH_MOVE_MB    MB moved per move_pages run
#   BENCH_PARTS      the tables to measure: memcpy,dma,move,batch,window,tiering
#                    (all)
#   BENCH_TIER_MB, BENCH_TIER_SAMPLES, BENCH_TIER_PHASES, BENCH_TIER_FAST_MB
#                    the tiering workload: working set (512), 1 s samples per
#                    phase (8), phases (4), what node 0 keeps free (384)
#   BENCH_TIER_POLICIES, BENCH_TIER_CONFIGS, BENCH_TIER_RUNS, BENCH_TIER_DAMON_MB
#                    its policies (nb,damon; nb:MBPS sets the promotion rate
#                    limit), copiers (stock,batch,mtcopy:N,dcbm_sg:N), runs of
#                    each (1; FULL=1: 3), DAMON's quota per second (256)
#   BENCH_WINDOW_MB, BENCH_WINDOW_CONFIGS
#   BENCH_BATCH_SIZES the batch sizes compared (batch_bytes; 2m,8m,16m)
#   BENCH_BATCH_WINDOW_MB, BENCH_BATCH_WINDOW_RUNS  the window by batch size
#                    the unmapped-window table: MB per move, and the
#                    vm.migrate_batch_copy settings compared (NAME=VALUE,...)
#   BENCH_ZDMA_MB, BENCH_ZDMA_RUNS  the setup-cost table on the arm64 VM's
#                    ZynqMP DMA channels (guest/zdma/bench.sh)
#   VM_ARCHES        the VMs measured (default "x86_64 arm64"): the x86 VM
#                    has every table but the ZDMA one, the arm64 VM that one
. "$(dirname "$0")/lib.sh"

case ${FULL:-0} in
0) ;;
1) export BENCH_FULL=1 NODE_MEM=${NODE_MEM:-6G} VM_TIMEOUT=${VM_TIMEOUT:-7200} ;;
*) die "FULL must be 0 or 1, not '$FULL'" ;;
esac

VM_ARCHES=${VM_ARCHES:-x86_64 arm64}
"$TOP/host/deps.sh" build vm bench
x86_results='' zdma_results='' vm_rc=0 title='' zdma_title=''
host="a host with $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1))"
for arch in $VM_ARCHES; do
	case $arch in
	x86_64)
		"$TOP/host/build-kernel.sh"
		"$TOP/host/initramfs.sh"
		# Only what the user set is passed on; the defaults live in guest/bench.sh.
		guest_env BENCH_FULL BENCH_RUNS BENCH_DMA_RUNS BENCH_MEMCPY_MB BENCH_DMA_MB BENCH_MOVE_MB \
			BENCH_PARTS BENCH_WINDOW_MB BENCH_WINDOW_CONFIGS BENCH_BATCH_SIZES \
			BENCH_TIER_MB BENCH_TIER_SAMPLES BENCH_TIER_PHASES BENCH_TIER_FAST_MB BENCH_TIER_CONFIGS \
			BENCH_TIER_POLICIES BENCH_TIER_RUNS BENCH_TIER_DAMON_MB \
			BENCH_BATCH_WINDOW_MB BENCH_BATCH_WINDOW_RUNS
		"$TOP/host/vm.sh" bench "${GUEST_ENV[@]}" || vm_rc=$?
		x86_results=$BUILD/vm/bench/results.txt
		accel=$("$TOP/host/kvm-probe.sh")
		title="Measured $(date -u +%Y-%m-%d) in one boot of the VM ($accel, $VM_CPUS vCPUs, 2 NUMA nodes x ${NODE_MEM:-3G} and a CPU-less slow node of ${SLOW_MEM:-2G} + ${DIMM_MEM:-256M} movable) on $host."
		;;
	arm64)
		GUEST_ARCH=arm64 "$TOP/host/build-kernel.sh"
		GUEST_ARCH=arm64 "$TOP/host/initramfs.sh"
		guest_env BENCH_FULL BENCH_ZDMA_MB BENCH_ZDMA_RUNS
		GUEST_ARCH=arm64 "$TOP/host/vm.sh" bench "${GUEST_ENV[@]}" || vm_rc=$?
		zdma_results=$(arch_build_dir arm64)/vm/bench/results.txt
		zdma_title="The ZDMA table was measured $(date -u +%Y-%m-%d) in one boot of the arm64 VM (QEMU ${ARM_MEM:-4G} xlnx-versal-virt under TCG, 2 Cortex-A72) on $host."
		;;
	*) die "VM_ARCHES: '$arch' is not a VM (x86_64 or arm64)" ;;
	esac
done

step "Results"
rc=0
report=(python3 "$TOP/host/bench-report.py" --title "$title")
[ -z "$zdma_results" ] || report+=(--zdma "$zdma_results" --zdma-title "$zdma_title")
if [ -n "$x86_results" ]; then
	"${report[@]}" "$x86_results" "$TOP/results" || rc=$?
else
	: >"$BUILD/vm/no-x86-results.txt"
	"${report[@]}" "$BUILD/vm/no-x86-results.txt" "$TOP/results" || rc=$?
fi
info "tables in $TOP/results/ (bench.md, *.csv), plots in $TOP/results/*.png"
[ $vm_rc = 0 ] || die "a benchmark VM failed (status $vm_rc; consoles: $BUILD/vm/bench/console.log, $(arch_build_dir arm64)/vm/bench/console.log)"
exit $rc
