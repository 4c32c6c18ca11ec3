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
# default all but tiering, whose report is not written yet).
part() {
	case ",${BENCH_PARTS:-memcpy,dma,move,batch,window}," in *",$1,"*) return 0 ;; esac
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
# Tiering: the tiering workload (a working set larger than what node 0
# has free, its hot window moving) under NUMA balancing's tiering mode,
# with each copier.  Node 0 is cut down to TIER_FAST_MB free with 2 MiB
# hugetlb pages (which neither reclaim nor NUMA balancing moves), so
# that a working set of a few hundred MB overflows it; the workload
# binds itself to nodes 0 and 2.  The scanner is sped up as in
# migration_reasons, so that a run of 30 s sees several rounds.
# A migrator given every batch of every reason (as in the move_pages
# table): at its defaults it leaves the 4K promotions, one folio each,
# and kswapd's demotions of up to 32 to the CPU.
tier_migrator() {
	local p=/sys/module/$1/parameters
	echo 1 >/proc/sys/vm/migrate_batch_copy && echo "$3" >$p/$2 &&
		echo 0 >$p/min_batch_bytes && echo all >$p/reason_mask &&
		echo 1 >$p/offloading
}
tier_copy() {
	local n=${1#*:}
	for m in dcbm mtcopy; do
		[ ! -w /sys/module/$m/parameters/offloading ] ||
			echo 0 >/sys/module/$m/parameters/offloading
	done
	case $1 in
	stock) echo 0 >/proc/sys/vm/migrate_batch_copy ;;
	batch) echo 2 >/proc/sys/vm/migrate_batch_copy ;;
	mtcopy:*) tier_migrator mtcopy nr_threads "$n" ;;
	dcbm_sg:*) tier_migrator dcbm nr_dma_chan "$n" &&
		echo on >/sys/module/dcbm/parameters/use_sg ;;
	*) return 1 ;;
	esac
}
# kswapd gives a node up after 16 passes that reclaim nothing (the
# node's node_unreclaimable in /proc/zoneinfo), and is not woken for it
# again until some reclaim there makes progress.  Promotion wakes kswapd
# when the fast node is full: once node 0 is given up (which the end of
# a run, every page of it hot, can do) nothing is promoted any more, and
# every later copier would be measured on a system that no longer
# tiers.  Reclaim that does progress resets it: 64 MB of tmpfs written
# from node 0 in a memory cgroup of its own, demoted by memory.reclaim.
tier_reset() {
	local cg=/sys/fs/cgroup/tier-reset fs=/tmp/tier-reset
	[ -e /sys/fs/cgroup/cgroup.controllers ] ||
		mount -t cgroup2 none /sys/fs/cgroup || return 1
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p $cg $fs && mount -t tmpfs none $fs || return 1
	sh -c "echo \$\$ >$cg/cgroup.procs &&
		exec taskset -c 0 dd if=/dev/zero of=$fs/fill bs=1M count=64 2>/dev/null"
	echo 64M >$cg/memory.reclaim 2>/dev/null
	umount $fs
	rmdir $cg $fs 2>/dev/null
	return 0
}
if part tiering; then
	H=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
	D=/sys/kernel/debug/sched/numa_balancing
	tier_mb=${BENCH_TIER_MB:-512}
	tier_args="-m $tier_mb -n ${BENCH_TIER_SAMPLES:-10} -P ${BENCH_TIER_PHASES:-3}"
	tier_cfg="stock batch dcbm_sg:1 dcbm_sg:2 dcbm_sg:4 $(for n in $mt_n; do echo mtcopy:$n; done)"
	tier_cfg=${BENCH_TIER_CONFIGS:-$tier_cfg}
	tier_cfg=${tier_cfg//,/ }
	saved_batch=$(cat /proc/sys/vm/migrate_batch_copy)
	saved_mig=
	for m in dcbm mtcopy; do
		saved_mig="$saved_mig $m $(cat /sys/module/$m/parameters/min_batch_bytes) $(cat /sys/module/$m/parameters/reason_mask)"
	done
	free=$(awk '/MemFree/ { print $4 }' /sys/devices/system/node/node0/meminfo)
	echo $(((free / 1024 - ${BENCH_TIER_FAST_MB:-384}) / 2)) >$H
	echo 1 >/sys/kernel/mm/numa/demotion_enabled
	echo 0 >$D/scan_delay_ms
	echo 100 >$D/scan_period_min_ms
	echo 1000 >$D/scan_period_max_ms
	for c in $tier_cfg; do
		vm_progress "tiering, NUMA balancing tiering mode, $c: ${tier_mb} MB, node 0 with $(awk '/MemFree/ { print $4 }' /sys/devices/system/node/node0/meminfo) kB free, node_unreclaimable $(awk '/^Node 0,/ { z = 1 } z && /node_unreclaimable/ { print $2; exit }' /proc/zoneinfo)"
		tier_reset || vm_progress "cannot reset node 0's reclaim state"
		vm_progress "  node 0: node_unreclaimable $(awk '/^Node 0,/ { z = 1 } z && /node_unreclaimable/ { print $2; exit }' /proc/zoneinfo) after the reset"
		tier_copy "$c" || { vm_progress "cannot set up $c"; rc=1; continue; }
		echo 2 >/proc/sys/kernel/numa_balancing
		vm_block bench "tiering-nb-$c" "$B/tiering" $tier_args \
			-l "policy=nb,copy=$c" || rc=1
		echo 0 >/proc/sys/kernel/numa_balancing
	done
	tier_copy stock
	echo "$saved_batch" >/proc/sys/vm/migrate_batch_copy
	set -- $saved_mig
	while [ $# -ge 3 ]; do
		echo "$2" >/sys/module/$1/parameters/min_batch_bytes
		echo "$3" >/sys/module/$1/parameters/reason_mask
		shift 3
	done
	echo 0 >$H
fi
exit $rc
