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
 *   compaction      compacting node 1 (sysfs compact) moves the pages of
 *                   a fragmented region (MR_COMPACTION)
 *   mbind           mbind(MPOL_MF_MOVE) (MR_MEMPOLICY_MBIND)
 *   migrate_pages   migrate_pages(2) (MR_SYSCALL)
 *   cpuset          a cgroup v2 cpuset's mems changed under its task
 *                   (MR_SYSCALL)
 *   memory_hotplug  offlining the memory blocks of node 2's movable
 *                   pc-dimm that hold the region (MR_MEMORY_HOTPLUG)
 *   longterm_pin    an io_uring fixed buffer in that movable memory is
 *                   migrated out of ZONE_MOVABLE before it is pinned
 *                   (MR_LONGTERM_PIN)
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
 * memory_errors' subject.  Not reached here: MR_CONTIG_RANGE (a 1 GiB
 * hugetlb page is not movable, so never in the pc-dimm's ZONE_MOVABLE
 * where the region is easy to place) and kcompactd (a zone's
 * fragmentation counts by its share of the node: the pc-dimm's never
 * crosses proactive compaction's threshold); doc/testing.md says more.
 */
#define _GNU_SOURCE
#include <errno.h>
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
#define MAX_BLOCKS	8

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

FIXTURE_TEARDOWN(reasons)
{
	char path[160];
	int i;

	damon_stop(self);
	for (i = 0; i < self->noffline; i++) {
		snprintf(path, sizeof(path), MEMORY_SYSFS "memory%ld/state",
			 self->offlined[i]);
		file_write(path, "online_movable");
	}
	region_free(self);
	cgroup_leave(self);
	saved_restore(&self->saved);
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

/* Free pages of @zone ("Movable"...) of @node, from /proc/zoneinfo; -1 */
static long zone_free_pages(int node, const char *zone)
{
	char line[256], want[64], name[32];
	long free = -1;
	bool in = false;
	int nid;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%s", zone);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %31s", &nid, name) == 2) {
			in = nid == node && !strcmp(name, want);
			continue;
		}
		if (in && sscanf(line, " pages free %ld", &free) == 1)
			break;
	}
	fclose(f);
	return free;
}

/*
 * A quarter of node 2's movable zone (the pc-dimm) filled with the
 * region, then every other page of it freed: compacting the node moves
 * pages from the bottom of the zone into free pages at its top.  Filling
 * that much of a zone this small is what makes some of the region sit
 * below the point where compaction's two scanners meet, wherever in the
 * zone it was allocated.
 */
static void drive_compaction(struct __test_metadata *_metadata,
			     FIXTURE_DATA(reasons) *self)
{
	long long scanned0 = vmstat_now("compact_migrate_scanned");
	long nfree = zone_free_pages(2, "Movable");
	unsigned long n, i, w, moved = 0, wrong = 0, bad = 0;
	uint64_t *before, *after;
	int *status;
	char *buf;

	ASSERT_LT(4096, nfree) TH_LOG("node 2's movable zone: %ld free pages",
				      nfree);
	n = nfree / 4;
	self->len = n * PAGES_SZ;
	self->buf = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (self->buf == MAP_FAILED)
		self->buf = NULL;
	ASSERT_NE(NULL, self->buf);
	buf = self->buf;
	before = calloc(n, sizeof(*before));
	after = calloc(n, sizeof(*after));
	status = calloc(n, sizeof(*status));
	ASSERT_TRUE(before && after && status);
	ASSERT_EQ(0, madvise(buf, self->len, MADV_NOHUGEPAGE));
	pages_fill(buf, n, SEED);
	ASSERT_EQ(0, pages_move(buf, n, 2));
	for (i = 0; i < n; i += 2)
		ASSERT_EQ(0, madvise(buf + i * PAGES_SZ, PAGES_SZ,
				     MADV_DONTNEED));
	ASSERT_EQ(0, pages_pfns(buf, n, before));
	ASSERT_EQ(0, file_write(NODE_SYSFS "2/compact", "1"));

	ASSERT_EQ(0, pages_pfns(buf, n, after));
	ASSERT_EQ(0, pages_nodes(buf, n, status));
	for (i = 1; i < n; i += 2) {
		moved += after[i] != before[i];
		wrong += status[i] != 2;
		for (w = 0; w < PAGES_WORDS; w++)
			bad += ((uint64_t *)(buf + i * PAGES_SZ))[w] !=
			       pages_pattern(SEED, i, w);
	}
	self->verified += n / 2 * PAGES_SZ;
	EXPECT_EQ(0UL, bad);
	EXPECT_EQ(0UL, wrong);
	EXPECT_LT(0UL, moved) TH_LOG("compaction moved none of %lu pages",
				     n / 2);
	EXPECT_LT(0, vmstat_now("compact_migrate_scanned") - scanned0);
	free(before);
	free(after);
	free(status);
	region_free(self);
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

/* The memory block of @pfn, if it is online in ZONE_MOVABLE; else -1. */
static long movable_block(uint64_t pfn)
{
	static unsigned long long block_pages;
	char path[96], zones[64];
	long block;

	if (!block_pages) {
		if (file_read(MEMORY_SYSFS "block_size_bytes", zones,
			      sizeof(zones)))
			return -1;
		block_pages = strtoull(zones, NULL, 16) / PAGES_SZ;
		if (!block_pages)
			return -1;
	}
	block = pfn / block_pages;
	snprintf(path, sizeof(path), MEMORY_SYSFS "memory%ld/valid_zones",
		 block);
	if (file_read(path, zones, sizeof(zones)) || strcmp(zones, "Movable"))
		return -1;
	return block;
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

static void drive_memory_hotplug(struct __test_metadata *_metadata,
				 FIXTURE_DATA(reasons) *self)
{
	long blocks[MAX_BLOCKS];
	char path[96];
	int i, nblocks, tries, rc;

	/* Node 2's ZONE_MOVABLE, the pc-dimm, comes first for user pages. */
	region_at(_metadata, self, 2);
	ASSERT_LT(0UL, region_movable(self, blocks, &nblocks))
		TH_LOG("no page of the region in node 2's movable memory");
	for (i = 0; i < nblocks; i++) {
		snprintf(path, sizeof(path), MEMORY_SYSFS "memory%ld/state",
			 blocks[i]);
		/* A page still in a per-CPU list or pinned for a moment */
		for (tries = 0; tries < 5; tries++) {
			rc = file_write(path, "offline");
			if (rc != -EBUSY && rc != -EAGAIN)
				break;
			usleep(100000);
		}
		ASSERT_EQ(0, rc) TH_LOG("offline memory%ld: %s", blocks[i],
					strerror(-rc));
		self->offlined[self->noffline++] = blocks[i];
	}
	EXPECT_EQ(0UL, region_movable(self, blocks, &nblocks));
	region_check(_metadata, self, -1);
	region_free(self);
	for (i = 0; i < self->noffline; i++) {
		snprintf(path, sizeof(path), MEMORY_SYSFS "memory%ld/state",
			 self->offlined[i]);
		EXPECT_EQ(0, file_write(path, "online_movable"));
	}
	self->noffline = 0;
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

/*
 * The physical ranges [start, end) (in pages) that hold the region's
 * pages, at most DAMON_MAX_RANGES: runs of its sorted PFNs, runs closer
 * than a gap that doubles until they are few enough.  Monitoring them
 * rather than the span from the lowest to the highest PFN keeps DAMON's
 * samples on the region, however scattered node 2 has become.
 */
static int region_ranges(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reasons) *self, uint64_t (*range)[2])
{
	uint64_t pfn[REGION_PAGES], gap;
	unsigned long i;
	int n = 0;

	ASSERT_EQ(0, pages_pfns(self->buf, REGION_PAGES, pfn));
	qsort(pfn, REGION_PAGES, sizeof(*pfn), cmp_pfn);
	ASSERT_NE(0ULL, (unsigned long long)pfn[0]);
	for (gap = 1;; gap *= 2) {
		n = 0;
		for (i = 0; i < REGION_PAGES; i++) {
			if (n && pfn[i] <= range[n - 1][1] + gap) {
				range[n - 1][1] = pfn[i] + 1;
				continue;
			}
			if (n == DAMON_MAX_RANGES)
				break;
			range[n][0] = pfn[i];
			range[n++][1] = pfn[i] + 1;
		}
		if (i == REGION_PAGES)
			return n;
	}
}

/*
 * A kdamond monitoring the physical ranges of the region, with one
 * scheme: @action to @nid for regions accessed in [@min_acc, @max_acc]
 * samples per aggregation (1 ms samples, 20 ms aggregations).
 */
static void damon_start(struct __test_metadata *_metadata,
			FIXTURE_DATA(reasons) *self, const char *action,
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

	n = region_ranges(_metadata, self, range);
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
 * The region on @from, and a kdamond whose scheme @action moves it to
 * @to: read all along for migrate_hot (@hot), never for migrate_cold
 * (asking where pages are reads none).
 */
static void damon_migrate(struct __test_metadata *_metadata,
			  FIXTURE_DATA(reasons) *self, int from, int to,
			  bool hot)
{
	region_at(_metadata, self, from);
	if (hot)
		damon_start(_metadata, self, "migrate_hot", to, "1",
			    "4294967295");
	else
		damon_start(_metadata, self, "migrate_cold", to, "0", "0");
	region_wait(self, to, 60, hot);
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
	char other[80];			/* the first of another reason */
};

static void tally_trace(struct __test_metadata *_metadata, const char *reason,
			const char *copier, struct tally *t)
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

	copier_setup(_metadata, &self->c, copier, reason);
	copied0 = copier_copied(&self->c);
	offloaded0 = vmstat_now("migrate_offload_copied");
	migrated0 = vmstat_now("pgmigrate_success");
	ASSERT_EQ(0, batch_trace_start());
	drive(_metadata, self);
	batch_trace_stop();
	tally_trace(_metadata, reason, name, &t);

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
	tally_trace(_metadata, reason, name, &t);
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
REASON_TEST(mbind, "mempolicy_mbind", 60)
REASON_TEST(migrate_pages, "syscall_or_cpuset", 60)
REASON_TEST(cpuset, "syscall_or_cpuset", 60)
REASON_TEST(memory_hotplug, "memory_hotplug", 120)
REASON_TEST(longterm_pin, "longterm_pin", 60)
REASON_TEST(damon_cold, "damon", 180)
REASON_TEST(damon_hot, "damon", 180)

TEST_HARNESS_MAIN
