// SPDX-License-Identifier: GPL-2.0
/*
 * migration_reasons - every path that migrates pages, not only
 * move_pages(2), with each copier: the CPU in the move phase
 * (vm.migrate_batch_copy=0, as without the series), the CPU in the batch
 * copy step (=2), and the test migrator, mtcopy and dcbm over swdma.
 *
 * Each case makes the kernel migrate a patterned region of base pages
 * for one reason, the way the kernel itself does it, and checks every
 * byte, where every page went and the path's own counters:
 *
 *   demotion        memory.reclaim of a memory cgroup demotes node 0's
 *                   pages to node 2, the lower tier (MR_DEMOTION)
 *   numa_misplaced  NUMA balancing (kernel.numa_balancing=1) moves pages
 *                   used by node 1's CPUs to node 1 (MR_NUMA_MISPLACED)
 *   numa_promotion  its tiering mode (=2) promotes pages used by node
 *                   0's CPUs from node 2 to node 0 (MR_NUMA_MISPLACED)
 *   compaction      compacting node 2 (sysfs compact) moves the pages of
 *                   a fragmented region in its movable zone (MR_COMPACTION)
 *   kcompactd       kcompactd2's proactive compaction of node 2, once 2 MiB
 *                   hugetlb pages hold its free 2 MiB blocks and the
 *                   region's holes are what is left (MR_COMPACTION, from
 *                   kcompactd2)
 *   mbind           mbind(MPOL_MF_MOVE) (MR_MEMPOLICY_MBIND)
 *   migrate_pages   migrate_pages(2) (MR_SYSCALL)
 *   cpuset          a cgroup v2 cpuset's mems changed under its task
 *                   (MR_SYSCALL)
 *   memory_hotplug  offlining the memory blocks of node 2's movable
 *                   pc-dimm that hold the region (MR_MEMORY_HOTPLUG)
 *   longterm_pin    an io_uring fixed buffer in that movable memory is
 *                   migrated out of ZONE_MOVABLE before it is pinned
 *                   (MR_LONGTERM_PIN)
 *   contig_range    a 1 GiB hugetlb page taken at run time from node 2's
 *                   CMA area (hugetlb_cma=2:1G) migrates the region out of
 *                   the area (MR_CONTIG_RANGE)
 *   damon_cold, damon_hot
 *                   DAMOS migrate_cold (node 0 to 2) and migrate_hot
 *                   (node 2 to 0) schemes over the physical address
 *                   space, through DAMON's sysfs interface (MR_DAMON)
 *
 * With the mm_migrate_copy_batch tracepoint on: without the batch step
 * there is no event; the CPU's step copies batches of the reason; a
 * migrator whose reason_mask is that reason alone receives batches of
 * that reason and of no other, copies them all, and its own count and
 * /proc/vmstat's migrate_offload_copied agree with the events.  With the
 * test migrator, the case then runs again with a mask of every other
 * reason: no batch of the reason reaches it.  Each case ends with a
 * "# reasons: ..." line (batches, folios copied, bytes verified).
 *
 * Soft offline (MR_MEMORY_FAILURE), which no migrator may serve, is
 * memory_errors' subject.  The contig_range, kcompactd, memory_hotplug
 * and longterm_pin cases take node 2's pc-dimm offline for a while, or
 * need it; doc/testing.md says how each case is set up.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
/*
 * The harness's wrapper sets "child" after its setjmp(); with the test
 * bodies inlined into it gcc warns about that variable, not ours.
 */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "batch_trace.h"
#include "copier.h"
#include "pages.h"
#include "pin.h"

#define REGION_PAGES	512
#define SEED		0x7ea5
#define CGROOT		"/sys/fs/cgroup"
#define NODE_SYSFS	"/sys/devices/system/node/node"
#define MEMORY_SYSFS	"/sys/devices/system/memory/"
#define NUMAB_SYSCTL	"/proc/sys/kernel/numa_balancing"
#define NUMAB_DEBUG	"/sys/kernel/debug/sched/numa_balancing/"
#define DEMOTION	"/sys/kernel/mm/numa/demotion_enabled"
#define DAMON		"/sys/kernel/mm/damon/admin/kdamonds/"
#define MAX_BLOCKS	16
#define PCP_FRACTION	"/proc/sys/vm/percpu_pagelist_high_fraction"

/* Every reason a migrator may serve (migrate_reason_names[]) */
static const char *const reasons[] = {
	"compaction", "memory_hotplug", "syscall_or_cpuset",
	"mempolicy_mbind", "numa_misplaced", "contig_range", "longterm_pin",
	"demotion", "damon",
};

FIXTURE(reasons) {
	struct copier_state c;
	char *buf;
	size_t len;
	unsigned long verified;		/* bytes checked, over the runs */
	struct saved_files saved;	/* what teardown puts back */
	char cgroup[64];		/* a cgroup this case made, or "" */
	bool damon;			/* a kdamond this case started */
	long offlined[MAX_BLOCKS];	/* memory blocks to online again */
	int noffline;
	const char *task;		/* the batches' task, if the case says */
};

FIXTURE_VARIANT(reasons) {
	enum copier copier;
};

FIXTURE_VARIANT_ADD(reasons, stock) { .copier = COPIER_MOVE };
FIXTURE_VARIANT_ADD(reasons, batch_cpu) { .copier = COPIER_STEP };
FIXTURE_VARIANT_ADD(reasons, test_migrator) { .copier = COPIER_TEST_MIGRATOR };
FIXTURE_VARIANT_ADD(reasons, mtcopy) { .copier = COPIER_MTCOPY };
FIXTURE_VARIANT_ADD(reasons, dcbm) { .copier = COPIER_DCBM };

typedef void (*drive_fn)(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self);

/* Write @val to @path, which teardown puts back as it was: 0 or -errno. */
static int set_saved(FIXTURE_DATA(reasons) *self, const char *path,
		     const char *val)
{
	return saved_write(&self->saved, path, val);
}

FIXTURE_SETUP(reasons)
{
	if (node_meminfo(2, "MemTotal") <= 0 || !pages_two_nodes())
		SKIP(return, "needs nodes 0 and 1 with CPUs and node 2");
}

static void cgroup_leave(FIXTURE_DATA(reasons) *self)
{
	char path[128], pid[16];

	if (!*self->cgroup)
		return;
	snprintf(pid, sizeof(pid), "%d", getpid());
	file_write(CGROOT "/cgroup.procs", pid);
	snprintf(path, sizeof(path), CGROOT "/%s", self->cgroup);
	rmdir(path);
	*self->cgroup = '\0';
}

/*
 * Write a file of DAMON's sysfs interface: its writes take the interface's
 * lock with a trylock, and fail with -EBUSY while a running kdamond holds
 * it for a moment, as it does every aggregation.  So retry, for up to 5 s.
 */
static int damon_write(const char *path, const char *val)
{
	int rc, tries = 0;

	while ((rc = file_write(path, val)) == -EBUSY && ++tries < 500)
		usleep(10000);
	return rc;
}

/* Stop the kdamond and remove it; -errno if it would not stop. */
static int damon_off(void)
{
	char state[16] = "";
	int rc;

	if (file_number(DAMON "nr_kdamonds") <= 0)
		return 0;
	if (!file_read(DAMON "0/state", state, sizeof(state)) &&
	    strcmp(state, "off")) {
		rc = damon_write(DAMON "0/state", "off");
		if (rc)
			return rc;
	}
	return damon_write(DAMON "nr_kdamonds", "0");
}

static void damon_stop(FIXTURE_DATA(reasons) *self)
{
	if (!self->damon)
		return;
	damon_off();
	self->damon = false;
}

static void region_free(FIXTURE_DATA(reasons) *self)
{
	if (self->buf)
		munmap(self->buf, self->len);
	self->buf = NULL;
}

/* Pages in a memory block; 0 if sysfs does not say. */
static unsigned long long block_pages(void)
{
	static unsigned long long pages;
	char size[32];

	if (!pages && !file_read(MEMORY_SYSFS "block_size_bytes", size,
				 sizeof(size)))
		pages = strtoull(size, NULL, 16) / PAGES_SZ;
	return pages;
}

/* Whether memory block @block is online in ZONE_MOVABLE */
static bool block_movable(long block)
{
	char path[96], val[64];

	snprintf(path, sizeof(path), MEMORY_SYSFS "memory%ld/state", block);
	if (file_read(path, val, sizeof(val)) || strcmp(val, "online"))
		return false;
	snprintf(path, sizeof(path), MEMORY_SYSFS "memory%ld/valid_zones",
		 block);
	return !file_read(path, val, sizeof(val)) && !strcmp(val, "Movable");
}

/* The memory block of @pfn, if it is online in ZONE_MOVABLE; else -1. */
static long movable_block(uint64_t pfn)
{
	long block;

	if (!block_pages())
		return -1;
	block = pfn / block_pages();
	return block_movable(block) ? block : -1;
}

/* The region's pages in ZONE_MOVABLE, and their blocks in @blocks. */
static unsigned long region_movable(FIXTURE_DATA(reasons) *self,
				    long *blocks, int *nblocks)
{
	unsigned long i, n = 0;
	long b;
	int j;

	*nblocks = 0;
	for (i = 0; i < REGION_PAGES; i++) {
		b = movable_block(pages_pfn(self->buf + i * PAGES_SZ));
		if (b < 0)
			continue;
		n++;
		for (j = 0; j < *nblocks && blocks[j] != b; j++)
			;
		if (j == *nblocks && j < MAX_BLOCKS)
			blocks[(*nblocks)++] = b;
	}
	return n;
}

/*
 * Offline memory block @block, which teardown onlines again (movable).
 * A page still in a per-CPU list, or pinned for a moment, makes an
 * attempt fail with -EBUSY or -EAGAIN: try a few times.
 */
static void block_offline(struct __test_metadata *_metadata,
			  FIXTURE_DATA(reasons) *self, long block)
{
	char path[96];
	int tries, rc;

	ASSERT_GT(MAX_BLOCKS, self->noffline) TH_LOG("memory%ld", block);
	snprintf(path, sizeof(path), MEMORY_SYSFS "memory%ld/state", block);
	for (tries = 0; tries < 5; tries++) {
		rc = file_write(path, "offline");
		if (rc != -EBUSY && rc != -EAGAIN)
			break;
		usleep(100000);
	}
	ASSERT_EQ(0, rc) TH_LOG("offline memory%ld: %s", block, strerror(-rc));
	self->offlined[self->noffline++] = block;
}

/* Online again the blocks this case offlined: 0, or the first -errno */
static int blocks_online(FIXTURE_DATA(reasons) *self)
{
	char path[96];
	int rc, err = 0;

	while (self->noffline > 0) {
		self->noffline--;
		snprintf(path, sizeof(path), MEMORY_SYSFS "memory%ld/state",
			 self->offlined[self->noffline]);
		rc = file_write(path, "online_movable");
		if (!err)
			err = rc;
	}
	return err;
}

/*
 * Offline every movable memory block of @node (node 2's pc-dimm), so
 * that its user pages come from ZONE_NORMAL for the rest of the case.
 */
static void node_movable_offline(struct __test_metadata *_metadata,
				 FIXTURE_DATA(reasons) *self, int node)
{
	char dir[64];
	struct dirent *d;
	long block;
	DIR *dp;

	snprintf(dir, sizeof(dir), NODE_SYSFS "%d", node);
	dp = opendir(dir);
	ASSERT_NE(NULL, dp) TH_LOG("%s: %s", dir, strerror(errno));
	while ((d = readdir(dp))) {
		if (sscanf(d->d_name, "memory%ld", &block) != 1 ||
		    !block_movable(block))
			continue;
		block_offline(_metadata, self, block);
		if (_metadata->exit_code != KSFT_PASS)
			break;
	}
	closedir(dp);
}

FIXTURE_TEARDOWN(reasons)
{
	damon_stop(self);
	region_free(self);
	saved_restore(&self->saved);
	blocks_online(self);
	cgroup_leave(self);
	copier_restore(&self->c);
}

/*
 * The region: REGION_PAGES base pages (no THP, no memory policy),
 * patterned, on @node.
 */
static char *region_at(struct __test_metadata *_metadata,
		       FIXTURE_DATA(reasons) *self, int node)
{
	self->len = REGION_PAGES * PAGES_SZ;
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (self->buf == MAP_FAILED)
		self->buf = NULL;
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, madvise(self->buf, self->len, MADV_NOHUGEPAGE));
	pages_fill(self->buf, REGION_PAGES, SEED);
	ASSERT_EQ(0, pages_move(self->buf, REGION_PAGES, node))
		TH_LOG("placing the region on node %d", node);
	return self->buf;
}

/* Pages of the region on @node. */
static unsigned long region_on(FIXTURE_DATA(reasons) *self, int node)
{
	int status[REGION_PAGES];
	unsigned long i, n = 0;

	if (pages_nodes(self->buf, REGION_PAGES, status))
		return 0;
	for (i = 0; i < REGION_PAGES; i++)
		n += status[i] == node;
	return n;
}

/* Read every word of the region, as a program using it would. */
static void region_touch(FIXTURE_DATA(reasons) *self)
{
	const volatile uint64_t *p = (const volatile uint64_t *)self->buf;
	unsigned long i;

	for (i = 0; i < self->len / sizeof(*p); i += 8)
		(void)p[i];
}

/*
 * Wait up to @secs for the whole region to be on @node, reading it
 * meanwhile if @touch; the pages there at the end.
 */
static unsigned long region_wait(FIXTURE_DATA(reasons) *self, int node,
				 double secs, bool touch)
{
	double end = now_sec() + secs;
	unsigned long n;

	while ((n = region_on(self, node)) < REGION_PAGES && now_sec() < end) {
		if (touch)
			region_touch(self);
		else
			usleep(20000);
	}
	return n;
}

/* Every page of the region on @node (any node if < 0), every byte intact. */
static void region_check(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self, int node)
{
	int status[REGION_PAGES];
	unsigned long i, wrong = 0;

	ASSERT_EQ(0, pages_nodes(self->buf, REGION_PAGES, status));
	for (i = 0; i < REGION_PAGES; i++) {
		if (status[i] < 0 || (node >= 0 && status[i] != node)) {
			if (!wrong++)
				TH_LOG("page %lu is on node %d, not %d", i,
				       status[i], node);
		}
	}
	EXPECT_EQ(0UL, wrong);
	EXPECT_EQ(0UL, pages_verify(self->buf, REGION_PAGES, SEED));
	self->verified += self->len;
}

/*
 * Move this process into a new cgroup v2 group @name, with the memory
 * and cpuset controllers; write @file := @val there first if @file.
 */
static void cgroup_enter(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self, const char *name,
			 const char *file, const char *val)
{
	char dir[128], path[192], pid[16];

	if (access(CGROOT "/cgroup.controllers", F_OK)) {
		mkdir(CGROOT, 0755);
		ASSERT_EQ(0, mount("none", CGROOT, "cgroup2", 0, NULL))
			TH_LOG("mount cgroup2: %s", strerror(errno));
	}
	ASSERT_EQ(0, file_write(CGROOT "/cgroup.subtree_control",
				"+memory +cpuset"));
	snprintf(dir, sizeof(dir), CGROOT "/%s", name);
	rmdir(dir);
	ASSERT_EQ(0, mkdir(dir, 0755)) TH_LOG("%s: %s", dir, strerror(errno));
	snprintf(self->cgroup, sizeof(self->cgroup), "%s", name);
	if (file) {
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		ASSERT_EQ(0, file_write(path, val)) TH_LOG("%s", path);
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	ASSERT_EQ(0, file_write(path, pid));
}

static void drive_demotion(struct __test_metadata *_metadata,
			   FIXTURE_DATA(reasons) *self)
{
	long long demoted0 = vmstat_now("pgdemote_direct");
	char path[128];
	int i;

	ASSERT_EQ(0, set_saved(self, DEMOTION, "1"));
	cgroup_enter(_metadata, self, "vmtest_demotion", NULL, NULL);
	region_at(_metadata, self, 0);
	/*
	 * There is no swap: reclaim can only demote the anonymous pages.
	 * The first pass finds them referenced and activates them, the
	 * next ones age and demote them.  Short of its target, a
	 * memory.reclaim write fails with -EAGAIN.
	 */
	snprintf(path, sizeof(path), CGROOT "/%s/memory.reclaim", self->cgroup);
	for (i = 0; i < 50 && region_on(self, 2) < REGION_PAGES; i++)
		file_write(path, "8M");
	region_check(_metadata, self, 2);
	EXPECT_LE(REGION_PAGES, vmstat_now("pgdemote_direct") - demoted0);
	region_free(self);
	cgroup_leave(self);
}

/* What the child of numa_balance() found */
struct numa_run {
	int err;		/* a setup step failed: -errno */
	unsigned long on;	/* pages on the target node at the end */
	unsigned long bad;	/* words that lost their pattern */
};

/*
 * NUMA balancing, scanning every 10 to 100 ms, for a task on @cpu_node's
 * CPUs using the region on @from: it must end up on @to.  The task is a
 * child that exits when done, so that no NUMA hinting fault of its is
 * pending (and migrating) after the sysctl goes back to 0.
 */
static void numa_balance(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self, const char *mode,
			 int cpu_node, int from, int to, const char *counter)
{
	long long moved0 = vmstat_now(counter);
	struct numa_run *run;
	int status;
	pid_t pid;

	run = mmap(NULL, sizeof(*run), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, run);
	ASSERT_EQ(0, set_saved(self, NUMAB_DEBUG "scan_period_min_ms", "10"));
	ASSERT_EQ(0, set_saved(self, NUMAB_DEBUG "scan_period_max_ms", "100"));
	ASSERT_EQ(0, set_saved(self, NUMAB_DEBUG "scan_delay_ms", "0"));
	ASSERT_EQ(0, set_saved(self, NUMAB_SYSCTL, mode));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* No harness assertion here: they belong to the parent. */
		self->len = REGION_PAGES * PAGES_SZ;
		self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		run->err = pin_to_node(cpu_node);
		if (!run->err && (self->buf == MAP_FAILED ||
				  madvise(self->buf, self->len, MADV_NOHUGEPAGE)))
			run->err = -errno;
		if (!run->err) {
			pages_fill(self->buf, REGION_PAGES, SEED);
			if (pages_move(self->buf, REGION_PAGES, from))
				run->err = -EAGAIN;
		}
		if (!run->err) {
			run->on = region_wait(self, to, 60, true);
			run->bad = pages_verify(self->buf, REGION_PAGES, SEED);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	file_write(NUMAB_SYSCTL, "0");
	ASSERT_EQ(0, status);
	ASSERT_EQ(0, run->err) TH_LOG("setup: %s", strerror(-run->err));
	EXPECT_EQ((unsigned long)REGION_PAGES, run->on) TH_LOG("pages on node %d", to);
	EXPECT_EQ(0UL, run->bad);
	self->verified += REGION_PAGES * PAGES_SZ;
	EXPECT_LE(REGION_PAGES, vmstat_now(counter) - moved0) TH_LOG("%s", counter);
	munmap(run, sizeof(*run));
}

static void drive_numa_misplaced(struct __test_metadata *_metadata,
				 FIXTURE_DATA(reasons) *self)
{
	numa_balance(_metadata, self, "1", 1, 0, 1, "numa_pages_migrated");
}

static void drive_numa_promotion(struct __test_metadata *_metadata,
				 FIXTURE_DATA(reasons) *self)
{
	numa_balance(_metadata, self, "2", 0, 2, 0, "pgpromote_success");
}

/*
 * The number on the line "@key N" of @zone ("Normal", "Movable") of
 * @node in /proc/zoneinfo ("pages free", "high"...); -1 if none.
 */
static long zone_key(int node, const char *zone, const char *key)
{
	char line[256], name[32], fmt[64];
	long val = -1;
	bool in = false;
	int nid;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	snprintf(fmt, sizeof(fmt), " %s %%ld", key);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %31s", &nid, name) == 2) {
			in = nid == node && !strcmp(name, zone);
			continue;
		}
		if (in && sscanf(line, fmt, &val) == 1)
			break;
	}
	fclose(f);
	return val;
}

static long zone_free_pages(int node, const char *zone)
{
	return zone_key(node, zone, "pages free");
}

/*
 * A fragmented region: @n patterned base pages on a node, then those at
 * even PFNs freed.  Compaction moves the kept pages that sit below the
 * point where its two scanners meet into the holes above it.
 *
 * The holes are chosen by PFN, not by address, because of how the free
 * scanner walks a pageblock: after a block where it isolated nothing it
 * steps through the next ones 2, 4, ... 32 pages at a time from the
 * block's start, so it sees only even PFNs.  The last holes freed sit
 * in a per-CPU list, not in the buddy allocator, and their blocks give
 * it nothing; holes at odd PFNs below them would never be found, and
 * compaction would end having moved nothing.
 */
struct frag {
	unsigned long n, nr_kept;
	uint64_t *before, *after;	/* the pages' PFNs */
	bool *kept;
	int *status;
};

static void frag_free(struct frag *f)
{
	free(f->before);
	free(f->after);
	free(f->kept);
	free(f->status);
	memset(f, 0, sizeof(*f));
}

static void frag_make(struct __test_metadata *_metadata,
		      FIXTURE_DATA(reasons) *self, struct frag *f,
		      unsigned long n, int node)
{
	unsigned long i;

	f->n = n;
	self->len = n * PAGES_SZ;
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (self->buf == MAP_FAILED)
		self->buf = NULL;
	ASSERT_NE(NULL, self->buf);
	f->before = calloc(n, sizeof(*f->before));
	f->after = calloc(n, sizeof(*f->after));
	f->kept = calloc(n, sizeof(*f->kept));
	f->status = calloc(n, sizeof(*f->status));
	ASSERT_TRUE(f->before && f->after && f->kept && f->status);
	ASSERT_EQ(0, madvise(self->buf, self->len, MADV_NOHUGEPAGE));
	/* Allocated there as it is written, in the order it is written */
	ASSERT_EQ(0, mbind_node(self->buf, self->len, node));
	pages_fill(self->buf, n, SEED);
	ASSERT_EQ(0, pages_pfns(self->buf, n, f->before));
	for (i = 0; i < n; i++) {
		if (f->before[i] % 2) {
			f->kept[i] = true;
			f->nr_kept++;
			continue;
		}
		ASSERT_EQ(0, madvise(self->buf + i * PAGES_SZ, PAGES_SZ,
				     MADV_DONTNEED));
	}
	/* Pages are handed out in runs, each PFN's neighbours in the region */
	ASSERT_LT(n / 4, f->nr_kept) TH_LOG("%lu of %lu pages at odd PFNs",
					    f->nr_kept, n);
	ASSERT_LT(n / 4, n - f->nr_kept) TH_LOG("%lu of %lu pages at even PFNs",
						n - f->nr_kept, n);
}

/* Kept pages of the region at new PFNs; 0 also if pagemap fails */
static unsigned long frag_moved(FIXTURE_DATA(reasons) *self, struct frag *f)
{
	unsigned long i, moved = 0;

	if (pages_pfns(self->buf, f->n, f->after))
		return 0;
	for (i = 0; i < f->n; i++)
		moved += f->kept[i] && f->after[i] != f->before[i];
	return moved;
}

/* Every kept page on @node and intact, and some moved by compaction */
static void frag_check(struct __test_metadata *_metadata,
		       FIXTURE_DATA(reasons) *self, struct frag *f, int node)
{
	unsigned long i, w, moved, wrong = 0, bad = 0;

	moved = frag_moved(self, f);
	ASSERT_EQ(0, pages_nodes(self->buf, f->n, f->status));
	for (i = 0; i < f->n; i++) {
		if (!f->kept[i])
			continue;
		wrong += f->status[i] != node;
		for (w = 0; w < PAGES_WORDS; w++)
			bad += ((uint64_t *)(self->buf + i * PAGES_SZ))[w] !=
			       pages_pattern(SEED, i, w);
	}
	self->verified += f->nr_kept * PAGES_SZ;
	EXPECT_EQ(0UL, bad);
	EXPECT_EQ(0UL, wrong) TH_LOG("pages off node %d", node);
	EXPECT_LT(0UL, moved) TH_LOG("compaction moved none of %lu pages",
				     f->nr_kept);
}

/* The counters the compaction case reports, read before and after */
static const char *const compact_keys[] = {
	"compact_migrate_scanned", "compact_free_scanned", "compact_isolated",
	"pgmigrate_success", "pgmigrate_fail",
};

#define NR_COMPACT_KEYS (sizeof(compact_keys) / sizeof(compact_keys[0]))

static void compact_counters(long long *v)
{
	size_t i;

	for (i = 0; i < NR_COMPACT_KEYS; i++)
		v[i] = vmstat_now(compact_keys[i]);
}

/*
 * Where the region lies in @zone of @node and what compaction did (the
 * counters since @v0), on one line: whether compaction moves the region
 * depends on where it was allocated.
 */
static void frag_report(struct frag *f, int node, const char *zone,
			const long long *v0)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	long long v[NR_COMPACT_KEYS];
	char line[512];
	unsigned long i;
	int n;

	compact_counters(v);
	for (i = 0; i < f->n; i++) {
		if (!f->kept[i])
			continue;
		lo = f->before[i] < lo ? f->before[i] : lo;
		hi = f->before[i] > hi ? f->before[i] : hi;
	}
	n = snprintf(line, sizeof(line),
		     "node %d %s: start_pfn %#lx spanned %ld free %ld, kept pages at %#llx-%#llx;",
		     node, zone, zone_key(node, zone, "start_pfn:"),
		     zone_key(node, zone, "spanned"),
		     zone_free_pages(node, zone), (unsigned long long)lo,
		     (unsigned long long)hi);
	for (i = 0; i < NR_COMPACT_KEYS && n < (int)sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - n, " %s +%lld",
			      compact_keys[i], v[i] - v0[i]);
	ksft_print_msg("compaction: %s\n", line);
}

/*
 * A quarter of node 2's movable zone (the pc-dimm) filled with the
 * region, then its pages at even PFNs freed: compacting the node moves
 * pages from the bottom of the zone into free pages at its top.  Filling
 * that much of a zone this small is what makes some of the region sit
 * below the point where compaction's two scanners meet, wherever in the
 * zone it was allocated.
 */
static void drive_compaction(struct __test_metadata *_metadata,
			     FIXTURE_DATA(reasons) *self)
{
	long nfree = zone_free_pages(2, "Movable");
	long long v0[NR_COMPACT_KEYS];
	struct frag f = { 0 };

	ASSERT_LT(4096, nfree) TH_LOG("node 2's movable zone: %ld free pages",
				      nfree);
	frag_make(_metadata, self, &f, nfree / 4, 2);
	if (_metadata->exit_code == KSFT_PASS) {
		compact_counters(v0);
		EXPECT_EQ(0, file_write(NODE_SYSFS "2/compact", "1"));
		frag_check(_metadata, self, &f, 2);
		EXPECT_LT(0, vmstat_now("compact_migrate_scanned") - v0[0]);
		frag_report(&f, 2, "Movable", v0);
	}
	frag_free(&f);
	region_free(self);
}

/*
 * Read @path into @line up to its "Node @node, zone @zone" line (as in
 * /proc/buddyinfo and debugfs' extfrag files): the numbers after the
 * zone's name, or NULL if there is no such line.
 */
static const char *zone_line(const char *path, int node, const char *zone,
			     char *line, int size)
{
	const char *rest = NULL;
	char name[32];
	int nid, pos;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	while (!rest && fgets(line, size, f))
		if (sscanf(line, "Node %d, zone %31s%n", &nid, name, &pos) == 2 &&
		    nid == node && !strcmp(name, zone))
			rest = line + pos;
	fclose(f);
	return rest;
}

/*
 * Free blocks of at least @order in @zone of @node, in blocks of
 * @order, from /proc/buddyinfo; -1 if it has no such line.
 */
static long buddy_blocks(int node, const char *zone, int order)
{
	char line[512];
	const char *p = zone_line("/proc/buddyinfo", node, zone, line,
				  sizeof(line));
	long blocks = 0, cnt;
	int o, len;

	if (!p)
		return -1;
	for (o = 0; sscanf(p, "%ld%n", &cnt, &len) == 1; o++, p += len)
		if (o >= order)
			blocks += cnt << (o - order);
	return blocks;
}

/*
 * The share of @zone's free memory (of @node) in blocks smaller than
 * @order, in thousandths: debugfs' extfrag/unusable_index (printed with
 * three decimals), which is what proactive compaction scores a zone by.
 * -1 if not found.
 */
static long unusable_index(int node, const char *zone, int order)
{
	char line[512];
	const char *p = zone_line("/sys/kernel/debug/extfrag/unusable_index",
				  node, zone, line, sizeof(line));
	int o, len, ip, fp;

	if (!p)
		return -1;
	for (o = 0; sscanf(p, " %d.%d%n", &ip, &fp, &len) == 2; o++, p += len)
		if (o == order)
			return ip * 1000L + fp;
	return -1;
}

/* The pid of the kernel thread named @comm; -1 if none. */
static pid_t kthread_pid(const char *comm)
{
	char path[300], name[32];
	struct dirent *d;
	pid_t pid = -1;
	DIR *dp = opendir("/proc");

	if (!dp)
		return -1;
	while (pid < 0 && (d = readdir(dp))) {
		if (*d->d_name < '0' || *d->d_name > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if (!file_read(path, name, sizeof(name)) && !strcmp(name, comm))
			pid = atoi(d->d_name);
	}
	closedir(dp);
	return pid;
}

/* The state letter of task @pid ('S', 'R', 'D'...); '?' if unknown */
static char task_state(pid_t pid)
{
	char path[64], stat[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (file_read(path, stat, sizeof(stat)))
		return '?';
	p = strrchr(stat, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

#define KCOMPACTD_NODES	3

/*
 * Wait up to @secs for every kcompactd to be idle: each asleep (S, as
 * kcompactd waits for work; a copy in flight waits uninterruptibly) and
 * the daemons' migrate scanner count unchanged, five looks 0.1 s apart.
 */
static int kcompactd_settle(double secs)
{
	double end = now_sec() + secs;
	long long scanned, last = -1;
	pid_t pid[KCOMPACTD_NODES];
	int calm = 0, nid;
	char comm[32];

	for (nid = 0; nid < KCOMPACTD_NODES; nid++) {
		snprintf(comm, sizeof(comm), "kcompactd%d", nid);
		pid[nid] = kthread_pid(comm);
	}
	while (calm < 5) {
		if (now_sec() > end)
			return -ETIMEDOUT;
		usleep(100000);
		scanned = file_key("/proc/vmstat",
				   "compact_daemon_migrate_scanned");
		calm = scanned == last ? calm + 1 : 0;
		last = scanned;
		for (nid = 0; nid < KCOMPACTD_NODES; nid++)
			if (pid[nid] > 0 && task_state(pid[nid]) != 'S')
				calm = 0;
	}
	return 0;
}

#define PROACTIVE	"/proc/sys/vm/compaction_proactiveness"
#define HUGE_2M		NODE_SYSFS "2/hugepages/hugepages-2048kB/nr_hugepages"
#define HUGE_1G		NODE_SYSFS "2/hugepages/hugepages-1048576kB/nr_hugepages"
#define HPAGE_ORDER	9
#define KCOMPACTD_PAGES	6144

/*
 * kcompactd2 compacting node 2 on its own (proactive compaction).  It
 * does when the node's fragmentation score, each zone's share of free
 * memory outside 2 MiB blocks weighted by the zone's share of the node,
 * is above 100 - compaction_proactiveness + 10 (15 at 100), and kswapd
 * is not running there; writing compaction_proactiveness wakes every
 * kcompactd to check.  With the pc-dimm offline node 2 is its Normal
 * zone; the region's holes give it free pages outside 2 MiB blocks, and
 * 2 MiB hugetlb pages take its free 2 MiB blocks but for a few that keep
 * it 2 MiB over its high watermark (the THP defaults make that some
 * 40 MiB here), so that kswapd stays asleep.  The free scanner takes no
 * whole free block, so compaction fills the region's holes.
 */
static void drive_kcompactd(struct __test_metadata *_metadata,
			    FIXTURE_DATA(reasons) *self)
{
	long long daemon0 = vmstat_now("compact_daemon_migrate_scanned");
	long blocks, nfree, high, nr, idx;
	struct frag f = { 0 };
	char num[32];
	double end;

	self->task = "kcompactd2";
	ASSERT_LT(0, kthread_pid(self->task)) TH_LOG("no %s", self->task);
	node_movable_offline(_metadata, self, 2);
	/*
	 * Pages freed go to a per-CPU list first, where they count as
	 * neither free nor fragmented, up to a few thousand here: keep
	 * those lists to their minimum, so that the holes reach the zone.
	 */
	ASSERT_EQ(0, set_saved(self, PCP_FRACTION, "1000000"));
	/* Off until node 2 is set up; teardown frees the pages first */
	ASSERT_EQ(0, set_saved(self, PROACTIVE, "0"));
	frag_make(_metadata, self, &f, KCOMPACTD_PAGES, 2);
	if (_metadata->exit_code != KSFT_PASS)
		goto out;

	blocks = buddy_blocks(2, "Normal", HPAGE_ORDER);
	nfree = zone_free_pages(2, "Normal");
	high = zone_key(2, "Normal", "high");
	for (nr = blocks; nr > 0 && nfree - (nr << HPAGE_ORDER) < high + 512;
	     nr--)
		;
	ASSERT_LT(0, nr) TH_LOG("node 2: %ld free 2 MiB blocks, %ld free pages, high watermark %ld",
				blocks, nfree, high);
	snprintf(num, sizeof(num), "%ld", nr);
	ASSERT_EQ(0, set_saved(self, HUGE_2M, num));
	idx = unusable_index(2, "Normal", HPAGE_ORDER);
	ksft_print_msg("kcompactd: %lld of %ld 2 MiB pages taken on node 2, %ld pages free, %ld.%ld%% of them outside 2 MiB blocks\n",
		       file_number(HUGE_2M), nr, zone_free_pages(2, "Normal"),
		       idx / 10, idx % 10);
	/* The node's score is this zone's: over 15% compacts at 100 */
	ASSERT_LT(150, idx) TH_LOG("node 2 is not fragmented enough");

	ASSERT_EQ(0, file_write(PROACTIVE, "100"));
	for (end = now_sec() + 60; !frag_moved(self, &f) && now_sec() < end;)
		usleep(50000);
	file_write(PROACTIVE, "0");
	EXPECT_EQ(0, kcompactd_settle(60)) TH_LOG("kcompactd still busy");
	EXPECT_EQ(0, file_write(HUGE_2M, "0"));
	frag_check(_metadata, self, &f, 2);
	EXPECT_LT(0, vmstat_now("compact_daemon_migrate_scanned") - daemon0);
out:
	frag_free(&f);
	region_free(self);
	EXPECT_EQ(0, blocks_online(self));
}

static void drive_mbind(struct __test_metadata *_metadata,
			FIXTURE_DATA(reasons) *self)
{
	region_at(_metadata, self, 0);
	ASSERT_EQ(0, mbind_node(self->buf, self->len, 1))
		TH_LOG("mbind: %s", strerror(errno));
	region_check(_metadata, self, 1);
	region_free(self);
}

static void drive_migrate_pages(struct __test_metadata *_metadata,
				FIXTURE_DATA(reasons) *self)
{
	unsigned long from = 1UL << 0, to = 1UL << 1;
	long ret;

	region_at(_metadata, self, 0);
	/* Every page of this process on node 0, the region among them */
	ret = syscall(SYS_migrate_pages, 0, sizeof(from) * 8, &from, &to);
	ASSERT_LE(0, ret) TH_LOG("migrate_pages: %s", strerror(errno));
	region_check(_metadata, self, 1);
	region_free(self);
}

static void drive_cpuset(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self)
{
	char path[128];

	cgroup_enter(_metadata, self, "vmtest_cpuset", "cpuset.mems", "0");
	region_at(_metadata, self, 0);
	/* cgroup v2 migrates a task's memory when its cpuset's mems change */
	snprintf(path, sizeof(path), CGROOT "/%s/cpuset.mems", self->cgroup);
	ASSERT_EQ(0, file_write(path, "1"));
	region_check(_metadata, self, 1);
	region_free(self);
	cgroup_leave(self);
}

static void drive_memory_hotplug(struct __test_metadata *_metadata,
				 FIXTURE_DATA(reasons) *self)
{
	long blocks[MAX_BLOCKS];
	int i, nblocks;

	/* Node 2's ZONE_MOVABLE, the pc-dimm, comes first for user pages. */
	region_at(_metadata, self, 2);
	ASSERT_LT(0UL, region_movable(self, blocks, &nblocks))
		TH_LOG("no page of the region in node 2's movable memory");
	for (i = 0; i < nblocks; i++)
		block_offline(_metadata, self, blocks[i]);
	EXPECT_EQ(0UL, region_movable(self, blocks, &nblocks));
	region_check(_metadata, self, -1);
	region_free(self);
	EXPECT_EQ(0, blocks_online(self));
}

static void drive_longterm_pin(struct __test_metadata *_metadata,
			       FIXTURE_DATA(reasons) *self)
{
	struct io_uring_params p = { 0 };
	long blocks[MAX_BLOCKS];
	struct iovec iov;
	int fd, nblocks;

	region_at(_metadata, self, 2);
	ASSERT_LT(0UL, region_movable(self, blocks, &nblocks))
		TH_LOG("no page of the region in node 2's movable memory");
	fd = syscall(__NR_io_uring_setup, 4, &p);
	ASSERT_LE(0, fd) TH_LOG("io_uring_setup: %s", strerror(errno));
	iov.iov_base = self->buf;
	iov.iov_len = self->len;
	/* A fixed buffer is pinned FOLL_LONGTERM: out of ZONE_MOVABLE first */
	EXPECT_EQ(0, syscall(__NR_io_uring_register, fd,
			     IORING_REGISTER_BUFFERS, &iov, 1))
		TH_LOG("IORING_REGISTER_BUFFERS: %s", strerror(errno));
	EXPECT_EQ(0UL, region_movable(self, blocks, &nblocks));
	region_check(_metadata, self, -1);
	syscall(__NR_io_uring_register, fd, IORING_UNREGISTER_BUFFERS, NULL, 0);
	close(fd);
	region_free(self);
}

#define CMA_AREA	"/sys/kernel/debug/cma/hugetlb2/"

/* Pages of the region in PFNs [@base, @base + @count) */
static unsigned long region_in(FIXTURE_DATA(reasons) *self, uint64_t base,
			       uint64_t count)
{
	uint64_t pfn[REGION_PAGES];
	unsigned long i, n = 0;

	if (pages_pfns(self->buf, REGION_PAGES, pfn))
		return 0;
	for (i = 0; i < REGION_PAGES; i++)
		n += pfn[i] >= base && pfn[i] - base < count;
	return n;
}

#define PAD_PAGES	4096

/*
 * The region on @node, from the buddy allocator rather than a per-CPU
 * list: those keep the pages freed last (the previous run's region,
 * outside the CMA area), and hand them out first.  So allocate it on
 * one CPU, after a pad of PAD_PAGES on the node has emptied that CPU's
 * list (kept to its minimum by the caller, a few hundred pages).
 */
static void region_pcp_fresh(struct __test_metadata *_metadata,
			     FIXTURE_DATA(reasons) *self, int node)
{
	size_t len = PAD_PAGES * PAGES_SZ;
	cpu_set_t mask, one;
	unsigned long i;
	char *pad;
	int cpu = sched_getcpu();

	ASSERT_LE(0, cpu);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(mask), &mask));
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	pad = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pad != MAP_FAILED) {
		madvise(pad, len, MADV_NOHUGEPAGE);
		if (!mbind_node(pad, len, node))
			for (i = 0; i < PAD_PAGES; i++)
				pad[i * PAGES_SZ] = 1;
	}
	region_at(_metadata, self, node);
	if (pad != MAP_FAILED)
		munmap(pad, len);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(mask), &mask));
	ASSERT_NE(MAP_FAILED, pad);
}

/*
 * A 1 GiB hugetlb page taken at run time on node 2: hugetlb_cma=2:1G
 * gave the node a CMA area for it, which alloc_gigantic_folio() takes
 * with cma_alloc(), whose alloc_contig_range() migrates what the area
 * holds out of it (MR_CONTIG_RANGE).  Movable allocations come from a
 * CMA area first while it holds more than half of its zone's free
 * memory, so with the pc-dimm offline the region lands in it.
 */
static void drive_contig_range(struct __test_metadata *_metadata,
			       FIXTURE_DATA(reasons) *self)
{
	long long base = file_number(CMA_AREA "base_pfn");
	long long count = file_number(CMA_AREA "count");
	unsigned long in;

	ASSERT_LT(0, base) TH_LOG("no CMA area hugetlb2 in debugfs");
	ASSERT_LT(0, count);
	node_movable_offline(_metadata, self, 2);
	ASSERT_EQ(0, set_saved(self, PCP_FRACTION, "1000000"));
	region_pcp_fresh(_metadata, self, 2);
	in = region_in(self, base, count);
	ASSERT_LT(0UL, in)
		TH_LOG("no page of the region in PFNs %#llx-%#llx; node 2: %ld pages free, %ld of them in CMA",
		       base, base + count - 1, zone_free_pages(2, "Normal"),
		       zone_key(2, "Normal", "nr_free_cma"));
	ASSERT_EQ(0, set_saved(self, HUGE_1G, "1"));
	EXPECT_EQ(1, file_number(HUGE_1G))
		TH_LOG("no 1 GiB page from node 2's CMA area (%lld pages of it in use)",
		       file_number(CMA_AREA "used"));
	EXPECT_EQ(0UL, region_in(self, base, count));
	region_check(_metadata, self, 2);
	ksft_print_msg("contig_range: %lu of %d pages of the region were in the CMA area\n",
		       in, REGION_PAGES);
	EXPECT_EQ(0, file_write(HUGE_1G, "0"));
	region_free(self);
	EXPECT_EQ(0, blocks_online(self));
}

/* One DAMON file: @rel under the first kdamond's first context */
static int damon_set(const char *rel, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), DAMON "0/contexts/0/%s", rel);
	return damon_write(path, val);
}

static int cmp_pfn(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define DAMON_MAX_RANGES	32
#define DAMON_WAIT_SECS		60
/*
 * DAMON merges adjacent regions it sees accessed alike, so once most of
 * the region has moved, the few pages left can sit in a large region of
 * other pages whose samples rarely fall on them (28 of 512 pages stayed
 * on node 2 for a minute once, the scheme applied 9 times and no more):
 * every DAMON_AIM_SECS the kdamond starts again on the physical ranges
 * of the pages still to move.
 */
#define DAMON_AIM_SECS		10

/*
 * The physical ranges [start, end) (in pages) that hold the region's
 * pages on @node (all of them if @node < 0), at most DAMON_MAX_RANGES: runs of its sorted PFNs, runs closer
 * than a gap that doubles until they are few enough.  Monitoring them
 * rather than the span from the lowest to the highest PFN keeps DAMON's
 * samples on the region, however scattered node 2 has become.
 */
static int region_ranges(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self, int node,
			 uint64_t (*range)[2])
{
	uint64_t pfn[REGION_PAGES], gap;
	int status[REGION_PAGES];
	unsigned long i, count = 0;
	int n = 0;

	ASSERT_EQ(0, pages_pfns(self->buf, REGION_PAGES, pfn));
	ASSERT_EQ(0, pages_nodes(self->buf, REGION_PAGES, status));
	for (i = 0; i < REGION_PAGES; i++)
		if (node < 0 || status[i] == node)
			pfn[count++] = pfn[i];
	ASSERT_LT(0UL, count) TH_LOG("no page of the region on node %d", node);
	qsort(pfn, count, sizeof(*pfn), cmp_pfn);
	ASSERT_NE(0ULL, (unsigned long long)pfn[0]);
	for (gap = 1;; gap *= 2) {
		n = 0;
		for (i = 0; i < count; i++) {
			if (n && pfn[i] <= range[n - 1][1] + gap) {
				range[n - 1][1] = pfn[i] + 1;
				continue;
			}
			if (n == DAMON_MAX_RANGES)
				break;
			range[n][0] = pfn[i];
			range[n++][1] = pfn[i] + 1;
		}
		if (i == count)
			return n;
	}
}

/*
 * A kdamond monitoring the physical ranges of the region's pages on
 * @from, with one
 * scheme: @action to @nid for regions accessed in [@min_acc, @max_acc]
 * samples per aggregation (1 ms samples, 20 ms aggregations).
 */
static void damon_start(struct __test_metadata *_metadata,
			FIXTURE_DATA(reasons) *self, int from, const char *action,
			int nid, const char *min_acc, const char *max_acc)
{
	static const char *const steps[][2] = {
		{ "operations", "paddr" },
		{ "monitoring_attrs/intervals/sample_us", "1000" },
		{ "monitoring_attrs/intervals/aggr_us", "20000" },
		{ "targets/nr_targets", "1" },
		{ "schemes/nr_schemes", "1" },
		{ "schemes/0/access_pattern/sz/min", "0" },
		{ "schemes/0/access_pattern/sz/max", "18446744073709551615" },
		{ "schemes/0/access_pattern/age/min", "0" },
		{ "schemes/0/access_pattern/age/max", "4294967295" },
	};
	uint64_t range[DAMON_MAX_RANGES][2];
	char num[32], name[64];
	int i, n;

	n = region_ranges(_metadata, self, from, range);
	ASSERT_EQ(0, access(DAMON "nr_kdamonds", F_OK))
		TH_LOG("no DAMON sysfs interface");
	/* Nothing left running by someone else: it would migrate too */
	ASSERT_EQ(0, damon_off());
	self->damon = true;
	ASSERT_EQ(0, damon_write(DAMON "nr_kdamonds", "1"));
	ASSERT_EQ(0, damon_write(DAMON "0/contexts/nr_contexts", "1"));
	for (i = 0; i < (int)(sizeof(steps) / sizeof(steps[0])); i++) {
		ASSERT_EQ(0, damon_set(steps[i][0], steps[i][1]))
			TH_LOG("%s", steps[i][0]);
	}
	snprintf(num, sizeof(num), "%d", n);
	ASSERT_EQ(0, damon_set("targets/0/regions/nr_regions", num));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "targets/0/regions/%d/start", i);
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)range[i][0] * PAGES_SZ);
		ASSERT_EQ(0, damon_set(name, num));
		snprintf(name, sizeof(name), "targets/0/regions/%d/end", i);
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)range[i][1] * PAGES_SZ);
		ASSERT_EQ(0, damon_set(name, num));
	}
	ASSERT_EQ(0, damon_set("schemes/0/action", action));
	snprintf(num, sizeof(num), "%d", nid);
	ASSERT_EQ(0, damon_set("schemes/0/target_nid", num));
	ASSERT_EQ(0, damon_set("schemes/0/access_pattern/nr_accesses/min",
			       min_acc));
	ASSERT_EQ(0, damon_set("schemes/0/access_pattern/nr_accesses/max",
			       max_acc));
	ASSERT_EQ(0, damon_write(DAMON "0/state", "on"));
}

/*
 * Why the region did not all reach @to: where its pages are, how much
 * memory @to has free (DAMON allocates there without reclaim), and what
 * the scheme tried and applied (its stats, refreshed on request).
 */
static void damon_report(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self, int from, int to,
			 double secs)
{
	static const char *const stat[] = {
		"nr_tried", "sz_tried", "nr_applied", "sz_applied", "qt_exceeds",
	};
	char path[128], val[32];
	unsigned int i;

	TH_LOG("after %.0f s: %lu pages on node %d, %lu on node %d; node %d free %ld kB",
	       secs, region_on(self, to), to, region_on(self, from), from, to,
	       node_meminfo(to, "MemFree"));
	if (damon_write(DAMON "0/state", "update_schemes_stats"))
		return;
	for (i = 0; i < sizeof(stat) / sizeof(stat[0]); i++) {
		snprintf(path, sizeof(path),
			 DAMON "0/contexts/0/schemes/0/stats/%s", stat[i]);
		if (file_read(path, val, sizeof(val)))
			snprintf(val, sizeof(val), "?");
		TH_LOG("scheme %s %s", stat[i], val);
	}
}

/*
 * The region on @from, and a kdamond whose scheme @action moves it to
 * @to: read all along for migrate_hot (@hot), never for migrate_cold
 * (asking where pages are reads none).
 */
static void damon_migrate(struct __test_metadata *_metadata,
			  FIXTURE_DATA(reasons) *self, int from, int to,
			  bool hot)
{
	double end, left;
	unsigned long on = 0;

	region_at(_metadata, self, from);
	end = now_sec() + DAMON_WAIT_SECS;
	while ((left = end - now_sec()) > 0) {
		if (hot)
			damon_start(_metadata, self, from, "migrate_hot", to,
				    "1", "4294967295");
		else
			damon_start(_metadata, self, from, "migrate_cold", to,
				    "0", "0");
		on = region_wait(self, to, left < DAMON_AIM_SECS ?
				 left : DAMON_AIM_SECS, hot);
		if (on == REGION_PAGES || now_sec() >= end)
			break;
		ASSERT_EQ(0, damon_off()) TH_LOG("the kdamond would not stop");
	}
	if (on < REGION_PAGES)
		damon_report(_metadata, self, from, to, DAMON_WAIT_SECS);
	ASSERT_EQ(0, damon_off()) TH_LOG("the kdamond would not stop");
	self->damon = false;
	region_check(_metadata, self, to);
	region_free(self);
}

static void drive_damon_cold(struct __test_metadata *_metadata,
			     FIXTURE_DATA(reasons) *self)
{
	damon_migrate(_metadata, self, 0, 2, false);
}

static void drive_damon_hot(struct __test_metadata *_metadata,
			    FIXTURE_DATA(reasons) *self)
{
	damon_migrate(_metadata, self, 2, 0, true);
}

/* What the events of one run add up to */
struct tally {
	unsigned long events;		/* of the reason */
	unsigned long cpu;		/* of the reason, copied by the CPU */
	unsigned long mine;		/* of the reason, to the copier */
	unsigned long mine_other;	/* of another reason, to a migrator */
	unsigned long folios, copied;	/* in the copier's batches */
	unsigned long offloaded;	/* copied by any migrator */
	unsigned long task;		/* of the reason, to the copier, from
					 * the task the case names */
	char other[80];			/* the first of another reason */
};

static void tally_trace(struct __test_metadata *_metadata, const char *reason,
			const char *copier, const char *task, struct tally *t)
{
	struct batch_event e;
	char bad[512];
	FILE *f;
	int rc;

	memset(t, 0, sizeof(*t));
	f = batch_trace_open();
	ASSERT_NE(NULL, f);
	while ((rc = batch_trace_next(f, &e, bad, sizeof(bad))) > 0) {
		bool mine = !strcmp(e.copier, copier);

		if (strcmp(e.copier, "cpu"))
			t->offloaded += e.nr_copied;
		if (strcmp(e.reason, reason)) {
			if (mine && strcmp(copier, "cpu") && !t->mine_other++)
				snprintf(t->other, sizeof(t->other), "%s (%s)",
					 e.reason, e.task);
			continue;
		}
		t->events++;
		t->cpu += !strcmp(e.copier, "cpu");
		if (!mine)
			continue;
		t->mine++;
		t->task += task && !strcmp(e.task, task);
		t->folios += e.nr_folios;
		t->copied += e.nr_copied;
		EXPECT_EQ(0, e.result) TH_LOG("%s: result %d", e.task, e.result);
	}
	fclose(f);
	EXPECT_EQ(0, rc) TH_LOG("bad event: %s", bad);
}

/* The reason mask of every reason a migrator may serve but @reason */
static void mask_without(const char *reason, char *mask, size_t size)
{
	size_t i, n = 0;

	*mask = '\0';
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reasons[i], reason))
			n += snprintf(mask + n, size - n, "%s%s", n ? "," : "",
				      reasons[i]);
}

/*
 * Run @drive with the variant's copier serving @reason (a migrator
 * only that reason), and check the batch events; with the test
 * migrator, once more with every other reason.
 */
static void check_reason(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self, enum copier copier,
			 const char *reason, drive_fn drive)
{
	const char *name = copier_name(copier);
	long long copied0, offloaded0, migrated0;
	char mask[256];
	struct tally t;

	self->task = NULL;
	copier_setup(_metadata, &self->c, copier, reason);
	copied0 = copier_copied(&self->c);
	offloaded0 = vmstat_now("migrate_offload_copied");
	migrated0 = vmstat_now("pgmigrate_success");
	ASSERT_EQ(0, batch_trace_start());
	drive(_metadata, self);
	batch_trace_stop();
	tally_trace(_metadata, reason, name, self->task, &t);

	if (self->task && copier != COPIER_MOVE)
		EXPECT_LT(0UL, t.task) TH_LOG("no %s batch from %s", reason,
					      self->task);
	switch (copier) {
	case COPIER_MOVE:
		/* No batch step: no event */
		EXPECT_EQ(0UL, t.events);
		break;
	case COPIER_STEP:
		EXPECT_LT(0UL, t.cpu) TH_LOG("no %s batch", reason);
		EXPECT_EQ(t.events, t.cpu);
		break;
	default:
		EXPECT_LT(0UL, t.mine) TH_LOG("no %s batch for %s", reason,
					      name);
		EXPECT_EQ(0UL, t.mine_other) TH_LOG("a batch of %s", t.other);
		EXPECT_EQ(t.folios, t.copied);
		EXPECT_EQ((long long)t.copied,
			  copier_copied(&self->c) - copied0);
		EXPECT_EQ((long long)t.offloaded,
			  vmstat_now("migrate_offload_copied") - offloaded0);
		break;
	}
	ksft_print_msg("reasons: %s %s migrated %lld batches %lu folios %lu copied %lu verified %lu\n",
		       reason, copier == COPIER_MOVE ? "stock" :
		       copier == COPIER_STEP ? "batch_cpu" : name,
		       vmstat_now("pgmigrate_success") - migrated0,
		       t.mine, t.folios, t.copied, self->verified);

	if (copier != COPIER_TEST_MIGRATOR)
		return;
	/* The control: a mask without the reason gets none of its batches. */
	mask_without(reason, mask, sizeof(mask));
	ASSERT_EQ(0, copier_set_mask(&self->c, mask));
	ASSERT_EQ(0, batch_trace_start());
	drive(_metadata, self);
	batch_trace_stop();
	tally_trace(_metadata, reason, name, self->task, &t);
	EXPECT_EQ(0UL, t.mine) TH_LOG("%s batches reached %s without %s",
				      reason, name, reason);
}

#define REASON_TEST(test, reason, secs)					\
	TEST_F_TIMEOUT(reasons, test, secs)				\
	{								\
		check_reason(_metadata, self, variant->copier, reason,	\
			     drive_##test);				\
	}

REASON_TEST(demotion, "demotion", 120)
REASON_TEST(numa_misplaced, "numa_misplaced", 180)
REASON_TEST(numa_promotion, "numa_misplaced", 180)
REASON_TEST(compaction, "compaction", 120)
REASON_TEST(kcompactd, "compaction", 180)
REASON_TEST(mbind, "mempolicy_mbind", 60)
REASON_TEST(migrate_pages, "syscall_or_cpuset", 60)
REASON_TEST(cpuset, "syscall_or_cpuset", 60)
REASON_TEST(memory_hotplug, "memory_hotplug", 120)
REASON_TEST(longterm_pin, "longterm_pin", 60)

/* Whether the kernel's command line has @opt */
static bool cmdline_has(const char *opt)
{
	char line[1024];

	return !file_read("/proc/cmdline", line, sizeof(line)) &&
	       strstr(line, opt);
}

/* make check boots with the CMA area; another boot may lack it */
TEST_F_TIMEOUT(reasons, contig_range, 120)
{
	if (!cmdline_has("hugetlb_cma="))
		SKIP(return, "booted without hugetlb_cma=2:1G");
	check_reason(_metadata, self, variant->copier, "contig_range",
		     drive_contig_range);
}
REASON_TEST(damon_cold, "damon", 180)
REASON_TEST(damon_hot, "damon", 180)

TEST_HARNESS_MAIN
