#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch, kernel-doc, sparse and W=1 on our work (host/lint.py),
# compiled in make check's build directory (CI runs make check first).
export KVARIANT=check
. "$(dirname "$0")/lib.sh"

"$TOP/host/deps.sh" build lint
[ -f "$KOBJ/vmlinux" ] || "$TOP/host/build-kernel.sh"
"$TOP/host/tree.sh" >/dev/null
exec python3 "$TOP/host/lint.py" --top "$TOP" --ktree "$KTREE" --pristine "$PRISTINE" \
	--kobj "$KOBJ" --series "$TOP/out/series" --series-git "$SERIES_GIT" \
	--log "$LOGDIR/lint-build.log"
