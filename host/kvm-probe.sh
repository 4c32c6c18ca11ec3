#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print "kvm" if KVM really runs a guest here, "tcg" otherwise.
#
# /dev/kvm existing is not enough (nested or restricted hosts may expose it
# and still fail to run a guest), so boot a 512-byte boot sector that writes
# 0x2a to the isa-debug-exit port: QEMU then exits with (0x2a << 1) | 1.
# Bounded by a short timeout and cached in $BUILD/accel; delete that file,
# or set ACCEL=kvm|tcg, to override.
. "$(dirname "$0")/lib.sh"

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

result=tcg
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	img=$BUILD/kvm-probe.img
	# mov al,0x2a; out 0xf4,al; cli; hlt; jmp $-2
	{ printf '\xb0\x2a\xe6\xf4\xfa\xf4\xeb\xfd'
	  head -c 502 /dev/zero
	  printf '\x55\xaa'; } >"$img"
	rc=0
	# shellcheck disable=SC2046
	# (in a subshell, so that bash's "Aborted" notice stays quiet too)
	(timeout 10 qemu-system-x86_64 $(qemu_accel_args kvm) -display none \
		-nodefaults -no-user-config -m 16 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x01 \
		-drive file="$img",format=raw,if=ide; exit $?) >/dev/null 2>&1 || rc=$?
	[ $rc = 85 ] && result=kvm
fi
echo "$result" >"$cache"
echo "$result"
