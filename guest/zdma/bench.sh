# SPDX-License-Identifier: GPL-2.0
# make bench, guest side, in the arm64 VM: the dmaengine setup-cost table
# (one prep_memcpy per entry against one prep_memcpy_sg per batch) on the
# ZynqMP DMA channels, a driver that builds hardware descriptors, beside
# the x86 VM's table on swdma.  Sizes from the kernel command line
# (vmtest.KEY=VALUE), defaults here; BENCH_FULL=1 takes more runs.
. /usr/lib/vmtest/lib.sh
rc=0
B=/usr/lib/vmtest/bench
if [ "${BENCH_FULL:-0}" = 1 ]; then
	runs=${BENCH_ZDMA_RUNS:-20}
	mb=${BENCH_ZDMA_MB:-64}
else
	runs=${BENCH_ZDMA_RUNS:-10}
	mb=${BENCH_ZDMA_MB:-16}
fi
# Per-entry mode keeps a whole batch (512 descriptors) in flight on a
# channel: the pool must hold it.
modprobe zynqmp_dma descs_per_chan=1024 || { vm_progress "modprobe zynqmp_dma failed"; exit 1; }
modprobe dma_copy_bench || { vm_progress "modprobe dma_copy_bench failed"; exit 1; }
chans=$(ls -d /sys/bus/platform/drivers/xilinx-zynqmp-dma/*.dma 2>/dev/null | wc -l)
vm_progress "$chans ZDMA channels; $(cat /sys/devices/system/node/has_memory) nodes with memory"
for f in 4k 2m; do
	for c in 1 4; do
		vm_progress "ZDMA prep_memcpy vs prep_memcpy_sg, $f x 512 entries, $c channel(s), ${mb} MB/channel x $runs runs"
		vm_block bench "zdma_copy-$f-$c" "$B/dma_bench" -c "$c" -f "$f" -s 512 \
			-m "$mb" -r "$runs" || rc=1
	done
done
exit $rc
