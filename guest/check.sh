# SPDX-License-Identifier: GPL-2.0
# make check, guest side: hand every test suite's KTAP to the host.
. /usr/lib/vmtest/lib.sh
rc=0

# KUnit suites built into the kernel ran during boot; modular suites run
# when their module loads.  Results stay in debugfs, one KTAP document per
# suite.
for ko in $(find /lib/modules/"$(uname -r)" -name '*kunit*.ko' 2>/dev/null); do
	mod=$(basename "$ko" .ko)
	vm_progress "kunit: loading $mod"
	modprobe "$mod" || { echo "modprobe $mod failed" >/dev/console; rc=1; }
done
if [ -d /sys/kernel/debug/kunit ]; then
	for suite in /sys/kernel/debug/kunit/*/; do
		name=$(basename "$suite")
		[ -r "$suite/results" ] || continue
		vm_progress "kunit: $name"
		vm_block ktap "kunit.$name" cat "$suite/results" || rc=1
	done
else
	echo "no /sys/kernel/debug/kunit" >/dev/console
	rc=1
fi

# Test programs (kselftest harness, TAP on stdout).
for t in /usr/lib/vmtest/tests/*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	vm_progress "test: $name"
	vm_block ktap "$name" "$t" || rc=1
done
exit $rc
