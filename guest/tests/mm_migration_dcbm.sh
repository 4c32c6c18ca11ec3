#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's mm migration selftest with dcbm copying every batch, in the
# largest batches a migrator may ask for (16 MiB): the selftest moves one
# folio per call, so this shows the larger batch limit changes nothing for
# lists shorter than it.
MIGRATION_BATCH_BYTES=16777216 exec /usr/lib/vmtest/mm_migration_offload.sh dcbm "$@"
