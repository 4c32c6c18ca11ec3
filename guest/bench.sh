# SPDX-License-Identifier: GPL-2.0
# make bench, guest side.  Sizes and run counts come from the kernel
# command line (vmtest.KEY=VALUE, set by the host), with defaults here.
. /usr/lib/vmtest/lib.sh
rc=0
B=/usr/lib/vmtest/bench
runs=${BENCH_RUNS:-5}
mcpy_mb=${BENCH_MEMCPY_MB:-256}
mp_mb=${BENCH_MOVE_MB:-512}

for t in 1 2; do
	vm_progress "memcpy bandwidth, $t thread(s), ${mcpy_mb} MB x $runs runs"
	vm_block bench "memcpy-$t" "$B/memcpy_bw" -t "$t" -m "$mcpy_mb" -r "$runs" || rc=1
done
# Stock (folio by folio) and batch copy alternate run by run.
for f in 4k 2m; do
	vm_progress "move_pages, $f folios, stock vs batch copy, ${mp_mb} MB x $runs runs each"
	vm_block bench "move_pages-$f" "$B/move_pages_bench" -f "$f" -m "$mp_mb" -r "$runs" \
		-c stock,batch || rc=1
done
exit $rc
