#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's page migration selftest (tools/testing/selftests/mm/
# migration.c: threads touch memory that move_pages() keeps moving, for
# private and shared anon, THP and hugetlb) with migrator $1 (test_migrator,
# dcbm or mtcopy) registered for every migration reason.  Its TAP goes to
# stdout as is; then the migrator must have copied batches, all of them
# whole, and its record must match the kernel's in /proc/vmstat.
#
# MIGRATION_BATCH_BYTES, if set, is the migrator's batch_bytes (the
# batch size it asks migrate_pages() for); else its default is kept.
#
# Further arguments go to the selftest (kselftest harness options: -l
# lists its tests, -r NAME runs one); with -r, the migrator must have
# copied something only if a case it copies for (not hugetlb) ran.
M=$1
shift
# The short campaign moves pages for 5 s per case, FULL=1 for the
# selftest's own 20 s.
KSFT=/usr/lib/vmtest/kselftest/mm_migration
[ "${FULL:-0}" = 1 ] || KSFT=${KSFT}_short
P=/sys/module/$M/parameters
S=/sys/kernel/debug/test_migrator/stats
HP=hugepages/hugepages-2048kB/nr_hugepages
rc=0

stat() { awk -v k="$1" '$1 == k { print $2 }' "$S"; }
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
fail() { echo "# FAIL: $*"; rc=1; }

[ "${1:-}" != -l ] || exec $KSFT -l
copies=1
[ $# = 0 ] || copies=0
for a in "$@"; do
	case $a in -r | *_htlb) ;; *) copies=1 ;; esac
done

case $M in
test_migrator) modprobe test_migrator && echo 0 >$P/fail_every &&
	echo 0 >$S ;;
dcbm) modprobe swdma && modprobe dcbm && echo 4 >$P/nr_dma_chan &&
	echo auto >$P/use_sg && echo 10000 >$P/timeout_ms ;;
mtcopy) modprobe mtcopy ;;
*) echo "usage: $0 test_migrator|dcbm|mtcopy" >&2; exit 2 ;;
esac || exit 1
# Only $M may register.
for m in test_migrator dcbm mtcopy; do
	[ ! -d /sys/module/$m ] || echo 0 >/sys/module/$m/parameters/offloading ||
		exit 1
done
if [ "$M" != test_migrator ]; then
	echo 0 >$P/folios_migrated && echo 0 >$P/folios_failures || exit 1
fi
echo 0 >$P/min_batch_bytes && echo all >$P/reason_mask &&
	echo 1 >/proc/sys/vm/migrate_batch_copy || exit 1
batch0=$(cat $P/batch_bytes) || exit 1
if [ -n "${MIGRATION_BATCH_BYTES:-}" ]; then
	echo "$MIGRATION_BATCH_BYTES" >$P/batch_bytes || exit 1
fi
echo "# $M: batch_bytes $(cat $P/batch_bytes)"
# Two 2M hugetlb pages per node for the htlb cases.
for n in 0 1; do echo 2 >/sys/devices/system/node/node$n/$HP || exit 1; done

# On three CPUs the test runs one accessor per page (nthreads = CPUs - 1,
# and it needs 2).  Under TCG, with more, shared_anon_htlb can see a hundred
# consecutive move_pages() failures: hugetlb migration, which the copy
# offload does not touch, gives up while the accessors keep its reference
# count moving.
cpus=0-2
[ "$(nproc)" -ge 3 ] || cpus=0-$(($(nproc) - 1))
copied0=$(vmstat migrate_offload_copied)
fallback0=$(vmstat migrate_offload_fallback)
echo 1 >$P/offloading || exit 1
taskset -c $cpus $KSFT "$@" || rc=$?
echo 0 >$P/offloading
echo "$batch0" >$P/batch_bytes
copied=$(($(vmstat migrate_offload_copied) - copied0))
offered=$((copied + $(vmstat migrate_offload_fallback) - fallback0))

for n in 0 1; do echo 0 >/sys/devices/system/node/node$n/$HP; done
if [ "$M" = test_migrator ]; then
	echo "# test_migrator: $(tr '\n' ' ' <$S)"
	[ "$(stat batches)" -gt 0 ] || [ $copies = 0 ] ||
		fail "the migrator was given no batch"
	[ "$(stat copied)" -eq "$(stat folios)" ] || fail "not every folio was copied"
	[ "$(stat bad_batches)" -eq 0 ] || fail "batches broke the contract"
	migrated=$(stat copied)
	failures=$(($(stat folios) - migrated))
else
	migrated=$(cat $P/folios_migrated)
	failures=$(cat $P/folios_failures)
	echo "# $M: folios_migrated $migrated folios_failures $failures"
	[ "$migrated" -gt 0 ] || [ $copies = 0 ] || fail "$M copied nothing"
	[ "$failures" -eq 0 ] || fail "$M failed to copy $failures folios"
fi
echo "# /proc/vmstat: migrate_offload_copied +$copied, offered +$offered"
[ "$copied" -eq "$migrated" ] || fail "vmstat copied $copied, $M $migrated"
[ "$offered" -eq $((migrated + failures)) ] ||
	fail "vmstat offered $offered, $M $((migrated + failures))"
exit $rc
