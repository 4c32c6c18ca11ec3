# SPDX-License-Identifier: GPL-2.0
# make bench, guest side: the tiering table.  Sourced by bench.sh, which
# provides B, mt_n, rc, part() and the BENCH_* settings.
#
# The tiering workload (bench/tiering: a working set larger than what
# node 0 has free, read from node 0's CPUs, its hot window moving every
# phase) under each policy, with each copier, BENCH_TIER_RUNS times, the
# copiers alternating run by run so that a drift of the machine over the
# benchmark does not land on one of them:
#
#   nb        NUMA balancing's tiering mode (kernel.numa_balancing=2),
#             the promotion rate limit at the kernel's default
#   nb:MBPS   the same with numa_balancing_promote_rate_limit_MBps=MBPS
#   damon     DAMON instead: one kdamond on node 2's physical memory with
#             DAMOS migrate_hot to node 0, one on node 0's with
#             migrate_cold to node 2 (NUMA balancing off)
#
# Both with demotion enabled, so that reclaim of node 0 demotes to node 2.
# Node 0 is cut down to BENCH_TIER_FAST_MB free with 2 MiB hugetlb pages
# (which neither reclaim, NUMA balancing nor DAMON moves), so that a
# working set of a few hundred MB overflows it; the workload binds itself
# to nodes 0 and 2.  NUMA balancing's scanner is sped up as in
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

# Node 0's free memory back to BENCH_TIER_FAST_MB, with more or fewer
# hugetlb pages: runs before (a DAMON run's demotions above all) leave it
# with more or less, and the working set must overflow it the same way
# for every copier.
tier_fast() {
	local h=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
	local free nr
	free=$(awk '/MemFree/ { print $4 }' /sys/devices/system/node/node0/meminfo)
	nr=$(($(cat $h) + (free / 1024 - ${BENCH_TIER_FAST_MB:-384}) / 2))
	[ "$nr" -ge 0 ] || nr=0
	echo "$nr" >$h
}

tier_unreclaimable() {
	awk '/^Node 0,/ { z = 1 } z && /node_unreclaimable/ { print $2; exit }' /proc/zoneinfo
}

# The physical address ranges of node $1's memory blocks, "start end" per
# line, adjacent blocks merged.
tier_node_ranges() {
	local bs
	bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
	for m in /sys/devices/system/node/node"$1"/memory[0-9]*; do
		echo "${m##*memory}"
	done | sort -n | awk -v bs="$bs" '
		NR > 1 && $1 == last + 1 { last = $1; next }
		NR > 1 { print first * bs, (last + 1) * bs }
		{ first = last = $1 }
		END { if (NR) print first * bs, (last + 1) * bs }'
}

# DAMON's sysfs writes fail with EBUSY while a kdamond holds the
# interface's lock (at every aggregation): retry for up to 5 s.
tier_damon_write() {
	local i
	for i in $(seq 500); do
		echo "$2" 2>/dev/null >"$1" && return 0
		usleep 10000 2>/dev/null || sleep 0.01
	done
	echo "$2" >"$1"
}

TIER_DAMON=/sys/kernel/mm/damon/admin/kdamonds

tier_damon_off() {
	local k
	[ -w $TIER_DAMON/nr_kdamonds ] || return 0
	for k in $TIER_DAMON/[0-9]*; do
		[ -d "$k" ] && [ "$(cat "$k/state")" != off ] &&
			tier_damon_write "$k/state" off
	done
	tier_damon_write $TIER_DAMON/nr_kdamonds 0
}

# kdamond $1 on node $2's memory: DAMOS $3 to node $4 for regions with
# $5-$6 accesses per aggregation (5 ms samples, 20 per 100 ms
# aggregation) that kept that pattern for $7 aggregations, of any size
# (sysfs starts every bound at 0), at most BENCH_TIER_DAMON_MB per second.
tier_damon_kdamond() {
	local k=$TIER_DAMON/$1 c n=0 start end ranges
	c=$k/contexts/0
	ranges=$(tier_node_ranges "$2")
	tier_damon_write "$k/contexts/nr_contexts" 1 &&
		tier_damon_write "$c/operations" paddr &&
		tier_damon_write "$c/monitoring_attrs/intervals/sample_us" 5000 &&
		tier_damon_write "$c/monitoring_attrs/intervals/aggr_us" 100000 &&
		tier_damon_write "$c/targets/nr_targets" 1 &&
		tier_damon_write "$c/targets/0/regions/nr_regions" \
			"$(echo "$ranges" | grep -c .)" || return 1
	while read -r start end; do
		tier_damon_write "$c/targets/0/regions/$n/start" "$start" &&
			tier_damon_write "$c/targets/0/regions/$n/end" "$end" ||
			return 1
		n=$((n + 1))
	done <<EOF
$ranges
EOF
	[ "$n" -gt 0 ] || return 1
	tier_damon_write "$c/schemes/nr_schemes" 1 &&
		tier_damon_write "$c/schemes/0/action" "$3" &&
		tier_damon_write "$c/schemes/0/target_nid" "$4" &&
		tier_damon_write "$c/schemes/0/access_pattern/nr_accesses/min" "$5" &&
		tier_damon_write "$c/schemes/0/access_pattern/nr_accesses/max" "$6" &&
		tier_damon_write "$c/schemes/0/access_pattern/age/min" "$7" &&
		tier_damon_write "$c/schemes/0/access_pattern/age/max" 4294967295 &&
		tier_damon_write "$c/schemes/0/access_pattern/sz/min" 0 &&
		tier_damon_write "$c/schemes/0/access_pattern/sz/max" \
			18446744073709551615 &&
		tier_damon_write "$c/schemes/0/quotas/bytes" \
			$((${BENCH_TIER_DAMON_MB:-256} << 20)) &&
		tier_damon_write "$c/schemes/0/quotas/reset_interval_ms" 1000
}

tier_damon_on() {
	tier_damon_off &&
		tier_damon_write $TIER_DAMON/nr_kdamonds 2 &&
		tier_damon_kdamond 0 2 migrate_hot 0 4 20 2 &&
		tier_damon_kdamond 1 0 migrate_cold 2 0 0 10 &&
		tier_damon_write $TIER_DAMON/0/state on &&
		tier_damon_write $TIER_DAMON/1/state on
}

# What each DAMOS scheme did over the run, as a bench line (sizes in
# bytes): tried is what matched its access pattern, applied what it
# migrated.
tier_damon_stats() {
	local k d line="tiering_damos policy=$1 copy=$2 run=$3" name
	for k in 0 1; do
		tier_damon_write $TIER_DAMON/$k/state update_schemes_stats || return 1
		d=$TIER_DAMON/$k/contexts/0/schemes/0
		name=$(cat $d/action)
		line="$line ${name}_nr_tried=$(cat $d/stats/nr_tried) ${name}_sz_tried=$(cat $d/stats/sz_tried)"
		line="$line ${name}_nr_applied=$(cat $d/stats/nr_applied) ${name}_sz_applied=$(cat $d/stats/sz_applied)"
		line="$line ${name}_qt_exceeds=$(cat $d/stats/qt_exceeds)"
	done
	echo "$line"
}

# Policy $1 on (tier_policy_on) or off (tier_policy_off).
tier_policy_on() {
	case $1 in
	nb | nb:*)
		if [ "$1" != nb ]; then
			echo "${1#nb:}" >/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps ||
				return 1
		fi
		echo 2 >/proc/sys/kernel/numa_balancing
		;;
	damon) tier_damon_on ;;
	*) return 1 ;;
	esac
}

tier_policy_off() {
	echo 0 >/proc/sys/kernel/numa_balancing
	echo "$tier_rate_limit" >/proc/sys/kernel/numa_balancing_promote_rate_limit_MBps
	tier_damon_off
}

tiering_bench() {
	local H=/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages
	local D=/sys/kernel/debug/sched/numa_balancing
	local tier_mb tier_args tier_cfg tier_pol runs saved_batch saved_mig
	local r pol c
	tier_mb=${BENCH_TIER_MB:-512}
	tier_args="-m $tier_mb -n ${BENCH_TIER_SAMPLES:-8} -P ${BENCH_TIER_PHASES:-4}"
	tier_cfg="stock batch $(printf 'mtcopy:%s ' $mt_n)dcbm_sg:1 dcbm_sg:2 dcbm_sg:4"
	tier_cfg=${BENCH_TIER_CONFIGS:-$tier_cfg}
	tier_cfg=${tier_cfg//,/ }
	tier_pol=${BENCH_TIER_POLICIES:-nb,damon}
	tier_pol=${tier_pol//,/ }
	runs=${BENCH_TIER_RUNS:-1}
	[ "${BENCH_FULL:-0}" = 1 ] && runs=${BENCH_TIER_RUNS:-3}
	tier_rate_limit=$(cat /proc/sys/kernel/numa_balancing_promote_rate_limit_MBps)
	saved_batch=$(cat /proc/sys/vm/migrate_batch_copy)
	saved_mig=
	for m in dcbm mtcopy; do
		saved_mig="$saved_mig $m $(cat /sys/module/$m/parameters/min_batch_bytes) $(cat /sys/module/$m/parameters/reason_mask)"
	done
	tier_fast
	echo 1 >/sys/kernel/mm/numa/demotion_enabled
	echo 0 >$D/scan_delay_ms
	echo 100 >$D/scan_period_min_ms
	echo 1000 >$D/scan_period_max_ms
	# Each tier's own speed, nothing migrating: the working set (half
	# of it, which node 0 holds) bound to node 0, then to node 2.
	tier_copy stock
	for n in 0 2; do
		vm_progress "tiering: $((tier_mb / 2)) MB bound to node $n, no policy"
		vm_block bench "tiering-bound-$n" "$B/tiering" -m $((tier_mb / 2)) \
			-n 5 -P 1 -B $n -l "policy=bound,copy=node$n,run=1" || rc=1
	done
	vm_progress "tiering: policies $tier_pol, copiers $tier_cfg, $runs run(s) each, ${tier_mb} MB, the promotion rate limit by default ${tier_rate_limit} MB/s"
	for r in $(seq "$runs"); do
		for pol in $tier_pol; do
			for c in $tier_cfg; do
				tier_reset || vm_progress "cannot reset node 0's reclaim state"
				tier_fast
				vm_progress "tiering run $r/$runs, $pol, $c: node 0 with $(awk '/MemFree/ { print $4 }' /sys/devices/system/node/node0/meminfo) kB free, node_unreclaimable $(tier_unreclaimable)"
				tier_copy "$c" || { vm_progress "cannot set up $c"; rc=1; continue; }
				tier_policy_on "$pol" || { vm_progress "cannot set up policy $pol"; tier_policy_off; rc=1; continue; }
				vm_block bench "tiering-$pol-$c-$r" "$B/tiering" $tier_args \
					-l "policy=$pol,copy=$c,run=$r" || rc=1
				if [ "$pol" = damon ]; then
					vm_block bench "tiering-damos-$c-$r" tier_damon_stats \
						"$pol" "$c" "$r" || rc=1
				fi
				tier_policy_off
			done
		done
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
}
