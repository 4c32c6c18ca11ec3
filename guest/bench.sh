# SPDX-License-Identifier: GPL-2.0
# make bench, guest side.  Sizes and run counts come from the kernel
# command line (vmtest.KEY=VALUE, set by the host), with defaults here;
# BENCH_FULL=1 switches the defaults to the LKML scale.
. /usr/lib/vmtest/lib.sh
rc=0
B=/usr/lib/vmtest/bench
# The tiers the VM was booted with, or no measurement.
if ! tiers=$(vm_tiers); then
	echo "$tiers" >/dev/console
	exit 1
fi
echo "vmtest: $tiers" >/dev/console
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
# BENCH_PARTS: which tables (memcpy, dma, move, batch, window, tiering;
# default all).
part() {
	case ",${BENCH_PARTS:-memcpy,dma,move,batch,window,tiering}," in *",$1,"*) return 0 ;; esac
	return 1
}
# The unmapped window: MB per move and the sysctl settings compared.
uw_mb=${BENCH_WINDOW_MB:-16}
uw_cfg=${BENCH_WINDOW_CONFIGS:-stock=0,default=1,step=2}
# ... and against the batch size, with a migrator: larger moves, so that
# the largest batch still comes several times per move.
bw_mb=${BENCH_BATCH_WINDOW_MB:-64}
bw_runs=${BENCH_BATCH_WINDOW_RUNS:-6}
chans="1 4"
# The move_pages table: every batch cut into as many shares as there are
# channels or threads (-S 4k: min_share_bytes 4096), in the default
# batches.
configs=stock,batch
for n in 1 2 4; do
	configs=$configs,dcbm:$n,dcbm_sg:$n
done
# mtcopy takes at most one thread per online CPU.
mt_n=
for n in 1 2 4; do
	if [ "$n" -le "$(nproc)" ]; then
		configs=$configs,mtcopy:$n
		mt_n="$mt_n $n"
	else
		vm_progress "mtcopy:$n left out: the VM has $(nproc) CPUs"
	fi
done
# The batch-size table: the migrators with their own min_share_bytes, in
# batches of each size asked for (batch_bytes), 4K and 2M folios.
bs_sizes=${BENCH_BATCH_SIZES:-2m,8m,16m}
bs_configs=stock,batch
for c in dcbm_sg:1 dcbm_sg:4 $(for n in $mt_n; do echo mtcopy:$n; done); do
	for b in ${bs_sizes//,/ }; do
		bs_configs=$bs_configs,$c@$b
	done
done

for mod in swdma dma_copy_bench dcbm mtcopy; do
	modprobe "$mod" || { vm_progress "modprobe $mod failed"; rc=1; }
done

# The ceiling: the kernel's page copy (copy_mc_highpage) in kernel threads
# (dma_copy_bench), and for reference glibc's memcpy and a 64-bit word
# loop in user space.
for t in 1 2; do
	part memcpy || break
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
	part dma || break
	for c in $chans; do
		vm_progress "dmaengine prep_memcpy vs prep_memcpy_sg, $f x 512 entries, $c channel(s), ${dma_mb} MB/channel x $dma_runs runs"
		vm_block bench "dma_copy-$f-$c" "$B/dma_bench" -c "$c" -f "$f" -s 512 \
			-m "$dma_mb" -r "$dma_runs" || rc=1
	done
done

# Every copy configuration, alternating run by run, per folio size.
for f in 4k 64k 1m 2m; do
	part move || break
	vm_progress "move_pages, $f folios, ${mp_mb} MB x $runs runs per configuration: ${configs//,/ }"
	vm_block bench "move_pages-$f" "$B/move_pages_bench" -p -S 4k -f "$f" \
		-m "$mp_mb" -r "$runs" -c "$configs" || rc=1
done
# Batches sized for the copier: the same moves with the migrators asking
# for larger batches, and the copy step's fixed cost per batch.
for f in 4k 2m; do
	part batch || break
	vm_progress "move_pages by batch size, $f folios, ${mp_mb} MB x $runs runs per configuration: ${bs_configs//,/ }"
	vm_block bench "batch_size-$f" "$B/move_pages_bench" -p -t bs -f "$f" \
		-m "$mp_mb" -r "$runs" -c "$bs_configs" || rc=1
done
# The cost of a larger batch: each folio stays unmapped until the whole
# batch is copied.  dcbm on one channel, 4K pages, per batch size.
if part batch; then
	bw_cfg=stock=0
	for b in ${bs_sizes//,/ }; do
		bw_cfg=$bw_cfg,b$b=1@$b
	done
	vm_progress "unmapped window by batch size, dcbm_sg:1, anon 4K pages, ${bw_mb} MB x $bw_runs runs: ${bw_cfg//,/ }"
	vm_block bench "unmap_window-batch" "$B/unmap_window" -M dcbm -m "$bw_mb" \
		-r "$bw_runs" -c "$bw_cfg" || rc=1
fi
# How long each page stays unmapped while it moves, and the batch step's
# copies thrown away by a failed move, with no migrator registered: anon
# memory, and shmem read(2) by another thread meanwhile.
if part window; then
	for mem in anon shmem; do
		flag=
		[ $mem = shmem ] && flag=-s
		vm_progress "unmapped window, $mem 4K pages, ${uw_mb} MB x $runs runs: ${uw_cfg//,/ }"
		vm_block bench "unmap_window-$mem" "$B/unmap_window" $flag -m "$uw_mb" \
			-r "$runs" -c "$uw_cfg" || rc=1
	done
fi
# The tiering table (bench-tiering.sh).
if part tiering; then
	. /usr/lib/vmtest/bench-tiering.sh
	tiering_bench
fi
exit $rc
