#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pack the guest's initramfs: busybox, guest/ scripts and static programs,
# Debian's stress-ng with the libraries it links, and the kernel's modules.
# Output: $ABUILD/initramfs.cpio (uncompressed: nothing to decompress under
# TCG).  With GUEST_ARCH=arm64: the programs cross-built, Debian's arm64
# busybox, no stress-ng, and the arm64 VM's own scripts (guest/zdma/).
. "$(dirname "$0")/lib.sh"

"$TOP/host/deps.sh" build vm
[ "$GUEST_ARCH" = x86_64 ] || "$TOP/host/deps.sh" "$GUEST_ARCH"

GOUT=$ABUILD/guest
ROOT=$ABUILD/initramfs
[ -d "$KTREE" ] || die "no kernel tree yet: run host/build-kernel.sh first"

step "Building the $GUEST_ARCH guest programs (static)"
make -s -C "$TOP/guest" O="$GOUT" KSRC="$KTREE" CC="$GUEST_CC" GUEST_ARCH="$GUEST_ARCH" >"$LOGDIR/guest-build.log" 2>&1 || {
	cat "$LOGDIR/guest-build.log" >&2
	die "guest programs failed to build"
}

step "Packing the initramfs"
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,run,root,etc,lib/modules,usr/lib/vmtest}
if [ "$GUEST_ARCH" = x86_64 ]; then
	busybox=$(command -v busybox || echo /bin/busybox)
else
	busybox=$BUILD/$GUEST_ARCH/debs/root/bin/busybox
fi
[ -x "$busybox" ] || die "busybox not found at $busybox"
case $(file -b "$busybox" 2>/dev/null || ldd "$busybox" 2>&1 || true) in
*"statically linked"* | *"not a dynamic"*) ;;
*) die "$busybox is not statically linked (install busybox-static)" ;;
esac
cp "$busybox" "$ROOT/bin/busybox"
install -m 0755 "$TOP/guest/init" "$ROOT/init"
install -m 0644 "$TOP/guest/lib.sh" "$ROOT/usr/lib/vmtest/"
if [ "$GUEST_ARCH" = x86_64 ]; then
	install -m 0644 "$TOP/guest/check.sh" "$TOP/guest/bench.sh" \
		"$TOP/guest/bench-tiering.sh" "$TOP/guest/builtin.sh" "$ROOT/usr/lib/vmtest/"
	install -m 0755 "$TOP/guest/mm_migration_offload.sh" "$ROOT/usr/lib/vmtest/"
else
	install -m 0644 "$TOP/guest/zdma/check.sh" "$TOP/guest/zdma/bench.sh" \
		"$ROOT/usr/lib/vmtest/"
fi
install -m 0755 "$GOUT"/tools/* "$ROOT/usr/lib/vmtest/"
for kind in tests boot bench kselftest; do
	mkdir -p "$ROOT/usr/lib/vmtest/$kind"
	if compgen -G "$GOUT/$kind/*" >/dev/null; then
		install -m 0755 "$GOUT/$kind"/* "$ROOT/usr/lib/vmtest/$kind/"
	fi
done
# A dynamically linked program from the host, with its loader and every
# library it links, at the same paths.
copy_dynamic() {
	local lib
	install -D -m 0755 "$1" "$ROOT$1"
	for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$ROOT$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$ROOT$lib"
	done
}
[ "$GUEST_ARCH" != x86_64 ] || copy_dynamic /usr/bin/stress-ng
if [ -d "$KOBJ/modroot/lib/modules" ]; then
	cp -a "$KOBJ/modroot/lib/modules/." "$ROOT/lib/modules/"
fi
echo "root:x:0:0:root:/root:/bin/sh" >"$ROOT/etc/passwd"
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
	cpio -o -0 -H newc --reproducible --quiet) >"$ABUILD/initramfs.cpio"
info "$(du -h "$ABUILD/initramfs.cpio" | cut -f1) initramfs"
