# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest scripts: the result channel protocol.
#
# Every line for the host goes to the second serial port, /dev/ttyS1 on
# x86 and /dev/ttyAMA1 (a PL011) on arm64 (falls back to stdout):
#   @@vmtest progress TEXT           shown to the user while the VM runs
#   @@vmtest plan NAME CASE          a test case the run will try (inventory)
#   @@vmtest mode KEY=VALUE ...      how the run was set up (campaign, filter)
#   @@vmtest begin KIND NAME         KIND is ktap or bench
#   ... the block's lines ...
#   @@vmtest case begin NAME t=UPTIME  a test case of a ktap block starts
#   @@vmtest case end NAME t=UPTIME    ... and has its result
#   @@vmtest end KIND NAME rc=N secs=N
#   @@vmtest done rc=N               the guest finished

VM_OUT=/dev/stdout
for VM_OUT in /dev/ttyS1 /dev/ttyAMA1 /dev/stdout; do
	[ ! -c "$VM_OUT" ] || break
done

vm_result_line() { echo "$*" >>"$VM_OUT"; }
vm_progress() { vm_result_line "@@vmtest progress $*"; echo "vmtest: $*" >/dev/console; }

# vm_case_times: copy KTAP from stdin to stdout, with a "case begin" line
# (uptime) before each kselftest harness "#  RUN" line and a "case end"
# line after each top-level result, so that the host can time every case
# and name the one that was running if the guest stops.  The harness
# flushes its stdout before it forks each test, so lines arrive when they
# are printed even through this pipe.
vm_case_times() {
	awk 'function now(  l, a) {
		l = ""; getline l <"/proc/uptime"; close("/proc/uptime")
		split(l, a, " "); return a[1]
	}
	/^# +RUN +/ { print "@@vmtest case begin " $3 " t=" now() }
	{ print }
	/^ok [0-9]+ / { print "@@vmtest case end " $3 " t=" now() }
	/^not ok [0-9]+ / { print "@@vmtest case end " $4 " t=" now() }
	{ fflush() }'
}

# vm_block KIND NAME CMD...: run CMD, its output becomes the block.
vm_block() {
	local kind=$1 name=$2 rc=0 start
	shift 2
	start=$(cut -d. -f1 /proc/uptime)
	vm_result_line "@@vmtest begin $kind $name"
	# Streamed, so that a guest that dies mid-way still shows how far it
	# got.  A ktap block takes stderr too: kselftest_harness.h's TH_LOG()
	# and failed assertions say there, as "# " diagnostic lines, why a
	# test failed, and the summary quotes them.  Other kinds are parsed
	# by the host, and their stderr goes to the console log.
	if [ "$kind" = ktap ]; then
		(set -o pipefail; "$@" 2>&1 | vm_case_times) >>"$VM_OUT" || rc=$?
	else
		"$@" >>"$VM_OUT" 2>/dev/console || rc=$?
	fi
	vm_result_line "@@vmtest end $kind $name rc=$rc secs=$(($(cut -d. -f1 /proc/uptime) - start))"
	return $rc
}

# vm_list_cases PROGRAM [ARG...]: the full names (fixture[.variant].test)
# of a kselftest harness program's tests, one per line, from its own
# "-l" table ("%-20s %-25s %s" rows pairing the fixture's variants with
# its tests; a long name pushes the next column right).
vm_list_cases() {
	"$@" -l 2>&1 | awk '
	function flush(  i, j) {
		for (i = 1; i <= (nv ? nv : 1); i++)
			for (j = 1; j <= nt; j++)
				print f "." (nv ? v[i] "." : "") t[j]
		nv = nt = 0
	}
	/^#/ { next }
	/^----/ { flush(); next }
	{
		line = $0; flen = 0
		if (line !~ /^ /) {
			flush(); f = $1; flen = length(f)
		}
		rest = substr(line, (flen > 20 ? flen : 20) + 2)
		if (rest ~ /^[^ ]/) {
			split(rest, w, " "); v[++nv] = w[1]
			rest = substr(rest, length(w[1]) + 1)
		}
		gsub(/^ +| +$/, "", rest)
		if (rest != "")
			t[++nt] = rest
	}
	END { flush() }'
}

# vm_selected NAME: whether suite or case NAME is selected by TESTS, a
# comma-separated list of shell globs over "suite" and "suite.case"
# names (empty: everything).
vm_selected() {
	local pat IFS=, ret=1
	[ -n "${TESTS:-}" ] || return 0
	set -f
	for pat in $TESTS; do
		# shellcheck disable=SC2254
		case $1 in $pat) ret=0; break ;; esac
	done
	set +f
	return $ret
}

# vm_plan DIR: list the cases of every program in DIR, for the selection
# below (in /tmp/vmtest-cases) and for the host, as "plan" lines.
VM_CASES=/tmp/vmtest-cases
vm_plan() {
	local t name c
	mkdir -p $VM_CASES
	for t in "$1"/*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		vm_list_cases "$t" >"$VM_CASES/$name"
		while read -r c; do
			vm_result_line "@@vmtest plan $name $c"
		done <"$VM_CASES/$name"
	done
}

# vm_run_programs DIR: run the selected cases of every program in DIR
# (after vm_plan), each program as a ktap block; a filtered run names its
# cases with the harness's own "-r fixture.variant.test".  Fails if any
# program did.
vm_run_programs() {
	local t name c all rc=0
	for t in "$1"/*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		set --
		all=1
		for c in $(cat "$VM_CASES/$name"); do
			if vm_selected "$name" || vm_selected "$name.$c"; then
				set -- "$@" -r "$c"
			else
				all=0
			fi
		done
		[ $# -gt 0 ] || continue
		[ $all = 0 ] || set --
		vm_progress "test: $name${1:+ ($(($# / 2)) cases)}"
		vm_block ktap "$name" "$t" "$@" || rc=1
	done
	return $rc
}

# vm_tiers: check the memory tiers host/vm.sh asked for: nodes 0 and 1
# (the CPU nodes) in one tier, node 2 (memory only) alone in a lower one,
# and node 2 the demotion target of both.  Prints one "ok ..." line, or
# what is wrong and returns 1.
vm_tiers() {
	local d=/sys/devices/virtual/memory_tiering t top="" low="" bad=0 n
	for t in "$d"/memory_tier*; do
		[ -r "$t/nodelist" ] || continue
		case $(cat "$t/nodelist") in
		0-1) top=${t##*memory_tier} ;;
		2) low=${t##*memory_tier} ;;
		*) echo "memory tier ${t##*/} holds nodes $(cat "$t/nodelist")"; bad=1 ;;
		esac
	done
	[ -n "$top" ] || { echo "no memory tier holds exactly nodes 0-1"; bad=1; }
	[ -n "$low" ] || { echo "no memory tier holds exactly node 2"; bad=1; }
	[ -n "$top" ] && [ -n "$low" ] && [ "$low" -le "$top" ] &&
		{ echo "node 2's tier $low is not below tier $top"; bad=1; }
	[ "$(cat /sys/devices/system/node/has_cpu 2>/dev/null)" = 0-1 ] ||
		{ echo "CPU nodes: $(cat /sys/devices/system/node/has_cpu 2>/dev/null), not 0-1"; bad=1; }
	for n in 0 1; do
		dmesg | grep -q "Demotion targets for Node $n: preferred: 2," ||
			{ echo "node $n does not demote to node 2: $(dmesg | grep "Demotion targets for Node $n" | tail -n1)"; bad=1; }
	done
	if [ $bad != 0 ]; then
		# Why, in the kernel's words: a rejected HMAT says so first.
		dmesg | grep -E 'memory-tiers|DRAM node|performance of|abstract distance' | head -n 20
		dmesg | grep 'acpi/hmat' | head -n 20
		return 1
	fi
	echo "ok nodes 0-1 in memory_tier$top, node 2 in memory_tier$low, demoting to node 2"
}

# unload_modules: unload every module, so that what a module leaks at
# unload is seen, and DMA-API debugging checks that no device has a
# mapping left.  Prints what stays loaded.
unload_modules() {
	local left=1 before
	while [ "$left" -gt 0 ]; do
		before=$left
		for m in $(cut -d' ' -f1 /proc/modules); do
			rmmod "$m" 2>/dev/null
		done
		left=$(wc -l </proc/modules)
		[ "$left" -lt "$before" ] || break
	done
	[ "$left" -eq 0 ] || { echo "modules left loaded:"; cat /proc/modules; }
}

# debug_report: the debug kernel's last word.  kmemleak reports objects
# unreferenced for 5 s, so wait, scan twice (what a scan frees can make a
# second one find more) and hand over what it found; DMA-API debugging
# must still be on (it turns itself off when it runs out of memory) and
# have no error.  Any line of this block fails the run.
KMEMLEAK=/sys/kernel/debug/kmemleak
debug_report() {
	local d=/sys/kernel/debug/dma-api
	[ -w $KMEMLEAK ] || { echo "no $KMEMLEAK: not the debug kernel"; return 1; }
	sleep 6
	echo scan >$KMEMLEAK && sleep 1 && echo scan >$KMEMLEAK || return 1
	cat $KMEMLEAK
	[ -r $d/disabled ] || { echo "no $d: not the debug kernel"; return 1; }
	[ "$(cat $d/disabled)" = N ] || echo "DMA-API debugging turned itself off"
	[ "$(cat $d/error_count)" = 0 ] ||
		echo "DMA-API debugging found $(cat $d/error_count) error(s)"
}

# vm_kunit_blocks: hand over the KTAP of every KUnit suite that ran (built
# in: at boot; modules: when loaded), one ktap block each, from debugfs.
vm_kunit_blocks() {
	local suite name rc=0
	if [ ! -d /sys/kernel/debug/kunit ]; then
		echo "no /sys/kernel/debug/kunit" >/dev/console
		return 1
	fi
	for suite in /sys/kernel/debug/kunit/*/; do
		name=$(basename "$suite")
		[ -r "$suite/results" ] || continue
		vm_progress "kunit: $name"
		vm_block ktap "kunit.$name" cat "$suite/results" || rc=1
	done
	return $rc
}

# vm_leaks_baseline: leaks are judged on what the tests do: whatever boot
# left unreferenced is reported once to kmemleak and set aside.
vm_leaks_baseline() {
	if [ -w $KMEMLEAK ]; then
		echo scan >$KMEMLEAK && echo clear >$KMEMLEAK
	fi
}

# vm_final_blocks: after the tests, every module unloaded (what a module
# leaks at unload is then seen, and DMA-API debugging checks that no
# device has a mapping left), then kmemleak's and DMA-API debugging's
# last word.  Fails if either block did.
vm_final_blocks() {
	local rc=0
	vm_progress "unloading the modules"
	vm_block modules unload unload_modules || rc=1
	vm_progress "kmemleak scan, DMA-API state"
	vm_block debug final debug_report || rc=1
	return $rc
}
