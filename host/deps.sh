#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages an entry point needs; idempotent.
#
#   host/deps.sh build|vm|bench|lint ...
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

want=""
for group in "$@"; do
	case $group in
	build) want="$want $pkgs_build" ;;
	vm)    want="$want $pkgs_vm" ;;
	bench) want="$want $pkgs_bench" ;;
	lint)  want="$want $pkgs_lint" ;;
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
[ -z "$missing" ] && exit 0

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
