// SPDX-License-Identifier: GPL-2.0
/*
 * migrator_load - the migrator modules enabled at load time, a load that
 * fails after offloading=1 was parsed, and a forced unload while enabled.
 *
 * For dcbm (over swdma) and mtcopy:
 *  - at_load: "modprobe <m> offloading=1" registers the migrator once the
 *    module is up, and batches go through it;
 *  - failed_load: "modprobe <m> offloading=1 <bad parameter>" fails, and
 *    leaves no migrator registered behind the module it freed (the next
 *    load with offloading=1 must register, and pages must still move);
 *  - forced_unload: "rmmod -f" (CONFIG_MODULE_FORCE_UNLOAD, which the
 *    debug kernel has) of an enabled migrator unregisters it in
 *    module_exit: nothing dangles, another load registers again.
 *
 * Every move is checked word by word.  A built-in migrator enabled on the
 * kernel command line is tested by a boot of its own (boot_builtin).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "pages.h"

#define NR_PAGES	512	/* the most one batch holds */
/*
 * Enabled at load, taking every batch of every reason (these are below
 * the defaults, and dcbm does not serve move_pages(2) by default).
 */
#define ON		"offloading=1 min_batch_bytes=0 reason_mask=all"

static const char *const migrators[] = { "test_migrator", "mtcopy", "dcbm" };

FIXTURE(load)
{
	char *buf;
	char params[128];
};

FIXTURE_VARIANT(load)
{
	const char *name;
	const char *bad;	/* a parameter its load refuses */
	bool swdma;		/* needs swdma's channels */
	long long min_bytes;	/* default min_batch_bytes */
	long long batch_bytes;	/* default batch_bytes */
	long long min_share;	/* default min_share_bytes */
	const char *reasons;	/* default reason_mask */
	bool syscall;		/* serves move_pages(2) by default */
	unsigned int big;	/* pages of a batch it takes by default */
};

FIXTURE_VARIANT_ADD(load, dcbm)
{
	.name = "dcbm",
	.bad = "nr_dma_chan=99",
	.swdma = true,
	.min_bytes = 2 << 20,
	.batch_bytes = 8 << 20,
	.min_share = 2 << 20,
	.reasons = "numa_misplaced,demotion,damon",
	.big = 512,
};

FIXTURE_VARIANT_ADD(load, mtcopy)
{
	.name = "mtcopy",
	.bad = "nr_threads=0",
	.min_bytes = 256 << 10,
	.batch_bytes = 0,
	.min_share = 256 << 10,
	.reasons = "all",
	.syscall = true,
	.big = 64,
};

static bool loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters", name);
	return !access(path, F_OK);
}

static int modprobe(const char *name, const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "modprobe %s %s 2>/dev/null", name, args);
	return system(cmd);
}

FIXTURE_SETUP(load)
{
	char path[160];
	unsigned int i;

	if (!pages_two_nodes())
		SKIP(return, "needs NUMA nodes 0 and 1 with memory");
	snprintf(self->params, sizeof(self->params), "/sys/module/%s/parameters/",
		 variant->name);
	/* No migrator registered, and this one not loaded. */
	for (i = 0; i < sizeof(migrators) / sizeof(migrators[0]); i++) {
		if (!loaded(migrators[i]))
			continue;
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/offloading",
			 migrators[i]);
		ASSERT_EQ(0, file_write(path, "0"));
	}
	if (loaded(variant->name))
		ASSERT_EQ(0, delete_module_(variant->name))
			TH_LOG("%s: %s", variant->name, strerror(errno));
	if (variant->swdma)
		ASSERT_EQ(0, modprobe("swdma", ""));
	self->buf = pages_map(NR_PAGES);
	ASSERT_NE(NULL, self->buf);
	pages_fill(self->buf, NR_PAGES, 7);
}

FIXTURE_TEARDOWN(load)
{
	char path[160];

	if (self->buf)
		munmap(self->buf, NR_PAGES * PAGES_SZ);
	if (loaded(variant->name)) {
		snprintf(path, sizeof(path), "%soffloading", self->params);
		file_write(path, "0");
		delete_module_(variant->name);
	}
}

/* Move the pages there and back, checking them; the migrator's count. */
static long long round_trip(struct __test_metadata *_metadata,
			    FIXTURE_DATA(load) *self)
{
	char path[160];
	int node;

	snprintf(path, sizeof(path), "%sfolios_migrated", self->params);
	if (file_write(path, "0"))
		return -1;
	for (node = 1; node >= 0; node--) {
		if (pages_move(self->buf, NR_PAGES, node))
			return -1;
		if (pages_verify(self->buf, NR_PAGES, 7))
			return -1;
	}
	return file_number(path);
}

/* Move the pages there and back with no migrator: on the CPU. */
static bool cpu_trip(FIXTURE_DATA(load) *self)
{
	int node;

	for (node = 1; node >= 0; node--)
		if (pages_move(self->buf, NR_PAGES, node) ||
		    pages_verify(self->buf, NR_PAGES, 7))
			return false;
	return true;
}

static long long param(FIXTURE_DATA(load) *self, const char *name)
{
	return file_number_at(self->params, name);
}

/* Move @count pages to node 1 and back; what the migrator copied. */
static long long moved_by(FIXTURE_DATA(load) *self, unsigned int count,
			  long long *declined)
{
	char path[160];
	int node;

	snprintf(path, sizeof(path), "%sfolios_migrated", self->params);
	if (file_write(path, "0"))
		return -1;
	snprintf(path, sizeof(path), "%sfolios_failures", self->params);
	if (file_write(path, "0"))
		return -1;
	for (node = 1; node >= 0; node--)
		if (pages_move(self->buf, count, node) ||
		    pages_verify(self->buf, NR_PAGES, 7))
			return -1;
	*declined = file_number(path);
	return param(self, "folios_migrated");
}

/*
 * The defaults a plain load gets: the reasons it serves (mtcopy every
 * reason a migrator may serve, "all": soft offline is refused by the
 * core; dcbm tiering's alone, so a move_pages(2) batch is not even
 * offered to it), and, for move_pages(2) batches, a single 4K page
 * (what a NUMA hinting fault moves) stays with the CPU while a batch of
 * the size the migrator is for goes to it.
 */
TEST_F(load, defaults)
{
	long long declined = -1;
	char mask[256], path[160];

	ASSERT_EQ(0, modprobe(variant->name, "offloading=1"));
	EXPECT_EQ(variant->min_bytes, param(self, "min_batch_bytes"));
	EXPECT_EQ(variant->batch_bytes, param(self, "batch_bytes"));
	EXPECT_EQ(variant->min_share, param(self, "min_share_bytes"));
	snprintf(path, sizeof(path), "%sreason_mask", self->params);
	ASSERT_EQ(0, file_read(path, mask, sizeof(mask)));
	EXPECT_STREQ(variant->reasons, mask);
	if (!variant->syscall) {
		EXPECT_EQ(0, moved_by(self, variant->big, &declined))
			TH_LOG("a move_pages(2) batch went to %s",
			       variant->name);
		EXPECT_EQ(0, declined);
		ASSERT_EQ(0, file_write(path, "syscall_or_cpuset"));
	}
	EXPECT_EQ(0, moved_by(self, 1, &declined))
		TH_LOG("a single 4K page went to %s", variant->name);
	EXPECT_EQ(2, declined);
	EXPECT_EQ(2 * variant->big, moved_by(self, variant->big, &declined));
	EXPECT_EQ(0, declined);
}

TEST_F(load, at_load)
{
	ASSERT_EQ(0, modprobe(variant->name, ON));
	ASSERT_EQ(1, param(self, "offloading"));
	ASSERT_EQ(2 * NR_PAGES, round_trip(_metadata, self))
		TH_LOG("batches did not go through %s", variant->name);
}

TEST_F(load, failed_load)
{
	char args[64];

	snprintf(args, sizeof(args), ON " %s", variant->bad);
	ASSERT_NE(0, modprobe(variant->name, args));
	ASSERT_FALSE(loaded(variant->name));
	/* Pages move, on the CPU: no migrator is left registered. */
	ASSERT_TRUE(cpu_trip(self));
	/* A good load registers: nothing holds the registration. */
	ASSERT_EQ(0, modprobe(variant->name, ON))
		TH_LOG("the failed load left a migrator registered");
	ASSERT_EQ(1, param(self, "offloading"));
	ASSERT_EQ(2 * NR_PAGES, round_trip(_metadata, self));
}

TEST_F(load, forced_unload)
{
	ASSERT_EQ(0, modprobe(variant->name, ON));
	/* Registration pins the module: a plain unload is refused. */
	ASSERT_NE(0, delete_module_(variant->name));
	ASSERT_EQ(0, syscall(SYS_delete_module, variant->name,
			     O_NONBLOCK | O_TRUNC))
		TH_LOG("rmmod -f %s: %s", variant->name, strerror(errno));
	ASSERT_FALSE(loaded(variant->name));
	ASSERT_TRUE(cpu_trip(self));
	ASSERT_EQ(0, modprobe(variant->name, ON))
		TH_LOG("the forced unload left a migrator registered");
	ASSERT_EQ(2 * NR_PAGES, round_trip(_metadata, self));
}

TEST_HARNESS_MAIN
