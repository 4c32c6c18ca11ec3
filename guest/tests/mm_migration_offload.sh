#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's page migration selftest (tools/testing/selftests/mm/
# migration.c: threads touch memory that move_pages() keeps moving, for
# private and shared anon, THP and hugetlb) with the test migrator
# registered for every migration reason.  Its TAP goes to stdout as is;
# then the migrator must have copied batches, all of them whole, and seen
# none that broke the struct migrator contract.
P=/sys/module/test_migrator/parameters
S=/sys/kernel/debug/test_migrator/stats
HP=hugepages/hugepages-2048kB/nr_hugepages
rc=0

stat() { awk -v k="$1" '$1 == k { print $2 }' "$S"; }
fail() { echo "# FAIL: $*"; rc=1; }

modprobe test_migrator || exit 1
echo 0 >$P/offloading && echo 0 >$P/fail_every && echo 0 >$P/min_batch_bytes &&
	echo all >$P/reason_mask && echo 0 >$S &&
	echo 1 >/proc/sys/vm/migrate_batch_copy || exit 1
# Two 2M hugetlb pages per node for the htlb cases.
for n in 0 1; do echo 2 >/sys/devices/system/node/node$n/$HP || exit 1; done

# On three CPUs the test runs one accessor per page (nthreads = CPUs - 1,
# and it needs 2).  Under TCG, with more, shared_anon_htlb can see a hundred
# consecutive move_pages() failures: hugetlb migration, which the copy
# offload does not touch, gives up while the accessors keep its reference
# count moving.
cpus=0-2
[ "$(nproc)" -ge 3 ] || cpus=0-$(($(nproc) - 1))
echo 1 >$P/offloading || exit 1
taskset -c $cpus /usr/lib/vmtest/kselftest/mm_migration || rc=$?
echo 0 >$P/offloading

for n in 0 1; do echo 0 >/sys/devices/system/node/node$n/$HP; done
echo "# test_migrator: $(tr '\n' ' ' <$S)"
[ "$(stat batches)" -gt 0 ] || fail "the migrator was given no batch"
[ "$(stat copied)" -eq "$(stat folios)" ] || fail "not every folio was copied"
[ "$(stat bad_batches)" -eq 0 ] || fail "batches broke the contract"
exit $rc
