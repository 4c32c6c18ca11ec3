# SPDX-License-Identifier: GPL-2.0
# make bench, guest side.  Sizes and run counts come from the kernel
# command line (vmtest.KEY=VALUE, set by the host), with defaults here;
# BENCH_FULL=1 switches the defaults to the LKML scale.
. /usr/lib/vmtest/lib.sh
rc=0
B=/usr/lib/vmtest/bench
if [ "${BENCH_FULL:-0}" = 1 ]; then
	runs=${BENCH_RUNS:-10}
	dma_runs=${BENCH_DMA_RUNS:-20}
	mcpy_mb=${BENCH_MEMCPY_MB:-512}
	dma_mb=${BENCH_DMA_MB:-512}
	mp_mb=${BENCH_MOVE_MB:-1024}
else
	runs=${BENCH_RUNS:-8}
	dma_runs=${BENCH_DMA_RUNS:-10}
	mcpy_mb=${BENCH_MEMCPY_MB:-256}
	dma_mb=${BENCH_DMA_MB:-64}
	mp_mb=${BENCH_MOVE_MB:-256}
fi
chans="1 4"
configs=stock,batch
for n in 1 2 4; do
	configs=$configs,dcbm:$n,dcbm_sg:$n
done
# mtcopy takes at most one thread per online CPU.
for n in 1 2 4; do
	if [ "$n" -le "$(nproc)" ]; then
		configs=$configs,mtcopy:$n
	else
		vm_progress "mtcopy:$n left out: the VM has $(nproc) CPUs"
	fi
done

for mod in swdma dma_copy_bench dcbm mtcopy; do
	modprobe "$mod" || { vm_progress "modprobe $mod failed"; rc=1; }
done

# The ceiling: the kernel's page copy (copy_mc_highpage) in kernel threads
# (dma_copy_bench), and for reference glibc's memcpy and a 64-bit word
# loop in user space.
for t in 1 2; do
	vm_progress "memcpy bandwidth (kernel), $t thread(s), ${mcpy_mb} MB x $runs runs"
	vm_block bench "memcpy-kernel-$t" "$B/dma_bench" -K -c "$t" -f 2m \
		-m "$mcpy_mb" -r "$runs" || rc=1
	for w in libc words; do
		flag=
		[ "$w" = words ] && flag=-w
		vm_progress "memcpy bandwidth ($w), $t thread(s), ${mcpy_mb} MB x $runs runs"
		vm_block bench "memcpy-$w-$t" "$B/memcpy_bw" -t "$t" -m "$mcpy_mb" \
			-r "$runs" $flag || rc=1
	done
done

# Setup cost of DMA_MEMCPY_SG against one descriptor per entry, on swdma,
# before the migrators take its channels.
for f in 4k 2m; do
	for c in $chans; do
		vm_progress "dmaengine prep_memcpy vs prep_memcpy_sg, $f x 512 entries, $c channel(s), ${dma_mb} MB/channel x $dma_runs runs"
		vm_block bench "dma_copy-$f-$c" "$B/dma_bench" -c "$c" -f "$f" -s 512 \
			-m "$dma_mb" -r "$dma_runs" || rc=1
	done
done

# Every copy configuration, alternating run by run, per folio size.
for f in 4k 64k 1m 2m; do
	vm_progress "move_pages, $f folios, ${mp_mb} MB x $runs runs per configuration: ${configs//,/ }"
	vm_block bench "move_pages-$f" "$B/move_pages_bench" -p -f "$f" -m "$mp_mb" \
		-r "$runs" -c "$configs" || rc=1
done
exit $rc
