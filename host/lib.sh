# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the host scripts.  Sourced, not executed.
#
# Everything the build produces lives under $BUILD (default: ./build), which
# is ignored by git.  Paths here are the only place the layout is spelled out.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac

KVER_FILE=$TOP/kernel/base-version	# the one place the tested version lives
KSRC_PKG=linux-source-6.12
KSRC_TARBALL=/usr/src/$KSRC_PKG.tar.xz

PRISTINE=$BUILD/pristine/$KSRC_PKG	# extracted once, never modified
KTREE=$BUILD/linux			# pristine + series + kernel/src
STAGE=$BUILD/stage			# scratch: the overlay being computed
SERIES_GIT=$BUILD/series-git		# git repo of pristine, base of make series

# The VM's architecture, GUEST_ARCH: x86_64 (the default: a PC with two
# NUMA nodes and a CPU-less slower one, swdma the DMA engine) or arm64
# (QEMU's xlnx-versal-virt, whose ZDMA channels are a model of real DMA
# hardware; cross-built).  Each architecture builds from the one kernel
# tree into its own directories: ABUILD is $BUILD for x86_64 (the paths
# of the guest programs, the initramfs and the VM runs) and $BUILD/arm64
# for arm64.
GUEST_ARCH=${GUEST_ARCH:-x86_64}
# arch_build_dir ARCH: that architecture's ABUILD.
arch_build_dir() {
	case $1 in
	x86_64) echo "$BUILD" ;;
	*) echo "$BUILD/$1" ;;
	esac
}
case $GUEST_ARCH in
x86_64)
	KARCH=x86 KCROSS='' KIMAGE=bzImage KIMAGE_PATH=arch/x86/boot/bzImage
	GUEST_CC=gcc ;;
arm64)
	KARCH=arm64 KCROSS=aarch64-linux-gnu- KIMAGE=Image
	KIMAGE_PATH=arch/arm64/boot/Image GUEST_CC=aarch64-linux-gnu-gcc ;;
*) echo "error: GUEST_ARCH=$GUEST_ARCH: expected x86_64 or arm64" >&2; exit 1 ;;
esac
ABUILD=$(arch_build_dir "$GUEST_ARCH")
LOGDIR=$ABUILD/logs
# The kernel's make and its scripts take the architecture from these.
KMAKE_ARGS=(ARCH="$KARCH" CROSS_COMPILE="$KCROSS")

# Two kernels are built per architecture, each in its own build directory
# (O=), so that switching between them rebuilds nothing: the plain one
# (make bench, shell, kernel) and the one make check and make lint use,
# which adds debug.config (KASAN, lockdep, kmemleak, fault injection and
# friends).  KVARIANT=check selects
# the latter.  Config fragments are merged onto allnoconfig, in order:
# the architecture's machine first, then what every guest kernel has.
KFRAGMENTS="$TOP/kernel/configs/$KARCH.config $TOP/kernel/configs/guest.config $TOP/kernel/configs/tests.config"
case ${KVARIANT:=plain} in
plain) KOBJ=$ABUILD/obj ;;
check) KOBJ=$ABUILD/obj-check KFRAGMENTS="$KFRAGMENTS $TOP/kernel/configs/debug.config" ;;
*) echo "error: KVARIANT=$KVARIANT: expected plain or check" >&2; exit 1 ;;
esac

JOBS=${JOBS:-$(nproc)}
# vCPUs of the test VM (host/vm.sh): the kernel's migration selftest needs 3
VM_CPUS=${VM_CPUS:-4}

if [ -t 1 ]; then
	C_B=$'\e[1m' C_R=$'\e[31m' C_Y=$'\e[33m' C_G=$'\e[32m' C_0=$'\e[0m'
else
	C_B='' C_R='' C_Y='' C_G='' C_0=''
fi

# step "message": announce a long step, so nobody stares at a silent terminal.
step() { printf '%s==> %s%s\n' "$C_B" "$*" "$C_0"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$C_Y" "$C_0" "$*" >&2; }
die()  { printf '%serror:%s %s\n' "$C_R" "$C_0" "$*" >&2; exit 1; }

# hash_of FILE...: one stable hash over the names and contents of files.
hash_of() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || continue
		printf '%s\n' "${f#"$TOP"/}"
		cat "$f"
	done | sha256sum | cut -d' ' -f1
}

mkdir -p "$BUILD" "$ABUILD" "$LOGDIR"

# Run from make (make check TESTS=..., FULL=1), the variables of its
# command line would reach every make these scripts run through
# MAKEFLAGS, overriding what the kernel's and the guest's makefiles set.
# They stay in the environment, where the scripts read them.
unset MAKEFLAGS MAKEOVERRIDES MFLAGS

# QEMU arguments for an accelerator; the KVM probe boots with exactly these
# so that it fails where the real VM would.
# One socket per NUMA node, VM_CPUS / 2 cores each.
qemu_accel_args() {
	local smp="-smp $VM_CPUS,sockets=2,cores=$((VM_CPUS / 2)),threads=1"

	case $1 in
	kvm) echo "-accel kvm -cpu host $smp" ;;
	tcg) echo "-accel tcg,thread=multi -cpu max,erms=off,fsrm=off $smp" ;;
	*) die "unknown accelerator '$1' (kvm or tcg)" ;;
	esac
}

# guest_env VAR...: GUEST_ENV=(VAR=value ...) for the variables the user set,
# to hand to vm.sh; unset ones keep the guest's defaults.
guest_env() {
	local v
	GUEST_ENV=()
	for v in "$@"; do
		if [ -n "${!v:-}" ]; then
			GUEST_ENV+=("$v=${!v}")
		fi
	done
}
