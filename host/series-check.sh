#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make series-check: the series is bisectable.  Check out each commit that
# `make series` made on the pristine base, in order, and build the guest
# kernel after each one (incrementally, in its own O= directory).  Fails
# naming the first patch that does not build.
. "$(dirname "$0")/lib.sh"

OBJ=$BUILD/series-obj
FRAGMENTS=$KFRAGMENTS

git -C "$SERIES_GIT" rev-parse -q --verify series >/dev/null ||
	die "no series yet: run make series"
mapfile -t commits < <(git -C "$SERIES_GIT" rev-list --reverse base..series)
total=${#commits[@]}
mkdir -p "$OBJ"
n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subject=$(git -C "$SERIES_GIT" log -1 --format=%s "$c")
	step "[$n/$total] building after: $subject"
	git -C "$SERIES_GIT" checkout -q -f "$c"
	# Symbols the fragments name may not exist yet at this step: configure
	# leniently here; make kernel is where the fragments are enforced.
	# shellcheck disable=SC2086
	(cd "$SERIES_GIT" && scripts/kconfig/merge_config.sh -n -O "$OBJ" $FRAGMENTS) \
		>"$LOGDIR/series-config.log" 2>&1 ||
		die "patch $n ($subject): configuration failed (log: $LOGDIR/series-config.log)"
	log=$LOGDIR/series-build-$n.log
	[ -f "$OBJ/vmlinux" ] || info "first build in $OBJ is a cold one (3 to 10 minutes)"
	if ! make -C "$SERIES_GIT" O="$OBJ" -j"$JOBS" bzImage modules >"$log" 2>&1; then
		grep -E 'error|Error' "$log" | head -n 20 >&2 || true
		git -C "$SERIES_GIT" checkout -q -f series
		die "patch $n does not build: $subject (log: $log)"
	fi
	warnings=$(grep -c 'warning:' "$log" || true)
	info "ok ($warnings compiler warnings; log: $log)"
done
git -C "$SERIES_GIT" checkout -q -f series
step "All $total patches build one after the other"
