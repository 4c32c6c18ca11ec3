#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's compaction selftest (tools/testing/selftests/mm/
# compaction_test.c: most of free memory mapped locked, then as many
# hugetlb pages asked for as half of what is left, which only compaction
# of the locked pages can give) with dcbm copying every migration, of
# every reason and batch size, over swdma.  Its TAP goes to stdout as is;
# then dcbm's count of folios must be /proc/vmstat's, which it reports
# with what compaction migrated.  FULL=1 only (see below).
#
# -l lists its one case as the kselftest harness would
# (compaction.check_compaction), and its result line says so; -r NAME is
# accepted for it.
KSFT=/usr/lib/vmtest/kselftest/mm_compaction_test
P=/sys/module/dcbm/parameters
# A minute under TCG, and in this VM the selftest's hugetlb pages come
# from the memory it freed itself (every other one of its 100 MiB maps),
# so compaction has little to migrate: only the long campaign lists it.
if [ "${1:-}" = -l ]; then
	[ "${FULL:-0}" != 1 ] ||
		printf '%-20s %-25s %s\n' compaction "" check_compaction
	exit 0
fi
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

modprobe swdma && modprobe dcbm || exit 1
for m in test_migrator mtcopy; do
	[ ! -d /sys/module/$m ] || echo 0 >/sys/module/$m/parameters/offloading ||
		exit 1
done
old_mask=$(cat $P/reason_mask) old_min=$(cat $P/min_batch_bytes)
echo 0 >$P/folios_migrated && echo 0 >$P/min_batch_bytes &&
	echo all >$P/reason_mask && echo 1 >/proc/sys/vm/migrate_batch_copy &&
	echo 1 >$P/offloading || exit 1
copied0=$(vmstat migrate_offload_copied)
migrated0=$(vmstat pgmigrate_success) scanned0=$(vmstat compact_migrate_scanned)
# Its case named as the listing names it (the harness's "fixture.test")
echo "#  RUN           compaction.check_compaction ..."
{ $KSFT; echo $? >/tmp/compaction_test.rc; } |
	sed 's/^\(\(not \)\{0,1\}ok [0-9]*\) check_compaction/\1 compaction.check_compaction/'
rc=$(cat /tmp/compaction_test.rc)
echo 0 >$P/offloading
echo "$old_mask" >$P/reason_mask
echo "$old_min" >$P/min_batch_bytes
copied=$(($(vmstat migrate_offload_copied) - copied0))
migrated=$(cat $P/folios_migrated)
echo "# dcbm: folios_migrated $migrated, /proc/vmstat migrate_offload_copied +$copied," \
	"pgmigrate_success +$(($(vmstat pgmigrate_success) - migrated0))," \
	"compact_migrate_scanned +$(($(vmstat compact_migrate_scanned) - scanned0))"
[ "$migrated" -eq "$copied" ] || { echo "# FAIL: dcbm $migrated, vmstat $copied"; rc=1; }
exit $rc
