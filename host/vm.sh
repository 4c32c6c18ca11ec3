#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test VM: QEMU x86_64, serial console, our kernel and initramfs,
# and three NUMA nodes in two memory tiers: nodes 0 and 1 with memory and
# half of the vCPUs each, and node 2, memory without CPUs that the ACPI
# HMAT describes as slower (4x the latency, half the bandwidth), which
# Linux's memory tiering puts in a lower tier: the target of demotion and
# the source of promotion.  Node 2 also has a pc-dimm, which the guest
# onlines as ZONE_MOVABLE: memory that can be offlined (memory hotplug)
# and that long-term pins migrate away from.
#
#   host/vm.sh check|builtin|bench|shell [KEY=VALUE ...]
#
# With GUEST_ARCH=arm64 the VM is QEMU's xlnx-versal-virt instead: a
# model of a Xilinx Versal with two Cortex-A72s and eight ZDMA channels,
# whose memory (ARM_MEM, default 4G) the kernel cuts into two NUMA nodes
# (numa=fake=2: the machine takes no -numa options); no slow node, no
# pc-dimm.  The guest powers it off, and its status comes from the
# "@@vmtest done rc=N" line of its results.
#
# KEY=VALUE pairs reach the guest's scripts as environment variables (via
# vmtest.KEY=VALUE on the kernel command line).  Settings, from the
# environment:
#   NODE_MEM     memory of nodes 0 and 1 each (default 3G: room for 1 GB
#                migrations)
#   SLOW_MEM     memory of node 2, the slow tier (default 2G)
#   DIMM_MEM     node 2's pc-dimm, movable memory (default 256M, two
#                128M memory blocks; a multiple of 128M)
#   VM_CPUS      vCPUs: 2, 4, 6 or 8 (default 4: the kernel's migration
#                selftest needs 3, the 4-thread cases 4)
#   VM_TIMEOUT   seconds before a hung guest is killed (default 1800;
#                host/check.sh scales it to its campaign)
#   ACCEL        kvm or tcg; default: probed once (host/kvm-probe.sh)
#   VM_KERNEL_ARGS  more kernel parameters (e.g. kunit.filter_glob=swdma)
#
# In check, builtin and bench mode the console goes to $RUN/console.log and the
# guest's results (second serial port) to $RUN/results.txt, where
# RUN=$BUILD/vm/<mode>.  Exit status: 0 when the guest reported success,
# 1 when it reported failure, 2 when it did not report (crash, panic or
# timeout; the tail of the console is printed).
. "$(dirname "$0")/lib.sh"

mode=${1:-}
case $mode in check|builtin|bench|shell) ;; *) die "usage: host/vm.sh check|builtin|bench|shell [KEY=VALUE ...]" ;; esac
shift

NODE_MEM=${NODE_MEM:-3G}
SLOW_MEM=${SLOW_MEM:-2G}
DIMM_MEM=${DIMM_MEM:-256M}
mib() { echo $(( $(numfmt --from=iec "$1") / 1048576 )); }
for v in NODE_MEM SLOW_MEM; do
	[ "$(mib "${!v}" 2>/dev/null || echo 0)" -ge 512 ] ||
		die "$v must be at least 512M (a size like 3G), not '${!v}'"
done
# Linux hot-adds memory in whole memory blocks (128M in this VM).
dimm=$(mib "$DIMM_MEM" 2>/dev/null || echo 0)
[ "$dimm" -ge 128 ] && [ $((dimm % 128)) = 0 ] ||
	die "DIMM_MEM must be a multiple of 128M (a size like 256M), not '$DIMM_MEM'"
boot=$(( $(mib "$NODE_MEM") * 2 + $(mib "$SLOW_MEM") ))
# The guest kernel has CONFIG_NR_CPUS=8.
case $VM_CPUS in
2 | 4 | 6 | 8) ;;
*) die "VM_CPUS must be 2, 4, 6 or 8, not '$VM_CPUS'" ;;
esac
half=$((VM_CPUS / 2))
VM_TIMEOUT=${VM_TIMEOUT:-1800}
case $VM_TIMEOUT in
'' | *[!0-9]* | 0) die "VM_TIMEOUT must be a number of seconds, not '$VM_TIMEOUT'" ;;
esac
kernel=$KOBJ/$KIMAGE_PATH
initrd=$ABUILD/initramfs.cpio
[ -f "$kernel" ] || die "no kernel at $kernel"
[ -f "$initrd" ] || die "no initramfs at $initrd"

if [ "$GUEST_ARCH" = arm64 ]; then
	ARM_MEM=${ARM_MEM:-4G}
	[ "$(mib "$ARM_MEM" 2>/dev/null || echo 0)" -ge 1024 ] ||
		die "ARM_MEM must be at least 1G (a size like 4G), not '$ARM_MEM'"
	accel=tcg
	cmdline="console=ttyAMA0,115200 numa=fake=2 panic=-1 oops=panic vmtest=$mode${VM_KERNEL_ARGS:+ $VM_KERNEL_ARGS}"
else
	accel=$("$TOP/host/kvm-probe.sh")
	read -r -a accel_args <<<"$(qemu_accel_args "$accel")"
	cmdline="console=ttyS0,115200 panic=-1 oops=panic vmtest=$mode${VM_KERNEL_ARGS:+ $VM_KERNEL_ARGS}"
fi
# make check's boot gives node 2 a 1 GiB CMA area for run-time gigantic
# hugetlb pages, whose allocation migrates what the area holds
# (migration_reasons' contig_range case; it skips without the option).
# A node 2 under 2G has no room for it beside its other memory.
if [ "$GUEST_ARCH" = x86_64 ] && [ "$mode" = check ] && [ "$(mib "$SLOW_MEM")" -ge 2048 ]; then
	cmdline="$cmdline hugetlb_cma=2:1G"
fi
for kv in "$@"; do
	case $kv in
	*=*) cmdline="$cmdline vmtest.$kv" ;;
	*) die "host/vm.sh: expected KEY=VALUE, got '$kv'" ;;
	esac
done

RUN=$ABUILD/vm/$mode
mkdir -p "$RUN"
rm -f "$RUN/console.log" "$RUN/results.txt" "$RUN/vm-time" "$RUN/status"

# The HMAT: each CPU node sees its own memory at 10 ns and 10 GB/s, the
# other CPU node's at 20 ns and 5 GB/s, node 2's at 40 ns and 5 GB/s.  The
# CPU nodes' own figures must agree (the kernel drops HMAT-based tiers
# otherwise), and every node needs both a latency and a bandwidth.  From
# these Linux computes an abstract distance of 576 (memory_tier4) for
# nodes 0 and 1 and 4608 (memory_tier36) for node 2.  The SLIT keeps node
# 2 farther than node 1, so that node 0 spills to node 1 first.
hmat=()
for i in 0 1; do
	for t in 0 1 2; do
		if [ $t = $i ]; then lat=10 bw=10G
		elif [ $t = 2 ]; then lat=40 bw=5G
		else lat=20 bw=5G
		fi
		hmat+=(-numa "hmat-lb,initiator=$i,target=$t,hierarchy=memory,data-type=access-latency,latency=$lat"
		       -numa "hmat-lb,initiator=$i,target=$t,hierarchy=memory,data-type=access-bandwidth,bandwidth=$bw")
	done
done

if [ "$GUEST_ARCH" = arm64 ]; then
	# The machine's own devices, serial ports included, come with it:
	# -nodefaults would only drop what it does not have.
	qemu=(qemu-system-aarch64 -machine xlnx-versal-virt -accel tcg,thread=multi
		-m "$ARM_MEM" -kernel "$kernel" -initrd "$initrd" -append "$cmdline"
		-no-user-config -no-reboot -display none)
	machine="arm64 xlnx-versal-virt, 2 vCPUs, $ARM_MEM in 2 NUMA nodes, 8 ZDMA channels"
else
	qemu=(qemu-system-x86_64 -machine pc,hmat=on "${accel_args[@]}"
		-m "${boot}M,slots=1,maxmem=$((boot + dimm))M"
		-object memory-backend-ram,id=mem0,size="$NODE_MEM"
		-object memory-backend-ram,id=mem1,size="$NODE_MEM"
		-object memory-backend-ram,id=mem2,size="$SLOW_MEM"
		-numa node,nodeid=0,cpus=0-$((half - 1)),memdev=mem0
		-numa node,nodeid=1,cpus=$half-$((VM_CPUS - 1)),memdev=mem1
		-numa node,nodeid=2,memdev=mem2,initiator=0
		-object memory-backend-ram,id=dimm0,size="$DIMM_MEM"
		-device pc-dimm,id=dimm0,memdev=dimm0,node=2
		-numa dist,src=0,dst=1,val=20 -numa dist,src=0,dst=2,val=30
		-numa dist,src=1,dst=2,val=30
		"${hmat[@]}"
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
		-nodefaults -no-user-config -no-reboot -display none
		-device isa-debug-exit,iobase=0xf4,iosize=0x01)
	machine="$accel, $VM_CPUS vCPUs, nodes 0-1 x $NODE_MEM, slow node 2 $SLOW_MEM + $DIMM_MEM movable"
fi

if [ "$mode" = shell ]; then
	step "Booting the VM ($machine); 'exit' or Ctrl-A X leaves"
	rc=0
	"${qemu[@]}" -serial mon:stdio -serial null || rc=$?
	# vm-exit 0 arrives as 1 (isa-debug-exit); Ctrl-A X as 0.
	[ $rc -le 1 ] && exit 0
	exit "$rc"
fi

step "Booting the VM for '$mode' ($machine, timeout ${VM_TIMEOUT}s)"
info "console: $RUN/console.log"
: >"$RUN/results.txt"
# Show the guest's progress lines while it runs.
tail -n +1 -F "$RUN/results.txt" 2>/dev/null |
	sed -u -n 's/^@@vmtest progress /    [guest] /p' &
tailer=$!
start=$SECONDS
rc=0
(timeout --foreground -k 10 "$VM_TIMEOUT" "${qemu[@]}" \
	-serial file:"$RUN/console.log" -serial file:"$RUN/results.txt" \
	</dev/null; exit $?) >"$RUN/qemu.log" 2>&1 || rc=$?
sleep 0.3
kill "$tailer" 2>/dev/null || true
wait "$tailer" 2>/dev/null || true
elapsed=$((SECONDS - start))
echo "elapsed=$elapsed timeout=$VM_TIMEOUT" >"$RUN/vm-time"

# x86's isa-debug-exit: QEMU exits with (status << 1) | 1.  arm64 powers
# off (QEMU exits with 0): the status is the one the guest wrote.
done_rc=$(sed -n 's/^@@vmtest done rc=\([0-9]*\).*/\1/p' "$RUN/results.txt" | tail -n 1)
if [ $rc = 124 ] || [ $rc = 137 ]; then
	why="timed out after ${VM_TIMEOUT}s"
elif [ -n "$done_rc" ] && { { [ "$GUEST_ARCH" = x86_64 ] && [ $((rc & 1)) = 1 ]; } ||
		{ [ "$GUEST_ARCH" = arm64 ] && [ $rc = 0 ]; }; }; then
	if [ "$GUEST_ARCH" = x86_64 ]; then
		status=$((rc >> 1))
	else
		status=$done_rc
	fi
	echo "$status" >"$RUN/status"
	info "VM finished in ${elapsed}s, guest status $status"
	[ "$status" = 0 ] && exit 0
	exit 1
else
	why="ended without reporting (QEMU exit status $rc: panic, reboot or crash)"
fi
echo "$why" >"$RUN/status"
printf '%sVM %s%s\n' "$C_R" "$why" "$C_0" >&2
cat "$RUN/qemu.log" >&2
echo "---- last 40 lines of $RUN/console.log ----" >&2
tail -n 40 "$RUN/console.log" >&2
exit 2
