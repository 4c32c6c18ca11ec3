#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build the guest kernel out of tree (O=$KOBJ).
#
# The .config is regenerated with the kernel's merge_config.sh only when a
# fragment or a Kconfig file of the overlay changes; everything else is an
# incremental make.  Modules are installed into $KOBJ/modroot for packing.
. "$(dirname "$0")/lib.sh"

FRAGMENTS=$KFRAGMENTS

"$TOP/host/deps.sh" build
[ "$GUEST_ARCH" = x86_64 ] || "$TOP/host/deps.sh" "$GUEST_ARCH"
"$TOP/host/tree.sh"

mkdir -p "$KOBJ"
kconfigs=$(grep -E '(^|/)Kconfig[^/]*$' "$STAGE.files" | sed "s|^|$KTREE/|" || true)
# shellcheck disable=SC2086
cfg_hash=$(hash_of $FRAGMENTS $kconfigs)
if [ ! -f "$KOBJ/.config" ] || [ "$(cat "$KOBJ/.config-hash" 2>/dev/null)" != "$cfg_hash" ]; then
	step "Configuring the $GUEST_ARCH kernel (allnoconfig + $(for f in $FRAGMENTS; do basename "$f"; done | tr '\n' ' '))"
	rm -f "$KOBJ/.config-hash"
	# shellcheck disable=SC2086
	if ! (cd "$KTREE" && env "${KMAKE_ARGS[@]}" \
			scripts/kconfig/merge_config.sh -n -O "$KOBJ" $FRAGMENTS) \
			>"$LOGDIR/config.log" 2>&1; then
		tail -n 30 "$LOGDIR/config.log" >&2
		die "kernel configuration failed (log: $LOGDIR/config.log)"
	fi
	# merge_config only warns when a requested value does not stick; for
	# us that is an error: a test or a feature would silently be missing.
	if grep -q -A2 'Value requested for' "$LOGDIR/config.log"; then
		grep -A2 'Value requested for' "$LOGDIR/config.log" >&2
		die "config fragments request values the kernel did not take (log: $LOGDIR/config.log)"
	fi
	echo "$cfg_hash" >"$KOBJ/.config-hash"
fi

if [ ! -f "$KOBJ/vmlinux" ]; then
	step "Building the $GUEST_ARCH kernel (cold build: 3 to 10 minutes on 2 cores; log: $LOGDIR/kernel-build.log)"
else
	step "Building the $GUEST_ARCH kernel (incremental; log: $LOGDIR/kernel-build.log)"
fi
start=$SECONDS
# Show a progress line every 250 build steps instead of thousands of lines.
if ! make -C "$KTREE" O="$KOBJ" "${KMAKE_ARGS[@]}" -j"$JOBS" "$KIMAGE" modules 2>&1 |
		tee "$LOGDIR/kernel-build.log" |
		awk '/^  [A-Z]/ { n++; if (n % 250 == 0) { printf "    ... %d steps (%s)\n", n, $NF; fflush() } }'; then
	grep -E 'error|Error' "$LOGDIR/kernel-build.log" | head -n 20 >&2 || true
	tail -n 15 "$LOGDIR/kernel-build.log" >&2
	die "kernel build failed (log: $LOGDIR/kernel-build.log)"
fi
info "kernel built in $((SECONDS - start)) s: $(make -s -C "$KTREE" O="$KOBJ" "${KMAKE_ARGS[@]}" kernelrelease)"

rm -rf "$KOBJ/modroot"
make -s -C "$KTREE" O="$KOBJ" "${KMAKE_ARGS[@]}" INSTALL_MOD_PATH="$KOBJ/modroot" INSTALL_MOD_STRIP=1 \
	DEPMOD=/sbin/depmod modules_install >>"$LOGDIR/kernel-build.log" 2>&1 ||
	die "modules_install failed (log: $LOGDIR/kernel-build.log)"
