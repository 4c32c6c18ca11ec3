// SPDX-License-Identifier: GPL-2.0
/*
 * zdma_dmatest - the kernel's own provider test, dmatest, on every ZynqMP
 * DMA (ZDMA) channel of the arm64 VM: QEMU's model of the controller,
 * driven by drivers/dma/xilinx/zynqmp_dma.c.
 *
 * memcpy, and memcpy_sg with source and destination lists of random,
 * different entry counts and lengths (dmatest's memcpy_sg mode: up to 16
 * and up to 64 entries a side, so up to 127 chained descriptors in one
 * transaction), with callbacks and polled.  Each channel must run every
 * iteration of every thread without a failure.
 *
 * The descriptor pool (zynqmp_dma's descs_per_chan) is read when a client
 * requests a channel; the runs set it first.  The negative control asks
 * for more descriptors than a pool of 32 has: every prep must fail, be
 * counted by dmatest, and leave the channel working.  Bad values of
 * descs_per_chan are refused and leave it as it was.
 *
 * DMATEST_ITERATIONS (default 400) sets the iterations per thread.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "vmtest.h"
#include "dmatest.h"

#define ZDMA_DRIVER	"xilinx-zynqmp-dma"
#define ZDMA_MODULE	"zynqmp_dma"
#define ZDMA_PARAM	"/sys/module/" ZDMA_MODULE "/parameters/descs_per_chan"
#define ZDMA_CHANS	8	/* QEMU's xlnx-versal-virt has eight */
#define THREADS		2	/* per channel: two transactions in flight */

/*
 * The channels whose device is bound to the ZDMA driver, by name
 * (dma0chan0...), in @chan; returns how many, or -errno.  Any other
 * memcpy channel is counted in @others.
 */
static int zdma_channels(struct chan_result *chan, int *others)
{
	DIR *d = opendir("/sys/class/dma");
	struct dirent *e;
	int n = 0;

	*others = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < DMATEST_MAX_CHANS) {
		if (e->d_name[0] == '.')
			continue;
		if (!dma_chan_of_driver(e->d_name, ZDMA_DRIVER)) {
			(*others)++;
			continue;
		}
		memset(&chan[n], 0, sizeof(chan[n]));
		if (strlen(e->d_name) >= sizeof(chan[n].name))
			continue;	/* not a dmaengine channel name */
		memcpy(chan[n].name, e->d_name, strlen(e->d_name) + 1);
		n++;
	}
	closedir(d);
	return n;
}

FIXTURE(zdma) {
	struct chan_result chan[DMATEST_MAX_CHANS];
	int nchan;
	unsigned long iterations;
	char old_descs[16];
};

FIXTURE_VARIANT(zdma) {
	unsigned int mode;
	unsigned int sg_entries;
	bool polled;
	bool norandom;
	unsigned int descs;		/* descs_per_chan for the run */
	bool prep_fails;		/* every prep must fail */
};

FIXTURE_VARIANT_ADD(zdma, memcpy) {
	.mode = DMATEST_MEMCPY, .descs = 32,
};
FIXTURE_VARIANT_ADD(zdma, memcpy_polled) {
	.mode = DMATEST_MEMCPY, .polled = true, .descs = 32,
};
/* Up to 31 chunks a transaction, two in flight per channel */
FIXTURE_VARIANT_ADD(zdma, memcpy_sg) {
	.mode = DMATEST_MEMCPY_SG, .sg_entries = 16, .descs = 64,
};
FIXTURE_VARIANT_ADD(zdma, memcpy_sg_polled) {
	.mode = DMATEST_MEMCPY_SG, .sg_entries = 16, .polled = true,
	.descs = 64,
};
/* Up to 127 chunks a transaction */
FIXTURE_VARIANT_ADD(zdma, memcpy_sg_64) {
	.mode = DMATEST_MEMCPY_SG, .sg_entries = 64, .descs = 256,
};
/*
 * Negative control: 64 whole-buffer entries a side are 64 chunks, more
 * than a pool of 32 holds: no transaction can be prepared.
 */
FIXTURE_VARIANT_ADD(zdma, memcpy_sg_pool_too_small) {
	.mode = DMATEST_MEMCPY_SG, .sg_entries = 64, .norandom = true,
	.descs = 32, .prep_fails = true,
};

FIXTURE_SETUP(zdma)
{
	const char *it = getenv("DMATEST_ITERATIONS");
	char val[16];
	int others;

	self->iterations = it ? strtoul(it, NULL, 10) : 400;
	/* dmatest sleeps 100 ms after each failed prep: keep it short. */
	if (variant->prep_fails)
		self->iterations = 5;
	ASSERT_GT(self->iterations, 0UL);
	ASSERT_EQ(0, dmatest_modprobe("-r dmatest"));
	ASSERT_EQ(0, dmatest_modprobe(ZDMA_MODULE));
	self->nchan = zdma_channels(self->chan, &others);
	ASSERT_EQ(ZDMA_CHANS, self->nchan)
		TH_LOG("%d channels of %s", self->nchan, ZDMA_DRIVER);
	/* dmatest takes every memcpy channel: none but the ZDMA ones */
	ASSERT_EQ(0, others) TH_LOG("%d DMA channels of other drivers", others);

	ASSERT_EQ(0, file_read(ZDMA_PARAM, self->old_descs,
			       sizeof(self->old_descs)));
	snprintf(val, sizeof(val), "%u", variant->descs);
	ASSERT_EQ(0, file_write(ZDMA_PARAM, val));
}

FIXTURE_TEARDOWN(zdma)
{
	dmatest_modprobe("-r dmatest");
	if (*self->old_descs)
		file_write(ZDMA_PARAM, self->old_descs);
}

static void zdma_clear(FIXTURE_DATA(zdma) *self)
{
	int i;

	for (i = 0; i < self->nchan; i++) {
		self->chan[i].tests = 0;
		self->chan[i].failures = 0;
		self->chan[i].threads = 0;
	}
}

TEST_F_TIMEOUT(zdma, run, 600)
{
	/* Polled waits spin: one thread per channel, one channel at a time. */
	unsigned int threads = variant->polled || variant->prep_fails ?
			       1 : THREADS;
	struct dmatest_job job = {
		.mode = variant->mode, .polled = variant->polled,
		.norandom = variant->norandom,
		.iterations = self->iterations, .threads = threads,
		.sg_entries = variant->sg_entries, .device = "", .channel = "",
	};
	int i;

	zdma_clear(self);
	if (variant->polled) {
		for (i = 0; i < self->nchan; i++) {
			job.channel = self->chan[i].name;
			ASSERT_EQ(0, dmatest_do(_metadata, &job, self->chan,
						self->nchan));
		}
	} else {
		ASSERT_EQ(0, dmatest_do(_metadata, &job, self->chan,
					self->nchan));
	}

	for (i = 0; i < self->nchan; i++) {
		struct chan_result *c = &self->chan[i];

		TH_LOG("%s: %lu threads, %lu tests, %lu failures", c->name,
		       c->threads, c->tests, c->failures);
		EXPECT_EQ((unsigned long)threads, c->threads);
		EXPECT_EQ((unsigned long)threads * self->iterations, c->tests);
		if (variant->prep_fails) {
			EXPECT_EQ(c->tests, c->failures);
		} else {
			EXPECT_EQ(0UL, c->failures);
		}
	}
	if (!variant->prep_fails)
		return;

	/* The channels work after the failed preps: one memcpy_sg run fits */
	ASSERT_EQ(0, file_write(ZDMA_PARAM, "128"));
	job.norandom = false;
	zdma_clear(self);
	job.sg_entries = 16;
	job.iterations = 20;
	ASSERT_EQ(0, dmatest_do(_metadata, &job, self->chan, self->nchan));
	for (i = 0; i < self->nchan; i++) {
		EXPECT_EQ(20UL, self->chan[i].tests);
		EXPECT_EQ(0UL, self->chan[i].failures);
	}
}

/* descs_per_chan takes 32..16384 and nothing else, unchanged on error */
TEST(descs_per_chan_bounds)
{
	static const char *const bad[] = {
		"0", "31", "16385", "-1", "4294967328", "abc",
	};
	char old[16], now[16];
	unsigned int i;

	ASSERT_EQ(0, dmatest_modprobe(ZDMA_MODULE));
	ASSERT_EQ(0, file_read(ZDMA_PARAM, old, sizeof(old)));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* -EINVAL, or -ERANGE past what an unsigned int holds */
		EXPECT_GT(0, file_write(ZDMA_PARAM, bad[i]))
			TH_LOG("descs_per_chan='%s' accepted", bad[i]);
		ASSERT_EQ(0, file_read(ZDMA_PARAM, now, sizeof(now)));
		EXPECT_STREQ(old, now);
	}
	EXPECT_EQ(0, file_write(ZDMA_PARAM, "32"));
	EXPECT_EQ(0, file_write(ZDMA_PARAM, "16384"));
	EXPECT_EQ(0, file_write(ZDMA_PARAM, old));
}

TEST_HARNESS_MAIN
