#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make lint: checkpatch, kernel-doc, sparse and W=1 on our work (host/lint.py),
# compiled in make check's build directories (CI runs make check first):
# the x86 one, and the arm64 one where it has been built (it holds
# zynqmp_dma, which only arm64 builds).
export KVARIANT=check
. "$(dirname "$0")/lib.sh"

"$TOP/host/deps.sh" build lint
[ -f "$KOBJ/vmlinux" ] || "$TOP/host/build-kernel.sh"
"$TOP/host/tree.sh" >/dev/null
cross=()
arm64_kobj=$(arch_build_dir arm64)/obj-check
[ ! -f "$arm64_kobj/vmlinux" ] || cross=(--cross "$arm64_kobj:arm64:aarch64-linux-gnu-")
exec python3 "$TOP/host/lint.py" "${cross[@]}" --top "$TOP" --ktree "$KTREE" --pristine "$PRISTINE" \
	--kobj "$KOBJ" --series "$TOP/out/series" --series-git "$SERIES_GIT" \
	--log "$LOGDIR/lint-build.log"
