#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages an entry point needs; idempotent.
#
#   host/deps.sh build|vm|bench|lint|arm64 ...
#
# arm64 is what the arm64 VM needs on an x86 host: the cross compiler and
# C library, QEMU's aarch64 machines, and Debian's static busybox for
# arm64, downloaded (not installed) and unpacked into $BUILD/arm64/debs,
# which takes dpkg's arm64 architecture.
#
# Packages already installed are skipped.  As root the missing ones are
# installed with apt-get; otherwise the script names them and the command
# that installs them, and fails.
. "$(dirname "$0")/lib.sh"

pkgs_build="gcc make bc bison flex libelf-dev libssl-dev cpio xz-utils kmod
	    perl python3 patch diffutils libc6-dev libnuma-dev $KSRC_PKG"
pkgs_vm="qemu-system-x86 busybox-static stress-ng"
pkgs_bench="gnuplot-nox"
pkgs_lint="sparse git"
pkgs_arm64="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm"
# Debian packages for arm64 whose files the arm64 initramfs takes
debs_arm64="busybox-static"

want="" foreign=""
for group in "$@"; do
	case $group in
	build) want="$want $pkgs_build" ;;
	vm)    want="$want $pkgs_vm" ;;
	bench) want="$want $pkgs_bench" ;;
	lint)  want="$want $pkgs_lint" ;;
	arm64) want="$want $pkgs_arm64" foreign="$foreign $debs_arm64" ;;
	*) die "host/deps.sh: unknown package group '$group'" ;;
	esac
done

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
missing=${missing# }

# fetch_foreign ARCH PKG...: download and unpack Debian packages of another
# architecture into $BUILD/ARCH/debs (once: a stamp names what is there).
fetch_foreign() {
	local arch=$1 dir=$BUILD/$1/debs p
	shift
	[ "$(cat "$dir/.stamp" 2>/dev/null)" = "$*" ] && return 0
	[ "$(id -u)" = 0 ] || die "Debian's $arch packages ($*) are needed in $dir; as root: host/deps.sh $arch"
	if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		step "Adding dpkg's $arch architecture (to download $*)"
		dpkg --add-architecture "$arch"
		apt-get update >>"$LOGDIR/apt.log" 2>&1 || die "apt-get update failed (log: $LOGDIR/apt.log)"
	fi
	step "Downloading Debian's $* for $arch"
	rm -rf "$dir"
	mkdir -p "$dir/root"
	for p in "$@"; do
		if ! (cd "$dir" && apt-get download "$p:$arch") >>"$LOGDIR/apt.log" 2>&1; then
			apt-get update >>"$LOGDIR/apt.log" 2>&1 || true
			(cd "$dir" && apt-get download "$p:$arch") >>"$LOGDIR/apt.log" 2>&1 ||
				die "apt-get download $p:$arch failed (log: $LOGDIR/apt.log)"
		fi
	done
	for p in "$dir"/*.deb; do
		dpkg-deb -x "$p" "$dir/root" || die "cannot unpack $p"
	done
	echo "$*" >"$dir/.stamp"
}

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		die "missing Debian packages: $missing
    install them with:  sudo apt-get install -y $missing"
	fi

	step "Installing Debian packages: $missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	if ! apt-get install -y --no-install-recommends $missing >"$LOGDIR/apt.log" 2>&1; then
		info "apt-get install failed; refreshing package lists and retrying"
		apt-get update >>"$LOGDIR/apt.log" 2>&1 || true
		# shellcheck disable=SC2086
		apt-get install -y --no-install-recommends $missing >>"$LOGDIR/apt.log" 2>&1 ||
			{ tail -n 20 "$LOGDIR/apt.log" >&2; die "apt-get install failed (log: $LOGDIR/apt.log)"; }
	fi
	info "done"
fi
# shellcheck disable=SC2086
[ -z "$foreign" ] || fetch_foreign arm64 $foreign
