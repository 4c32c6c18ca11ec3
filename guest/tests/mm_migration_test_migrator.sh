#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's mm migration selftest with test_migrator copying every batch.
exec /usr/lib/vmtest/mm_migration_offload.sh test_migrator "$@"
