// SPDX-License-Identifier: GPL-2.0
/*
 * dcbm_engines - dcbm on engines unlike the default swdma, and with more
 * than one migration at a time.
 *
 *  - stuck.*: swdma loaded with terminate=0, so that, like idxd and ioat,
 *    its device offers neither device_terminate_all nor
 *    device_synchronize and nothing it was given can be stopped.  Its
 *    descriptors complete long after dcbm's timeout_ms (late), or some of
 *    them fail while the others are still on the engine (error).  dcbm
 *    must wait for every submitted descriptor before it unmaps, frees or
 *    leaves a folio to the CPU: the KASAN kernel reports a late callback
 *    on freed memory, and the moved bytes are checked.  A late but
 *    successful copy is used: the folios count as migrated by DMA.
 *  - concurrent.two_movers: two processes move one page per move_pages(2)
 *    call, each batch on one channel that swdma keeps busy for
 *    latency_us; swdma's busy_peak must show two channels executing at
 *    once, so neither mover waited behind the other's batch, and every
 *    byte of both is checked.
 *  - concurrent.trace_on_mid_batch: the batch tracepoint is turned on
 *    while a batch is on the engine (kept there for latency_us); no event
 *    may report a copy step longer than the whole test took (a batch that
 *    began untraced once reported its time since boot).
 *
 * Every case leaves swdma loaded with its defaults and dcbm off.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#include "batch_trace.h"
#include "pages.h"

#define DCBM		"/sys/module/dcbm/parameters/"
#define SWDMA_DBG	"/sys/kernel/debug/dmaengine/swdma.0/"
#define STUCK_PAGES	64	/* one batch per move */
#define STUCK_MOVES	4
#define MOVER_PAGES	8
#define MOVER_MOVES	16

/* Turn dcbm off and unload every module that holds swdma, then swdma. */
static int unload_swdma(void)
{
	if (!access(DCBM, F_OK))
		file_write(DCBM "offloading", "0");
	unload_holders("swdma");
	if (access("/sys/module/swdma", F_OK))
		return 0;
	return delete_module_("swdma") ? -errno : 0;
}

/* Reload swdma with @args and dcbm over it; false if anything failed. */
static bool load(const char *args)
{
	char cmd[128];

	if (unload_swdma())
		return false;
	snprintf(cmd, sizeof(cmd), "modprobe swdma %s", args);
	return !system(cmd) && !system("modprobe dcbm");
}

struct dcbm_setting {
	const char *name, *value;
};

static int set_dcbm(const struct dcbm_setting *s)
{
	int rc;

	for (; s->name; s++) {
		char path[128];

		snprintf(path, sizeof(path), DCBM "%s", s->name);
		rc = file_write(path, s->value);
		if (rc)
			return rc;
	}
	return 0;
}

FIXTURE(stuck)
{
	char *buf;
	char yn[4];
};

FIXTURE_VARIANT(stuck)
{
	const char *swdma;	/* knob=value settings of its debugfs */
	const char *use_sg;
	bool fails;		/* descriptors fail: some folios go to the CPU */
};

/*
 * Each descriptor stays on the engine 0.4 s after its data moved, eight
 * times dcbm's timeout.
 */
FIXTURE_VARIANT_ADD(stuck, late)
{
	.swdma = "latency_us=400000",
	.use_sg = "on",
};

/*
 * One DMA_MEMCPY per page (32 per share), every 64th failing; the others
 * of its share are still in flight when dcbm sees the error, and the
 * shares without a failure are copied by DMA.
 */
FIXTURE_VARIANT_ADD(stuck, error)
{
	.swdma = "latency_us=20000 fail_copy/verbose=0 fail_copy/times=-1 "
		 "fail_copy/interval=64 fail_copy/probability=100",
	.use_sg = "off",
	.fails = true,
};

static bool set_knobs(const char *list)
{
	char buf[128], *s, *eq, path[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (s = strtok_r(buf, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		eq = strchr(s, '=');
		if (!eq)
			return false;
		*eq = '\0';
		snprintf(path, sizeof(path), SWDMA_DBG "%s", s);
		if (file_write(path, eq + 1))
			return false;
	}
	return true;
}

FIXTURE_SETUP(stuck)
{
	/* Every batch in two shares, one per channel, however small. */
	const struct dcbm_setting dcbm[] = {
		{ "nr_dma_chan", "2" }, { "use_sg", variant->use_sg },
		{ "min_share_bytes", "4096" },
		{ "min_batch_bytes", "0" }, { "reason_mask", "all" },
		{ "timeout_ms", "50" }, { "folios_migrated", "0" },
		{ "folios_failures", "0" }, { "overdue_shares", "0" },
		{ "offloading", "1" }, { NULL, NULL },
	};

	if (!pages_two_nodes())
		SKIP(return, "needs NUMA nodes 0 and 1 with memory");
	ASSERT_TRUE(load("terminate=0"));
	ASSERT_EQ(0, file_read("/sys/module/swdma/parameters/terminate",
			       self->yn, sizeof(self->yn)));
	ASSERT_STREQ("N", self->yn);
	ASSERT_TRUE(set_knobs(variant->swdma));
	ASSERT_EQ(0, set_dcbm(dcbm));
	self->buf = pages_map(STUCK_PAGES);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(stuck)
{
	if (self->buf)
		munmap(self->buf, STUCK_PAGES * PAGES_SZ);
	/* Back to the defaults for whatever runs next. */
	if (!access("/sys/module/swdma", F_OK))
		EXPECT_TRUE(load(""));
}

TEST_F_TIMEOUT(stuck, move, 120)
{
	long long migrated, failures, overdue, live;
	unsigned long bad;
	int i;

	pages_fill(self->buf, STUCK_PAGES, 1);
	for (i = 0; i < STUCK_MOVES; i++) {
		ASSERT_EQ(0, pages_move(self->buf, STUCK_PAGES, (i + 1) % 2));
		bad = pages_verify(self->buf, STUCK_PAGES, 1);
		ASSERT_EQ(0UL, bad) TH_LOG("move %d: %lu words wrong", i, bad);
	}
	migrated = file_number(DCBM "folios_migrated");
	failures = file_number(DCBM "folios_failures");
	overdue = file_number(DCBM "overdue_shares");
	TH_LOG("%d moves of %d pages: folios_migrated %lld, folios_failures %lld, overdue_shares %lld",
	       STUCK_MOVES, STUCK_PAGES, migrated, failures, overdue);
	ASSERT_EQ(STUCK_MOVES * STUCK_PAGES, migrated + failures);
	/* Each move outlasted timeout_ms: dcbm waited past it. */
	ASSERT_LE(STUCK_MOVES, overdue);
	if (variant->fails) {
		/* Only the failed descriptors' pages went to the CPU. */
		ASSERT_LT(0, failures);
		ASSERT_LT(0, migrated);
	} else {
		/* Late is not failed: dcbm waited and used the copy. */
		ASSERT_EQ(0, failures) TH_LOG("late copies given to the CPU");
	}
	/*
	 * Nothing left on the engine once the moves returned, but for the
	 * descriptor virt-dma frees right after its callback has run.
	 */
	for (i = 0; i < 100; i++) {
		live = file_number(SWDMA_DBG "live_descs");
		if (live <= 0)
			break;
		usleep(10000);
	}
	ASSERT_EQ(0, live) TH_LOG("%lld descriptors outlived their batch", live);
	ASSERT_EQ(0, file_write(DCBM "offloading", "0"));
}

FIXTURE(concurrent)
{
};

FIXTURE_SETUP(concurrent)
{
	/* One channel per one-page batch, busy for 50 ms each. */
	const struct dcbm_setting dcbm[] = {
		{ "nr_dma_chan", "4" }, { "use_sg", "auto" },
		{ "min_batch_bytes", "0" }, { "reason_mask", "all" },
		{ "timeout_ms", "10000" }, { "folios_migrated", "0" },
		{ "folios_failures", "0" }, { "offloading", "1" },
		{ NULL, NULL },
	};

	if (!pages_two_nodes())
		SKIP(return, "needs NUMA nodes 0 and 1 with memory");
	ASSERT_TRUE(load(""));
	ASSERT_TRUE(set_knobs("latency_us=50000"));
	ASSERT_EQ(0, set_dcbm(dcbm));
	ASSERT_EQ(0, file_write(SWDMA_DBG "busy_peak", "0"));
}

FIXTURE_TEARDOWN(concurrent)
{
	batch_trace_stop();
	if (!access(DCBM, F_OK))
		file_write(DCBM "offloading", "0");
	file_write(SWDMA_DBG "latency_us", "0");
}

/*
 * One mover: MOVER_MOVES times, move each of its pages to the other node
 * one page per call, checking all of them after each call.  Exit status:
 * 0, 1 for a failed move, 2 for a wrong byte.
 */
static int mover(uint64_t seed)
{
	char *buf = pages_map(MOVER_PAGES);
	unsigned long pg;
	int i;

	if (!buf)
		return 1;
	pages_fill(buf, MOVER_PAGES, seed);
	for (i = 0; i < MOVER_MOVES; i++) {
		for (pg = 0; pg < MOVER_PAGES; pg++) {
			if (pages_move(buf + pg * PAGES_SZ, 1, (i + 1) % 2))
				return 1;
			if (pages_verify(buf, MOVER_PAGES, seed))
				return 2;
		}
	}
	return 0;
}

TEST_F_TIMEOUT(concurrent, two_movers, 300)
{
	long long migrated, failures, peak;
	pid_t pid[2];
	int i, status;

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (!pid[i])
			_exit(mover(i + 2));
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status))
			TH_LOG("mover %d: %s", i, WEXITSTATUS(status) == 2 ?
			       "bytes changed" : "a move failed");
	}
	migrated = file_number(DCBM "folios_migrated");
	failures = file_number(DCBM "folios_failures");
	peak = file_number(SWDMA_DBG "busy_peak");
	TH_LOG("2 movers x %d one-page moves: folios_migrated %lld, folios_failures %lld, swdma busy_peak %lld",
	       MOVER_PAGES * MOVER_MOVES, migrated, failures, peak);
	ASSERT_EQ(2 * MOVER_PAGES * MOVER_MOVES, migrated + failures);
	ASSERT_LT(0, migrated);
	/* Batches of the two movers were on the engine at the same time. */
	ASSERT_LE(2, peak) TH_LOG("the movers' batches never overlapped");
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#define MID_MOVES	3

TEST_F_TIMEOUT(concurrent, trace_on_mid_batch, 120)
{
	unsigned long long t0, took, longest = 0;
	struct batch_event e;
	int i, status, n = 0, rc;
	char bad[512];
	pid_t pid;
	FILE *f;

	ASSERT_TRUE(set_knobs("latency_us=300000"));
	ASSERT_EQ(0, batch_trace_mount());
	ASSERT_EQ(0, batch_trace_stop());
	t0 = now_ns();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *buf = pages_map(1);

		if (!buf)
			_exit(1);
		pages_fill(buf, 1, 7);
		for (i = 0; i < MID_MOVES; i++)
			if (pages_move(buf, 1, (i + 1) % 2))
				_exit(1);
		_exit(pages_verify(buf, 1, 7) ? 2 : 0);
	}
	/* The first batch on the engine, then the event on */
	for (i = 0; i < 2000 && file_number(SWDMA_DBG "live_descs") <= 0; i++)
		usleep(1000);
	ASSERT_LT(0, file_number(SWDMA_DBG "live_descs"))
		TH_LOG("no batch reached swdma in 2 s");
	ASSERT_EQ(0, batch_trace_start());
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	took = now_ns() - t0;
	ASSERT_EQ(0, batch_trace_stop());
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the mover failed (%d)",
						 WEXITSTATUS(status));
	f = batch_trace_open();
	ASSERT_NE(NULL, f);
	while ((rc = batch_trace_next(f, &e, bad, sizeof(bad))) == 1) {
		n++;
		if (e.duration_ns > longest)
			longest = e.duration_ns;
	}
	fclose(f);
	ASSERT_EQ(0, rc) TH_LOG("bad event: %s", bad);
	TH_LOG("%d batch events, the longest %llu ns, the test %llu ns", n,
	       longest, took);
	ASSERT_LT(0, n);
	ASSERT_GE(took, longest) TH_LOG("a copy step longer than the test");
}

TEST_HARNESS_MAIN
