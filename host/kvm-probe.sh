#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print "kvm" if KVM really boots our kernel here, "tcg" otherwise.
#
#   host/kvm-probe.sh [KERNEL]   (default: the kernel of $KOBJ)
#
# /dev/kvm existing is not enough: nested or restricted hosts may expose it
# and run a real-mode boot sector, yet never get a Linux kernel to print a
# line (seen on this project's CI machines).  So, in two steps bounded by
# short timeouts:
#  1. a 512-byte boot sector writes 0x2a to the isa-debug-exit port: QEMU
#     then exits with (0x2a << 1) | 1; if not, there is no usable KVM;
#  2. the kernel boots without an initramfs, which must print its banner
#     and reach the panic for want of a root file system (about a second
#     under KVM; -no-reboot and panic=-1 end QEMU there).
# The answer is cached in $BUILD/accel; delete that file, or set
# ACCEL=kvm|tcg, to override.
. "$(dirname "$0")/lib.sh"

kernel=${1:-$KOBJ/arch/x86/boot/bzImage}
cache=$BUILD/accel
if [ -n "${ACCEL:-}" ]; then
	qemu_accel_args "$ACCEL" >/dev/null
	echo "$ACCEL"
	exit 0
fi
if [ -f "$cache" ]; then
	cat "$cache"
	exit 0
fi

# probe_boot_sector: 0 if KVM runs a real-mode boot sector to its end.
probe_boot_sector() {
	local img=$BUILD/kvm-probe.img rc=0

	# mov al,0x2a; out 0xf4,al; cli; hlt; jmp $-2
	{ printf '\xb0\x2a\xe6\xf4\xfa\xf4\xeb\xfd'
	  head -c 502 /dev/zero
	  printf '\x55\xaa'; } >"$img"
	# shellcheck disable=SC2046
	# (in a subshell, so that bash's "Aborted" notice stays quiet too)
	(timeout 10 qemu-system-x86_64 $(qemu_accel_args kvm) -display none \
		-nodefaults -no-user-config -m 16 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x01 \
		-drive file="$img",format=raw,if=ide; exit $?) >/dev/null 2>&1 || rc=$?
	[ $rc = 85 ]
}

# probe_kernel: 0 if KVM boots $kernel to its no-root-fs panic.
probe_kernel() {
	local log=$BUILD/kvm-probe.log

	[ -f "$kernel" ] || return 1
	rm -f "$log"
	# shellcheck disable=SC2046
	(timeout 20 qemu-system-x86_64 $(qemu_accel_args kvm) -display none \
		-nodefaults -no-user-config -no-reboot -m 512 \
		-kernel "$kernel" -append "console=ttyS0 panic=-1 loglevel=4" \
		-serial file:"$log"; exit $?) >/dev/null 2>&1 || true
	grep -q 'Kernel panic' "$log" 2>/dev/null
}

cache_it=1
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ] || ! probe_boot_sector; then
	result=tcg
elif [ ! -f "$kernel" ]; then
	# Nothing to boot yet: a provisional answer, not cached.
	result=tcg cache_it=0
elif probe_kernel; then
	result=kvm
else
	result=tcg
	warn "/dev/kvm runs a boot sector but not the kernel (log: $BUILD/kvm-probe.log): using TCG"
fi
[ $cache_it = 0 ] || echo "$result" >"$cache"
echo "$result"
