# SPDX-License-Identifier: GPL-2.0
# make check, guest side, in the arm64 VM (QEMU's xlnx-versal-virt): the
# tests of the ZynqMP DMA (ZDMA) channels, a model of real DMA hardware
# driven by drivers/dma/xilinx/zynqmp_dma.c.
#
# From the kernel command line (vmtest.KEY=VALUE, set by host/check.sh):
#   TESTS, KUNIT, FULL   as in the x86 VM's check.sh
. /usr/lib/vmtest/lib.sh
rc=0
T=/usr/lib/vmtest/tests
ZDMA_CHANS=8

# The short campaign, as on x86: fewer dmatest iterations, less memory
# moved.  What the user set wins.
if [ "${FULL:-0}" != 1 ]; then
	export FULL=0
	export DMATEST_ITERATIONS="${DMATEST_ITERATIONS:-100}"
	export ZDMA_MIGRATE_MB="${ZDMA_MIGRATE_MB:-16}"
fi
vm_result_line "@@vmtest mode full=$FULL tests=${TESTS:-}"

# The machine: two NUMA nodes (numa=fake=2) and the eight ZDMA channels,
# bound to the driver.  The channels need a descriptor pool that holds a
# transaction of a whole scatterlist (up to 255 chunks in the KUnit
# suite); the tests that need more set it themselves.
zdma_topology() {
	local nodes chans
	modprobe zynqmp_dma descs_per_chan=256 || { echo "modprobe zynqmp_dma failed"; return 1; }
	nodes=$(cat /sys/devices/system/node/has_memory 2>/dev/null)
	chans=$(ls -d /sys/bus/platform/drivers/xilinx-zynqmp-dma/*.dma 2>/dev/null | wc -l)
	[ "$nodes" = 0-1 ] || { echo "nodes with memory: '$nodes', not 0-1"; return 1; }
	[ "$chans" = $ZDMA_CHANS ] ||
		{ echo "$chans ZDMA channels bound to the driver, not $ZDMA_CHANS"; dmesg | grep -i zynqmp; return 1; }
	echo "ok nodes 0-1 (numa=fake=2), $chans ZDMA channels ($(ls /sys/class/dma | tr '\n' ' '))"
}
vm_block topology zdma zdma_topology || rc=1

vm_plan "$T"

vm_leaks_baseline

# KUnit: the built-in suites ran at boot; of the modular ones only the
# client suite of DMA_MEMCPY_SG, on the first ZDMA channel (swdma, and
# the suites that test it, run in the x86 VM).
first=$(ls /sys/class/dma | head -n 1)
if [ "${KUNIT:-1}" != 0 ]; then
	vm_progress "kunit: loading memcpy_sg_chan_kunit on $first"
	modprobe memcpy_sg_chan_kunit channel="$first" ||
		{ echo "modprobe memcpy_sg_chan_kunit failed" >/dev/console; rc=1; }
fi
vm_kunit_blocks || rc=1

vm_run_programs "$T" || rc=1

# Modules unloaded, kmemleak and DMA-API debugging (guest/lib.sh)
vm_final_blocks || rc=1
exit $rc
