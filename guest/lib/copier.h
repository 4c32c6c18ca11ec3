/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The copier under test in a kselftest-harness program: who copies the
 * folios page migration moves.
 *
 *   COPIER_MOVE  vm.migrate_batch_copy=0: each folio in its own move, as
 *                without the series (no batch step, no tracepoint)
 *   COPIER_STEP  =2: the CPU copies the batch in the batch copy step
 *   COPIER_TEST_MIGRATOR, COPIER_MTCOPY, COPIER_DCBM (over swdma):
 *                =1, the migrator registered for the reasons given
 *
 * Only one migrator may be registered: copier_setup() turns the others
 * off.  It asserts (the harness's ASSERT_*), so include it after
 * kselftest_harness.h.  copier_restore() puts back what setup changed.
 */
#ifndef COPIER_H
#define COPIER_H

#include <stdlib.h>
#include <unistd.h>

#include "vmtest.h"

#define COPIER_BATCH_SYSCTL	"/proc/sys/vm/migrate_batch_copy"
#define COPIER_TM		"/sys/module/test_migrator/parameters/"
#define COPIER_TM_STATS		"/sys/kernel/debug/test_migrator/stats"
#define COPIER_MTCOPY_DIR	"/sys/module/mtcopy/parameters/"
#define COPIER_DCBM_DIR		"/sys/module/dcbm/parameters/"

enum copier {
	COPIER_MOVE, COPIER_STEP, COPIER_TEST_MIGRATOR, COPIER_MTCOPY,
	COPIER_DCBM,
};

/* What each migrator's setup writes, and restore puts back. */
static const char *const copier_saved[] = {
	"reason_mask", "min_batch_bytes", "offloading",
};
#define COPIER_NR_SAVED	(sizeof(copier_saved) / sizeof(copier_saved[0]))

struct copier_state {
	enum copier copier;
	const char *params;	/* the migrator's parameters, or NULL */
	char old_batch[16];
	char old_params[COPIER_NR_SAVED][64];
};

/* The copier field of mm_migrate_copy_batch events the copier makes */
static inline const char *copier_name(enum copier copier)
{
	switch (copier) {
	case COPIER_TEST_MIGRATOR:
		return "test_migrator";
	case COPIER_MTCOPY:
		return "mtcopy";
	case COPIER_DCBM:
		return "dcbm";
	default:
		return "cpu";
	}
}

static inline bool copier_is_migrator(enum copier copier)
{
	return copier >= COPIER_TEST_MIGRATOR;
}

/* Folios the migrator under test counted as copied (0 for the CPU). */
static inline long long copier_copied(const struct copier_state *c)
{
	if (c->copier == COPIER_TEST_MIGRATOR)
		return file_key(COPIER_TM_STATS, "copied");
	if (c->params)
		return file_number_at(c->params, "folios_migrated");
	return 0;
}

/* The migrator serves @mask (migrate_offload_reason_mask_parse()). */
static inline int copier_set_mask(const struct copier_state *c,
				  const char *mask)
{
	return c->params ? file_write_at(c->params, "reason_mask", mask) : 0;
}

/*
 * Make @copier the copier of every migration, for the reasons in @mask
 * (a migrator's reason_mask; ignored for the CPU), and of every batch
 * size (min_batch_bytes=0).
 */
static inline void copier_setup(struct __test_metadata *_metadata,
				struct copier_state *c, enum copier copier,
				const char *mask)
{
	static const char *const batch[] = {
		[COPIER_MOVE] = "0", [COPIER_STEP] = "2",
	};
	const char *dir = NULL;
	unsigned int i;

	c->copier = copier;
	ASSERT_EQ(0, file_read(COPIER_BATCH_SYSCTL, c->old_batch,
			       sizeof(c->old_batch)));
	file_write(COPIER_TM "offloading", "0");
	if (!access(COPIER_MTCOPY_DIR, F_OK))
		file_write(COPIER_MTCOPY_DIR "offloading", "0");
	if (!access(COPIER_DCBM_DIR, F_OK))
		file_write(COPIER_DCBM_DIR "offloading", "0");

	switch (copier) {
	case COPIER_MOVE:
	case COPIER_STEP:
		ASSERT_EQ(0, file_write(COPIER_BATCH_SYSCTL, batch[copier]));
		return;
	case COPIER_TEST_MIGRATOR:
		dir = COPIER_TM;
		ASSERT_EQ(0, file_write(COPIER_TM_STATS, "0"));
		/* A copier that copies: no failure left by an earlier user */
		ASSERT_EQ(0, file_write(COPIER_TM "fail_every", "0"));
		break;
	case COPIER_MTCOPY:
		ASSERT_EQ(0, system("modprobe mtcopy"));
		dir = COPIER_MTCOPY_DIR;
		break;
	case COPIER_DCBM:
		ASSERT_EQ(0, system("modprobe swdma && modprobe dcbm"));
		dir = COPIER_DCBM_DIR;
		break;
	}
	ASSERT_EQ(0, file_write(COPIER_BATCH_SYSCTL, "1"));
	for (i = 0; i < COPIER_NR_SAVED; i++) {
		ASSERT_EQ(0, file_read_at(dir, copier_saved[i],
					  c->old_params[i],
					  sizeof(c->old_params[i])));
	}
	c->params = dir;
	if (copier != COPIER_TEST_MIGRATOR)
		ASSERT_EQ(0, file_write_at(dir, "folios_migrated", "0"));
	ASSERT_EQ(0, file_write_at(dir, "reason_mask", mask));
	ASSERT_EQ(0, file_write_at(dir, "min_batch_bytes", "0"));
	ASSERT_EQ(0, file_write_at(dir, "offloading", "1"));
}

static inline void copier_restore(struct copier_state *c)
{
	unsigned int i;

	for (i = COPIER_NR_SAVED; c->params && i-- > 0;)
		file_write_at(c->params, copier_saved[i], c->old_params[i]);
	c->params = NULL;
	if (*c->old_batch)
		file_write(COPIER_BATCH_SYSCTL, c->old_batch);
}

#endif /* COPIER_H */
