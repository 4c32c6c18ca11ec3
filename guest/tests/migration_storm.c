// SPDX-License-Identifier: GPL-2.0
/*
 * migration_storm - every kind of migration at once, with a migrator
 * serving every reason: dcbm over swdma, then mtcopy.
 *
 * For STORM_SECS seconds (20 by default, 120 with FULL=1) from when node 0
 * is filled, four children:
 *
 *  - filler: on node 0's CPUs, fills memory bound to node 0 in 64 MiB
 *    chunks of THPs up to past node 0's low watermark (raised with
 *    vm.watermark_scale_factor), so that kswapd demotes to node 2, and
 *    then keeps freeing its oldest chunk (checked first) and making a
 *    new one;
 *  - promoter: on node 0's CPUs, reads 16 MiB of base pages it keeps on
 *    node 2, which NUMA balancing's tiering mode promotes (and the
 *    promoter puts back on node 2 once they have all moved);
 *  - mover: moves 8 MiB of THPs between nodes 0 and 1 with move_pages(2);
 *  - compactor: compacts nodes 1 and 2 through sysfs, in turn.
 *
 * Each checks every word it wrote whenever it lets go of it and at the
 * end.  Then: every child finished (no deadlock: the harness's timeout),
 * no word lost, kswapd demoted (pgdemote_kswapd) and the migrator copied
 * batches in kswapd's own context (mm_migrate_copy_batch events from
 * kswapd), pages were promoted and compacted, and the migrator's count
 * of folios equals migrate_offload_copied.  The console is watched for
 * kernel reports by the host, as for every program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "batch_trace.h"
#include "copier.h"
#include "pages.h"
#include "pin.h"

#define CHUNK		(64UL << 20)
#define MAX_CHUNKS	64
#define PROMOTE_PAGES	4096
#define MOVE_BYTES	(8UL << 20)
#define FILL_SECS	300	/* for the filler to reach its cap first */
#define NODE_SYSFS	"/sys/devices/system/node/node"
#define NUMAB_DEBUG	"/sys/kernel/debug/sched/numa_balancing/"

enum { FILLER, PROMOTER, MOVER, COMPACTOR, NR_WORKERS };

static const char *const worker_names[] = {
	"filler", "promoter", "mover", "compactor",
};

struct worker {
	int err;		/* a step that must not fail did: -errno */
	unsigned long rounds;	/* chunks made, promotions seen, moves... */
	unsigned long bad;	/* words that lost their pattern */
	unsigned long long checked;	/* bytes checked */
};

struct storm {
	volatile int stop;
	volatile int filled;	/* the filler reached its cap once */
	struct worker w[NR_WORKERS];
};

FIXTURE(storm) {
	struct copier_state c;
	struct saved_files saved;
	struct storm *st;
	pid_t pid[NR_WORKERS];
};

FIXTURE_VARIANT(storm) {
	enum copier copier;
};

FIXTURE_VARIANT_ADD(storm, dcbm) { .copier = COPIER_DCBM };
FIXTURE_VARIANT_ADD(storm, mtcopy) { .copier = COPIER_MTCOPY };

/* @len bytes of anonymous memory, THP or base pages, or NULL */
static char *map(size_t len, bool thp)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		munmap(p, len);
		return NULL;
	}
	return p;
}

static void check(struct worker *w, const char *buf, size_t len,
		  uint64_t seed)
{
	w->bad += pages_verify(buf, len / PAGES_SZ, seed);
	w->checked += len;
}

static void filler(struct storm *st, struct worker *w, long cap)
{
	char *chunk[MAX_CHUNKS];
	int head = 0, n = 0;
	uint64_t seed = 1;

	if (cap > MAX_CHUNKS)
		cap = MAX_CHUNKS;
	w->err = pin_to_node(0);
	while (!w->err && !st->stop) {
		if (n < cap) {
			char *p = map(CHUNK, true);

			if (!p || mbind_node(p, CHUNK, 0)) {
				w->err = -ENOMEM;
				break;
			}
			pages_fill(p, CHUNK / PAGES_SZ,
				   seed + (head + n) % MAX_CHUNKS);
			chunk[(head + n++) % MAX_CHUNKS] = p;
			w->rounds++;
			continue;
		}
		st->filled = 1;
		/* The oldest chunk, wherever reclaim put it, then freed */
		check(w, chunk[head], CHUNK, seed + head);
		munmap(chunk[head], CHUNK);
		head = (head + 1) % MAX_CHUNKS;
		n--;
	}
	for (; n > 0; n--, head = (head + 1) % MAX_CHUNKS) {
		check(w, chunk[head], CHUNK, seed + head);
		munmap(chunk[head], CHUNK);
	}
}

static void promoter(struct storm *st, struct worker *w)
{
	size_t len = PROMOTE_PAGES * PAGES_SZ;
	int *status = calloc(PROMOTE_PAGES, sizeof(*status));
	const volatile uint64_t *q;
	char *p = map(len, false);
	unsigned long i, on0;
	double next = 0;

	w->err = pin_to_node(0);
	if (!w->err && (!p || !status))
		w->err = -ENOMEM;
	if (w->err)
		return;
	q = (const volatile uint64_t *)p;
	pages_fill(p, PROMOTE_PAGES, 2);
	pages_move(p, PROMOTE_PAGES, 2);
	while (!st->stop) {
		for (i = 0; i < len / sizeof(*q); i += 64)
			(void)q[i];
		if (now_sec() < next)
			continue;
		next = now_sec() + 1;
		if (pages_nodes(p, PROMOTE_PAGES, status))
			continue;
		for (i = 0, on0 = 0; i < PROMOTE_PAGES; i++)
			on0 += status[i] == 0;
		w->rounds += on0;
		check(w, p, len, 2);
		/* Back to the slow tier, to be promoted again */
		if (on0 > PROMOTE_PAGES / 2)
			pages_move(p, PROMOTE_PAGES, 2);
	}
	check(w, p, len, 2);
}

static void mover(struct storm *st, struct worker *w)
{
	char *p = map(MOVE_BYTES, true);
	int node = 1;

	if (!p) {
		w->err = -ENOMEM;
		return;
	}
	pages_fill(p, MOVE_BYTES / PAGES_SZ, 3);
	while (!st->stop) {
		/* Node 0 may be short of memory: what did not move stays. */
		pages_move(p, MOVE_BYTES / PAGES_SZ, node);
		check(w, p, MOVE_BYTES, 3);
		node = !node;
		w->rounds++;
	}
}

static void compactor(struct storm *st, struct worker *w)
{
	static const char *const nodes[] = {
		NODE_SYSFS "1/compact", NODE_SYSFS "2/compact",
	};

	while (!st->stop) {
		w->err = file_write(nodes[w->rounds % 2], "1");
		if (w->err)
			break;
		w->rounds++;
		usleep(200000);
	}
}

FIXTURE_SETUP(storm)
{
	if (node_meminfo(2, "MemTotal") <= 0 || !pages_two_nodes())
		SKIP(return, "needs nodes 0 and 1 with CPUs and node 2");
	self->st = mmap(NULL, sizeof(*self->st), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->st);
	memset(self->st, 0, sizeof(*self->st));
	copier_setup(_metadata, &self->c, variant->copier, "all");
	ASSERT_EQ(0, saved_write(&self->saved,
				 "/sys/kernel/mm/numa/demotion_enabled", "1"));
	/* kswapd wakes with 30% of node 0 free and reclaims up to 60% */
	ASSERT_EQ(0, saved_write(&self->saved,
				 "/proc/sys/vm/watermark_scale_factor", "3000"));
	ASSERT_EQ(0, saved_write(&self->saved,
				 NUMAB_DEBUG "scan_period_min_ms", "50"));
	ASSERT_EQ(0, saved_write(&self->saved,
				 NUMAB_DEBUG "scan_period_max_ms", "500"));
	ASSERT_EQ(0, saved_write(&self->saved,
				 "/proc/sys/kernel/numa_balancing", "2"));
	/* Room for every batch event of the storm, per CPU */
	ASSERT_EQ(0, batch_trace_mount());
	ASSERT_EQ(0, file_write(BATCH_TRACEFS "/buffer_size_kb", "16384"));
}

FIXTURE_TEARDOWN(storm)
{
	int i;

	if (self->st) {
		self->st->stop = 1;
		for (i = 0; i < NR_WORKERS; i++) {
			if (self->pid[i] > 0) {
				kill(self->pid[i], SIGKILL);
				waitpid(self->pid[i], NULL, 0);
			}
		}
	}
	batch_trace_stop();
	/* The default size (it reads "7 (expanded: 1408)" before first use) */
	file_write(BATCH_TRACEFS "/buffer_size_kb", "1408");
	saved_restore(&self->saved);
	copier_restore(&self->c);
}

/* The migrator's folio count and migrate_offload_copied, once settled */
static void settled(const struct copier_state *c, long long *mine,
		    long long *all)
{
	long long m, a;
	int i;

	*mine = copier_copied(c);
	*all = vmstat_now("migrate_offload_copied");
	for (i = 0; i < 50; i++) {
		usleep(100000);
		m = copier_copied(c);
		a = vmstat_now("migrate_offload_copied");
		if (m == *mine && a == *all)
			return;
		*mine = m;
		*all = a;
	}
}

TEST_F_TIMEOUT(storm, all_at_once, 900)
{
	static const char *const counters[] = {
		"pgdemote_kswapd", "pgpromote_success",
		"compact_migrate_scanned", "pgmigrate_success",
	};
	long long before[4], mine0, all0, mine, all;
	unsigned long secs = env_ulong("STORM_SECS",
				       env_ulong("FULL", 0) == 1 ? 120 : 20);
	unsigned long kswapd = 0, batches = 0;
	double start;
	const char *name = copier_name(variant->copier);
	struct storm *st = self->st;
	long free0 = node_meminfo(0, "MemFree");
	struct batch_event e;
	char bad[512];
	unsigned int i;
	int status, rc;
	FILE *f;

	ASSERT_LT(0UL, secs) TH_LOG("bad STORM_SECS");
	ASSERT_LT(512L << 10, free0) TH_LOG("node 0 has %ld kB free", free0);
	settled(&self->c, &mine0, &all0);
	for (i = 0; i < 4; i++)
		before[i] = vmstat_now(counters[i]);
	ASSERT_EQ(0, batch_trace_start());

	for (i = 0; i < NR_WORKERS; i++) {
		self->pid[i] = fork();
		ASSERT_LE(0, self->pid[i]);
		if (self->pid[i])
			continue;
		switch (i) {
		case FILLER:
			/* Node 0 filled to 20% free: below its low watermark */
			filler(st, &st->w[i], free0 / 5 * 4 * 1024 / CHUNK);
			break;
		case PROMOTER:
			promoter(st, &st->w[i]);
			break;
		case MOVER:
			mover(st, &st->w[i]);
			break;
		case COMPACTOR:
			compactor(st, &st->w[i]);
			break;
		}
		_exit(0);
	}
	/*
	 * The clock starts once node 0 is filled: under TCG, with dcbm's
	 * copy threads on the same CPUs, filling it has taken from a few
	 * seconds to over 20, and a storm without that pressure has no
	 * demotion to test.
	 */
	start = now_sec();
	while (!st->filled && now_sec() < start + FILL_SECS &&
	       waitpid(self->pid[FILLER], &status, WNOHANG) == 0)
		usleep(100000);
	ASSERT_TRUE(st->filled) TH_LOG("the filler did not fill node 0 in %d s (%lu rounds)",
				       FILL_SECS, st->w[FILLER].rounds);
	ksft_print_msg("storm: %s, %lu s, node 0 %ld MiB free, filled in %.1f s\n",
		       name, secs, free0 >> 10, now_sec() - start);
	sleep(secs);
	st->stop = 1;
	for (i = 0; i < NR_WORKERS; i++) {
		ASSERT_EQ(self->pid[i], waitpid(self->pid[i], &status, 0));
		self->pid[i] = 0;
		EXPECT_EQ(0, status) TH_LOG("%s", worker_names[i]);
		EXPECT_EQ(0, st->w[i].err) TH_LOG("%s: %s", worker_names[i],
						  strerror(-st->w[i].err));
		EXPECT_EQ(0UL, st->w[i].bad) TH_LOG("%s", worker_names[i]);
		ksft_print_msg("storm: %s %lu rounds, %llu MiB checked\n",
			       worker_names[i], st->w[i].rounds,
			       st->w[i].checked >> 20);
	}
	settled(&self->c, &mine, &all);
	batch_trace_stop();
	for (i = 0; i < 4; i++) {
		before[i] = vmstat_now(counters[i]) - before[i];
		ksft_print_msg("storm: %s +%lld\n", counters[i], before[i]);
		EXPECT_LT(0, before[i]) TH_LOG("%s", counters[i]);
	}
	/* Only this migrator is registered: every offloaded copy is its. */
	EXPECT_EQ(all - all0, mine - mine0);
	EXPECT_LT(0, mine - mine0);

	f = batch_trace_open();
	ASSERT_NE(NULL, f);
	while ((rc = batch_trace_next(f, &e, bad, sizeof(bad))) > 0) {
		if (strcmp(e.copier, name))
			continue;
		batches++;
		kswapd += !strncmp(e.task, "kswapd", 6) &&
			  !strcmp(e.reason, "demotion");
	}
	fclose(f);
	EXPECT_EQ(0, rc) TH_LOG("bad event: %s", bad);
	ksft_print_msg("storm: %lu batches to %s, %lu of them kswapd's demotions\n",
		       batches, name, kswapd);
	EXPECT_LT(0UL, kswapd) TH_LOG("kswapd never demoted through %s", name);
}

TEST_HARNESS_MAIN
