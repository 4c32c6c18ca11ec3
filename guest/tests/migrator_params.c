// SPDX-License-Identifier: GPL-2.0
/*
 * migrator_params - every writable parameter of the migrator modules
 * (test_migrator, mtcopy, dcbm) refuses hostile values with EINVAL and
 * keeps the value it had; valid values are taken and read back in
 * canonical form.  Also: unloading is refused while a migrator is
 * registered, and dcbm's DMA provider while dcbm holds its channels.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "hostile.h"

#define MAX_VAL	8192
/*
 * The batch and share sizes are left at their defaults: other tests rely
 * on them.  Valid values other than these are taken in migrate_verify.
 */
#define MTCOPY_BATCH	"0"
#define MTCOPY_SHARE	"262144"
#define DCBM_BATCH	"8388608"
#define DCBM_SHARE	"2097152"

/*
 * Every parameter gets the common hostile values of hostile.h (empty,
 * blank, negative, huge, non-numeric, overlong, embedded newline,
 * trailing garbage) and the ones below that only its kind refuses.
 */
struct param_case {
	const char *module, *param;
	const char *const *extra;	/* more hostile values, NULL-ended */
	const char *good, *canon;	/* a valid value and its read-back */
};

static const char *const bool_extra[] = { "2", "yes", "on", "y", "01x", NULL };
static const char *const threads_extra[] = { "0", "33", "4294967297", NULL };
static const char *const mask_extra[] = {
	"bogus", "Compaction", "0x400", "0xg", "all,none", "compaction,,demotion",
	"1", "compaction,",
	/* no migrator may serve soft offline */
	"memory_failure", "compaction,memory_failure", "0x2", "0x3ff", NULL,
};
static const char *const counter_extra[] = { "1", "42", NULL };
static const char *const chans_extra[] = { "0", "17", "4294967297", NULL };
static const char *const use_sg_extra[] = {
	"Auto", "ON", "of", "offf", "auto,off", "on off", "1", "0", NULL,
};
static const char *const timeout_extra[] = { "0", "600001", "4294967297000", NULL };
static const char *const none_extra[] = { NULL };
/* 0, or whole pages from 2 MiB to 16 MiB */
static const char *const batch_extra[] = {
	"1", "4096", "2093056", "2097153", "16781312", "33554432", "0x200000",
	"2M", NULL,
};
/* whole pages from 4 KiB to 16 MiB */
static const char *const share_extra[] = {
	"0", "1", "4095", "4097", "16781312", "0x1000", "4k", NULL,
};

static const struct param_case cases[] = {
	{ "test_migrator", "offloading", bool_extra, "0", "0" },
	{ "test_migrator", "reason_mask", mask_extra, "demotion,compaction",
	  "compaction,demotion" },
	{ "test_migrator", "fail_every", none_extra, "7", "7" },
	{ "test_migrator", "poison_magic", none_extra, "3", "3" },
	{ "test_migrator", "min_batch_bytes", none_extra, "4096", "4096" },
	{ "test_migrator", "batch_bytes", batch_extra, "0", "0" },
	{ "mtcopy", "offloading", bool_extra, "0", "0" },
	{ "mtcopy", "reason_mask", mask_extra, "0x9", "compaction,syscall_or_cpuset" },
	{ "mtcopy", "nr_threads", threads_extra, "1", "1" },
	{ "mtcopy", "min_batch_bytes", none_extra, "65536", "65536" },
	{ "mtcopy", "batch_bytes", batch_extra, MTCOPY_BATCH, MTCOPY_BATCH },
	{ "mtcopy", "min_share_bytes", share_extra, MTCOPY_SHARE, MTCOPY_SHARE },
	{ "mtcopy", "folios_migrated", counter_extra, "0", "0" },
	{ "mtcopy", "folios_failures", counter_extra, "0", "0" },
	{ "dcbm", "offloading", bool_extra, "0", "0" },
	{ "dcbm", "reason_mask", mask_extra, "numa_misplaced,syscall_or_cpuset",
	  "syscall_or_cpuset,numa_misplaced" },
	{ "dcbm", "nr_dma_chan", chans_extra, "3", "3" },
	{ "dcbm", "use_sg", use_sg_extra, "off", "off" },
	{ "dcbm", "min_batch_bytes", none_extra, "8192", "8192" },
	{ "dcbm", "batch_bytes", batch_extra, DCBM_BATCH, DCBM_BATCH },
	{ "dcbm", "min_share_bytes", share_extra, DCBM_SHARE, DCBM_SHARE },
	{ "dcbm", "timeout_ms", timeout_extra, "250", "250" },
	{ "dcbm", "folios_migrated", counter_extra, "0", "0" },
	{ "dcbm", "folios_failures", counter_extra, "0", "0" },
};

static void param_path(char *buf, size_t len, const struct param_case *c)
{
	snprintf(buf, len, "/sys/module/%s/parameters/%s", c->module, c->param);
}

static void load(struct __test_metadata *_metadata, const char *module)
{
	char cmd[128], path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", module);
	if (access(path, F_OK)) {
		snprintf(cmd, sizeof(cmd), "modprobe %s", module);
		ASSERT_EQ(0, system(cmd)) TH_LOG("%s failed", cmd);
	}
}

TEST(hostile_values)
{
	char path[128], before[MAX_VAL];
	const struct param_case *c;
	unsigned int i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		load(_metadata, c->module);
		param_path(path, sizeof(path), c);
		/* A known starting value, then nothing may change it. */
		ASSERT_EQ(0, file_write(path, c->good)) TH_LOG("%s", path);
		ASSERT_EQ(0, file_read(path, before, sizeof(before)));
		ASSERT_STREQ(c->canon, before) TH_LOG("%s", path);
		for (j = 0; j < NR_HOSTILE; j++)
			expect_hostile_kept(_metadata, path, j, before);
		for (j = 0; c->extra[j]; j++)
			expect_einval_kept(_metadata, path, c->extra[j]);
	}
}

/*
 * A registered migrator pins its module; unregistered, it unloads.  A
 * built-in one (the test migrator, in the test kernel) has no module to
 * pin.
 */
TEST(unload_while_registered)
{
	static const char *const modules[] = { "mtcopy", "test_migrator", "dcbm" };
	char path[128];
	unsigned int i;

	load(_metadata, "swdma");	/* dcbm's channels */
	for (i = 0; i < 3; i++) {
		load(_metadata, modules[i]);
		snprintf(path, sizeof(path), "/sys/module/%s/initstate",
			 modules[i]);
		if (access(path, F_OK))
			continue;	/* built in */
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/offloading",
			 modules[i]);
		ASSERT_EQ(0, file_write(path, "1"))
			TH_LOG("%s: offloading=1", modules[i]);
		EXPECT_NE(0, delete_module_(modules[i]))
			TH_LOG("%s unloaded while registered", modules[i]);
		EXPECT_EQ(0, access(path, F_OK));
		if (!strcmp(modules[i], "dcbm"))
			EXPECT_NE(0, delete_module_("swdma"))
				TH_LOG("swdma unloaded under dcbm's channels");
		ASSERT_EQ(0, file_write(path, "0"));
		EXPECT_EQ(0, delete_module_(modules[i]))
			TH_LOG("%s: %s", modules[i], strerror(errno));
		load(_metadata, modules[i]);
	}
}

/* DMA channels with a client, over every dmaengine device */
static int channels_in_use(void)
{
	char path[300];
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/sys/class/dma");

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/dma/%s/in_use",
			 d->d_name);
		n += file_number(path) > 0;
	}
	closedir(dir);
	return n;
}

/*
 * dcbm holds min(nr_dma_chan, channels there are) channels exactly while
 * offloading, and changes of nr_dma_chan and use_sg while it offloads
 * swap that set.
 */
TEST(dcbm_holds_its_channels)
{
	static const char *const steps[][2] = {
		{ "nr_dma_chan", "1" }, { "nr_dma_chan", "4" },
		{ "use_sg", "on" }, { "nr_dma_chan", "2" }, { "use_sg", "off" },
		{ "nr_dma_chan", "16" }, { "use_sg", "auto" },
		{ "nr_dma_chan", "3" },
	};
	const char *p = "/sys/module/dcbm/parameters/";
	char path[128], val[32];
	long long total;
	unsigned int i;
	int want;

	load(_metadata, "swdma");
	load(_metadata, "dcbm");
	total = file_number("/sys/module/swdma/parameters/nr_channels");
	ASSERT_LT(0, total);
	ASSERT_EQ(0, channels_in_use()) TH_LOG("channels held before the test");
	snprintf(path, sizeof(path), "%snr_dma_chan", p);
	ASSERT_EQ(0, file_write(path, "2"));
	snprintf(path, sizeof(path), "%soffloading", p);
	ASSERT_EQ(0, file_write(path, "1"));
	EXPECT_EQ(total < 2 ? total : 2, channels_in_use());
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", p, steps[i][0]);
		ASSERT_EQ(0, file_write(path, steps[i][1]))
			TH_LOG("%s=%s while offloading", steps[i][0],
			       steps[i][1]);
		ASSERT_EQ(0, file_read(path, val, sizeof(val)));
		EXPECT_STREQ(steps[i][1], val);
		snprintf(path, sizeof(path), "%snr_dma_chan", p);
		want = file_number(path);
		EXPECT_EQ(total < want ? total : want, channels_in_use())
			TH_LOG("after %s=%s", steps[i][0], steps[i][1]);
	}
	snprintf(path, sizeof(path), "%soffloading", p);
	ASSERT_EQ(0, file_write(path, "0"));
	EXPECT_EQ(0, channels_in_use()) TH_LOG("channels kept after offloading=0");
}

TEST_HARNESS_MAIN
