// SPDX-License-Identifier: GPL-2.0
/*
 * swdma_knobs - every debugfs knob of swdma must refuse a bad value with
 * EINVAL and keep the value it had; good values at the edges of each range
 * must be taken.  The read-only files must refuse writes.
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
#include "vmtest.h"

#define SWDMA_DBG	"/sys/kernel/debug/dmaengine/swdma.0"

struct knob {
	const char *name;
	const char *max;	/* largest valid value */
	const char *too_big;	/* smallest invalid one */
};

static const struct knob knobs[] = {
	{ "fail_every",	  "4294967295",		  "4294967296" },
	{ "fail_ppm",	  "1000000",		  "1000001" },
	{ "fail_seed",	  "18446744073709551615", "18446744073709551616" },
	{ "latency_us",	  "10000000",		  "10000001" },
	{ "max_seg_len",  "4294967295",		  "4294967296" },
	{ "out_of_order", "1",			  "2" },
};

/* Values no knob accepts. */
static const char * const hostile[] = {
	"\n", " ", " 1", "1 ", "-1", "abc", "1x", "0x", "1\n2", "+-1",
	"99999999999999999999999999999999999999999999999999999999999999",
};

/* write(2) @val to knob @name: 0 or -errno. */
static int knob_write(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), SWDMA_DBG "/%s", name);
	return file_write(path, val);
}

static int knob_read(const char *name, char *buf, size_t size)
{
	char path[128];

	snprintf(path, sizeof(path), SWDMA_DBG "/%s", name);
	return file_read(path, buf, size);
}

FIXTURE(swdma) {
};

FIXTURE_SETUP(swdma)
{
	ASSERT_EQ(0, system("modprobe swdma >/dev/console 2>&1"));
	ASSERT_EQ(0, access(SWDMA_DBG "/fail_every", W_OK))
		TH_LOG("no knobs in %s", SWDMA_DBG);
}

FIXTURE_TEARDOWN(swdma)
{
	unsigned int i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		knob_write(knobs[i].name, "0\n");
}

TEST_F(swdma, bad_values_change_nothing)
{
	unsigned int i, j;
	char val[64];

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const struct knob *k = &knobs[i];

		/* The edge of the range is accepted and reads back. */
		ASSERT_EQ(0, knob_write(k->name, k->max));
		ASSERT_EQ(0, knob_read(k->name, val, sizeof(val)));
		EXPECT_STREQ(k->max, val);

		ASSERT_EQ(0, knob_write(k->name, "1\n"));
		EXPECT_EQ(-EINVAL, knob_write(k->name, k->too_big))
			TH_LOG("%s=%s", k->name, k->too_big);
		for (j = 0; j < sizeof(hostile) / sizeof(hostile[0]); j++)
			EXPECT_EQ(-EINVAL, knob_write(k->name, hostile[j]))
				TH_LOG("%s: bad value #%u accepted", k->name, j);
		ASSERT_EQ(0, knob_read(k->name, val, sizeof(val)));
		EXPECT_STREQ("1", val) TH_LOG("%s changed by a bad write",
					      k->name);
	}
}

TEST_F(swdma, read_only_files_refuse_writes)
{
	EXPECT_NE(0, knob_write("live_descs", "5\n"));
	EXPECT_NE(0, knob_write("counters", "0\n"));
}

TEST_HARNESS_MAIN
