// SPDX-License-Identifier: GPL-2.0
/*
 * dmatest_swdma - the kernel's own provider test, dmatest, on every channel
 * of the software DMA engine swdma: memcpy and memcpy_sg, with descriptors
 * retired in issue order and out of order, with completion callbacks and
 * polled (and polling asked of the out-of-order engine, which dmatest
 * must turn down on seeing DMA_COMPLETION_NO_ORDER, as swdma's status is
 * then DMA_OUT_OF_ORDER), with segments split short; on swdma's default
 * private channels; and negative controls in which fault injection fails
 * every descriptor and dmatest must notice each time, through its data
 * check or through the DMA_ERROR status alone.
 *
 * A run loads dmatest, points it at the swdma device, starts it and waits;
 * dmatest prints one "summary N tests, M failures" line per thread in the
 * kernel log, read back from /dev/kmsg.  Each channel must have run every
 * iteration of every thread, with the expected number of failures, and
 * swdma's own per-channel counters must agree.
 *
 * DMATEST_ITERATIONS (default 400) sets the iterations per thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

#define SWDMA_DEV	"swdma.0"
#define SWDMA_DBG	"/sys/kernel/debug/dmaengine/" SWDMA_DEV
#define MAX_CHANS	DMATEST_MAX_CHANS
#define THREADS		3	/* per channel: keeps several descriptors in flight */
#define MODE_MEMCPY	DMATEST_MEMCPY
#define MODE_MEMCPY_SG	DMATEST_MEMCPY_SG

FIXTURE(dmatest) {
	int nchan;
	struct chan_result chan[MAX_CHANS];
	unsigned long iterations;
	struct fault_inject fi;	/* swdma's fail_copy */
};

FIXTURE_VARIANT(dmatest) {
	unsigned int mode;
	bool out_of_order;
	bool polled;
	unsigned int max_seg_len;
	unsigned int fail_every;	/* fault injection's interval, 100% */
	bool noverify;
};

FIXTURE_VARIANT_ADD(dmatest, memcpy) { .mode = MODE_MEMCPY };
FIXTURE_VARIANT_ADD(dmatest, memcpy_out_of_order) {
	.mode = MODE_MEMCPY, .out_of_order = true,
};
FIXTURE_VARIANT_ADD(dmatest, memcpy_polled) {
	.mode = MODE_MEMCPY, .polled = true,
};
/*
 * Polling asked of an engine with DMA_COMPLETION_NO_ORDER: dmatest must
 * see the capability and wait for callbacks instead, whose status it
 * accepts as DMA_OUT_OF_ORDER only with that capability.
 */
FIXTURE_VARIANT_ADD(dmatest, memcpy_polled_out_of_order) {
	.mode = MODE_MEMCPY, .polled = true, .out_of_order = true,
};
FIXTURE_VARIANT_ADD(dmatest, memcpy_sg) { .mode = MODE_MEMCPY_SG };
FIXTURE_VARIANT_ADD(dmatest, memcpy_sg_out_of_order) {
	.mode = MODE_MEMCPY_SG, .out_of_order = true,
};
FIXTURE_VARIANT_ADD(dmatest, memcpy_sg_polled) {
	.mode = MODE_MEMCPY_SG, .polled = true,
};
/* An odd segment limit: the walker splits at unaligned offsets. */
FIXTURE_VARIANT_ADD(dmatest, memcpy_sg_split) {
	.mode = MODE_MEMCPY_SG, .out_of_order = true, .max_seg_len = 100,
};
/* Negative control: every descriptor fails, dmatest must count each. */
FIXTURE_VARIANT_ADD(dmatest, memcpy_sg_all_fail) {
	.mode = MODE_MEMCPY_SG, .fail_every = 1,
};
/* The same seen through the status alone: DMA_ERROR for every cookie. */
FIXTURE_VARIANT_ADD(dmatest, memcpy_all_fail_status) {
	.mode = MODE_MEMCPY, .fail_every = 1, .noverify = true,
};

/* Fill the swdma counters of every channel; returns the channel count. */
static int read_counters(struct chan_result *chan)
{
	char line[256];
	FILE *f = fopen(SWDMA_DBG "/counters", "r");
	int n = 0;

	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return -EIO;
	}
	while (n < MAX_CHANS && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %llu %llu %llu", chan[n].name,
			   &chan[n].descs, &chan[n].bytes,
			   &chan[n].errors) == 4)
			n++;
	}
	fclose(f);
	return n;
}

FIXTURE_SETUP(dmatest)
{
	const char *it = getenv("DMATEST_ITERATIONS");

	self->iterations = it ? strtoul(it, NULL, 10) : 400;
	/* A failing run logs every failure: keep it short. */
	if (variant->fail_every)
		self->iterations = (self->iterations + 4) / 5;
	ASSERT_GT(self->iterations, 0UL);
	ASSERT_EQ(0, dmatest_modprobe("-r dmatest"));
	ASSERT_EQ(0, dmatest_modprobe("swdma"));
	self->nchan = read_counters(self->chan);
	ASSERT_GT(self->nchan, 0) TH_LOG("no swdma channels in %s", SWDMA_DBG);

	ASSERT_EQ(0, dmatest_write_ul(SWDMA_DBG, "out_of_order", variant->out_of_order));
	ASSERT_EQ(0, dmatest_write_ul(SWDMA_DBG, "max_seg_len", variant->max_seg_len));
	if (variant->fail_every) {
		const char *bad = NULL;
		int rc = fault_on(&self->fi, SWDMA_DBG "/fail_copy/", 100,
				  variant->fail_every, false, NULL, &bad);

		ASSERT_EQ(0, rc) TH_LOG("fail_copy/%s: %s", bad,
					strerror(-rc));
	}
}

FIXTURE_TEARDOWN(dmatest)
{
	dmatest_modprobe("-r dmatest");
	fault_off(&self->fi);
	dmatest_write_ul(SWDMA_DBG, "max_seg_len", 0);
	dmatest_write_ul(SWDMA_DBG, "out_of_order", 0);
}

/*
 * One dmatest run on @channel ("" for every channel of the device) with
 * @threads threads per channel; the summaries land in @chan.
 */
static int run_dmatest(struct __test_metadata *_metadata,
		       const FIXTURE_VARIANT(dmatest) *variant,
		       unsigned long iterations, const char *channel,
		       unsigned int threads, struct chan_result *chan, int n)
{
	struct dmatest_job run = {
		.mode = variant->mode, .polled = variant->polled,
		.noverify = variant->noverify, .iterations = iterations,
		.threads = threads, .device = SWDMA_DEV, .channel = channel,
	};

	return dmatest_do(_metadata, &run, chan, n);
}

TEST_F_TIMEOUT(dmatest, run, 300)
{
	struct chan_result before[MAX_CHANS];
	/*
	 * dmatest terminates the whole channel after a polled wait and when
	 * a thread with failures exits, aborting its siblings' descriptors:
	 * those runs get one thread per channel.
	 */
	unsigned int threads = variant->polled || variant->fail_every ?
			       1 : THREADS;
	int i;

	memcpy(before, self->chan, sizeof(before));
	for (i = 0; i < self->nchan; i++) {
		self->chan[i].tests = 0;
		self->chan[i].failures = 0;
		self->chan[i].threads = 0;
	}

	if (variant->polled) {
		/*
		 * dma_sync_wait() spins without yielding: one poller at a
		 * time leaves a CPU to the channel's thread.
		 */
		for (i = 0; i < self->nchan; i++) {
			ASSERT_EQ(0, run_dmatest(_metadata, variant,
						 self->iterations,
						 self->chan[i].name, threads,
						 self->chan, self->nchan));
		}
	} else {
		ASSERT_EQ(0, run_dmatest(_metadata, variant, self->iterations,
					 "", threads, self->chan,
					 self->nchan));
	}
	ASSERT_EQ(self->nchan, read_counters(self->chan));

	for (i = 0; i < self->nchan; i++) {
		struct chan_result *c = &self->chan[i];
		unsigned long long descs = c->descs - before[i].descs;
		unsigned long long errors = c->errors - before[i].errors;
		unsigned long long bytes = c->bytes - before[i].bytes;

		TH_LOG("%s: %lu threads, %lu tests, %lu failures; swdma: %llu descriptors, %llu bytes, %llu errors",
		       c->name, c->threads, c->tests, c->failures, descs,
		       bytes, errors);
		EXPECT_EQ((unsigned long)threads, c->threads);
		EXPECT_EQ((unsigned long)threads * self->iterations, c->tests);
		EXPECT_EQ(c->tests, descs);
		if (variant->fail_every) {
			EXPECT_EQ(c->tests, c->failures);
			EXPECT_EQ(descs, errors);
		} else {
			EXPECT_EQ(0UL, c->failures);
			EXPECT_EQ(0ULL, errors);
			EXPECT_GE(bytes, descs);
		}
	}
}

TEST_HARNESS_MAIN
