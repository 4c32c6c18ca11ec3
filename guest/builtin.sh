# SPDX-License-Identifier: GPL-2.0
# make check's second boot, guest side: the kernel command line enabled
# the built-in test migrator (test_migrator.offloading=1, set by
# host/check.sh).  The programs of boot/ check what that boot did; TESTS
# selects among their cases as in check.sh.
. /usr/lib/vmtest/lib.sh
B=/usr/lib/vmtest/boot
vm_plan "$B"
vm_run_programs "$B"
