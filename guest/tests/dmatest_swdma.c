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

#define SWDMA_DEV	"swdma.0"
#define SWDMA_DBG	"/sys/kernel/debug/dmaengine/" SWDMA_DEV
#define DMATEST_PARAM	"/sys/module/dmatest/parameters"
#define MAX_CHANS	64
#define THREADS		3	/* per channel: keeps several descriptors in flight */
#define MODE_MEMCPY	0
#define MODE_MEMCPY_SG	2

struct chan_result {
	char name[32];
	unsigned long long descs, bytes, errors;	/* swdma counters */
	unsigned long tests, failures, threads;		/* dmatest summaries */
};

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

static int write_ul(const char *dir, const char *name, unsigned long val)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(buf, sizeof(buf), "%lu\n", val);
	return file_write(path, buf);
}

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

static int find_chan(struct chan_result *chan, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(chan[i].name, name))
			return i;
	return -1;
}

#define END_MARK	"dmatest_swdma: end of run"

struct kmsg_reader {
	int fd;
	struct chan_result *chan;
	int n;
	unsigned long lost;	/* records overwritten before being read */
};

/*
 * Collect "dmatest: <chan>-<op><thread>: summary N tests, M failures" from
 * the kernel log while the run goes on (a failing run logs more than the
 * log buffer holds), until the end mark written after the run.
 */
static void *kmsg_reader_fn(void *arg)
{
	struct kmsg_reader *r = arg;
	char rec[8192];
	ssize_t len;

	for (;;) {
		unsigned long tests, failures;
		char thread[64], *msg, *dash;
		int i;

		len = read(r->fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE) {
			r->lost++;
			continue;
		}
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		rec[len] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		if (strstr(msg, END_MARK))
			break;
		if (sscanf(msg + 1,
			   "dmatest: %63[^:]: summary %lu tests, %lu failures",
			   thread, &tests, &failures) != 3)
			continue;
		dash = strrchr(thread, '-');
		if (!dash)
			continue;
		*dash = '\0';
		i = find_chan(r->chan, r->n, thread);
		if (i < 0)
			continue;
		r->chan[i].tests += tests;
		r->chan[i].failures += failures;
		r->chan[i].threads++;
	}
	return NULL;
}

static int modprobe(const char *args)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "modprobe %s >/dev/console 2>&1", args);
	return system(cmd);
}

FIXTURE_SETUP(dmatest)
{
	const char *it = getenv("DMATEST_ITERATIONS");

	self->iterations = it ? strtoul(it, NULL, 10) : 400;
	/* A failing run logs every failure: keep it short. */
	if (variant->fail_every)
		self->iterations = (self->iterations + 4) / 5;
	ASSERT_GT(self->iterations, 0UL);
	ASSERT_EQ(0, modprobe("-r dmatest"));
	ASSERT_EQ(0, modprobe("swdma"));
	self->nchan = read_counters(self->chan);
	ASSERT_GT(self->nchan, 0) TH_LOG("no swdma channels in %s", SWDMA_DBG);

	ASSERT_EQ(0, write_ul(SWDMA_DBG, "out_of_order", variant->out_of_order));
	ASSERT_EQ(0, write_ul(SWDMA_DBG, "max_seg_len", variant->max_seg_len));
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
	modprobe("-r dmatest");
	fault_off(&self->fi);
	write_ul(SWDMA_DBG, "max_seg_len", 0);
	write_ul(SWDMA_DBG, "out_of_order", 0);
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
	struct kmsg_reader r = { .chan = chan, .n = n };
	pthread_t reader;
	char buf[16];
	int ret = 0;

	if (modprobe("dmatest"))
		return -ENOENT;
	r.fd = open("/dev/kmsg", O_RDWR);
	if (r.fd < 0)
		return -errno;
	lseek(r.fd, 0, SEEK_END);
	if (pthread_create(&reader, NULL, kmsg_reader_fn, &r)) {
		close(r.fd);
		return -EAGAIN;
	}

	EXPECT_EQ(0, write_ul(DMATEST_PARAM, "dmatest", variant->mode));
	EXPECT_EQ(0, write_ul(DMATEST_PARAM, "iterations", iterations));
	EXPECT_EQ(0, write_ul(DMATEST_PARAM, "threads_per_chan", threads));
	EXPECT_EQ(0, write_ul(DMATEST_PARAM, "polled", variant->polled));
	EXPECT_EQ(0, write_ul(DMATEST_PARAM, "noverify", variant->noverify));
	EXPECT_EQ(0, write_ul(DMATEST_PARAM, "timeout", 30000));
	EXPECT_EQ(0, file_write(DMATEST_PARAM "/device", SWDMA_DEV));
	EXPECT_EQ(0, file_write(DMATEST_PARAM "/channel", channel));
	EXPECT_EQ(0, file_write(DMATEST_PARAM "/run", "1"));
	/* Reading "wait" blocks until every thread has finished. */
	EXPECT_EQ(0, file_read(DMATEST_PARAM "/wait", buf, sizeof(buf)));

	if (write(r.fd, END_MARK "\n", strlen(END_MARK) + 1) < 0)
		ret = -errno;
	pthread_join(reader, NULL);
	close(r.fd);
	EXPECT_EQ(0UL, r.lost) TH_LOG("kernel log records lost");
	if (modprobe("-r dmatest"))
		ret = -EBUSY;
	return ret;
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
