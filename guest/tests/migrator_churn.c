// SPDX-License-Identifier: GPL-2.0
/*
 * migrator_churn - the migrators and the DMA provider come and go, their
 * parameters change, their allocations fail and the target node runs out
 * of memory, while memory keeps moving between the nodes.
 *
 * A mover thread moves a region (half 2M THPs, half 4K pages; 16 MB, or
 * CHURN_MB) from node to node with move_pages(2) for as long as a test
 * runs, and after every move checks the node of every page and every byte
 * of it.  Meanwhile the test thread:
 *
 *  - reload_dcbm: loads dcbm, starts offloading over swdma, lets at least
 *    one move go through, stops and unloads it, CHURN_CYCLES (20) times;
 *  - reload_mtcopy: the same with mtcopy;
 *  - reload_swdma: unloads and reloads swdma (public and DMA_PRIVATE in
 *    turn) under a loaded dcbm, checking it cannot go while dcbm holds its
 *    channels;
 *  - toggle_params: CHURN_OPS (300) random writes to offloading,
 *    nr_dma_chan, use_sg, reason_mask, nr_threads, batch_bytes (which
 *    resizes what dcbm holds per channel) and min_share_bytes of dcbm and
 *    mtcopy;
 *  - failslab_* and fail_page_alloc_*: the kernel's fault injection fails
 *    a share of the allocations made by the mover thread from the code of
 *    dcbm, swdma or mtcopy (task filter plus stacktrace filter on the
 *    range of the module's functions), for CHURN_FAULT_MOVES (4) moves
 *    and on until a batch fell back (at most ten times as many);
 *  - pressure_dcbm and pressure_mtcopy: another process fills node 1 and
 *    holds it at its low watermark, with the per-cpu page lists kept
 *    small; moves to it then leave pages behind, which must stay intact
 *    where they are.
 *
 * The migrators' counters, summed over every load, must match the
 * kernel's account in /proc/vmstat: what they copied, and what they were
 * offered.  swdma must end with no live descriptor.  Every test reports
 * its part of the fault campaign on a "# campaign:" line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "vmtest.h"

#define PAGE_SZ		4096UL
#define WORDS		(PAGE_SZ / sizeof(uint64_t))
#define SZ_2M		(2UL << 20)
#define MAX_RETRIES	100
#define PARTIAL_TRIES	2	/* move_pages() calls per move under pressure */
#define DCBM		"/sys/module/dcbm/parameters/"
#define MTCOPY		"/sys/module/mtcopy/parameters/"
#define TM		"/sys/module/test_migrator/parameters/"
#define SWDMA_DBG	"/sys/kernel/debug/dmaengine/swdma.0/"
#define BATCH_SYSCTL	"/proc/sys/vm/migrate_batch_copy"
#define VM_SYSCTL	"/proc/sys/vm/"

static const char *const vm_keys[] = {
	"migrate_offload_batch", "migrate_offload_copied",
	"migrate_offload_fallback",
};

enum { VM_BATCH, VM_COPIED, VM_FALLBACK, NR_VM };

static inline uint64_t pattern(unsigned long pg, unsigned long w)
{
	return (((uint64_t)pg << 16) | w) * 0x9e3779b97f4a7c15ULL + 0x1234567;
}

/* A setting from the environment: @def if unset, 1..@max or the test fails. */
#define env_setting(_name, _def, _max) ({				\
	unsigned long _v = env_ulong(_name, _def);			\
	ASSERT_TRUE(_v > 0 && _v <= (_max))				\
		TH_LOG("bad %s (1..%lu)", _name, (unsigned long)(_max));	\
	_v; })

/*
 * What the pressure tests set in /proc/sys/vm, so that node 1's free
 * memory is what MemFree and the watermarks say:
 *  - free pages on the per-cpu lists are not in MemFree, yet a move takes
 *    them first: tuned up by the mover's frees, node 1's held 30 MB, more
 *    than the region.  Keep them the smallest the kernel allows (four
 *    batches a CPU);
 *  - watermark boosting raised node 1's watermarks by 30 MB for a while
 *    after a fragmenting allocation, and sent the filler to node 0.
 */
static const char *const pressure_vm[][2] = {
	{ "percpu_pagelist_high_fraction", "1000000000" },
	{ "watermark_boost_factor", "0" },
};

#define NR_PRESSURE_VM	(sizeof(pressure_vm) / sizeof(pressure_vm[0]))

/* The migrators' batch and share sizes, which tests change and put back */
static const char *const size_params[2] = { "batch_bytes", "min_share_bytes" };

FIXTURE(churn)
{
	char *buf;
	size_t size;
	unsigned long npages;
	void **addr;
	int *nodes, *status;
	pthread_t mover;
	bool mover_on;
	int stop, failed;
	unsigned long moves;	/* completed and verified */
	bool partial;		/* moves may leave pages behind */
	unsigned long left;	/* pages left behind, summed over moves */
	unsigned long landed;	/* of those moves, pages that made it */
	char fail[200];
	long long vm0[NR_VM];
	long long migrated, failures;	/* summed over the loads */
	char old_batch[16];
	/* offload_with()'s migrator and its batch and share sizes before */
	const char *sized;
	char old_size[2][32];
	/* the fault campaign's account */
	struct campaign camp;
	unsigned long long swdma0;
	long long fallback0;
	/* fault injection to undo */
	struct fault_inject fi;
	pid_t filler;
	long long vm_old[NR_PRESSURE_VM];	/* to restore; -1: untouched */
};

static void mover_fail(FIXTURE_DATA(churn) *self, const char *msg)
{
	snprintf(self->fail, sizeof(self->fail), "move %lu: %s", self->moves,
		 msg);
	__atomic_store_n(&self->failed, 1, __ATOMIC_RELEASE);
}

/*
 * Move everything to @node; NULL or what went wrong.  Under memory
 * pressure (self->partial) pages may stay on the other node, but nowhere
 * else.  Every byte is checked; the ones that differ are counted.
 */
static const char *move_all(FIXTURE_DATA(churn) *self, int node)
{
	static __thread char msg[160];
	unsigned long i, pg, w, bytes, there = 0;
	bool partial = __atomic_load_n(&self->partial, __ATOMIC_ACQUIRE);
	int tries = 0, max = partial ? PARTIAL_TRIES : MAX_RETRIES;
	long ret;

	for (i = 0; i < self->npages; i++)
		self->nodes[i] = node;
	do {
		ret = move_pages_(0, self->npages, self->addr, self->nodes,
				  self->status, MPOL_MF_MOVE);
		if (ret < 0 && !(partial && errno == ENOMEM)) {
			snprintf(msg, sizeof(msg), "move_pages: %s",
				 strerror(errno));
			return msg;
		}
	} while (ret > 0 && ++tries < max);
	if (ret && !partial) {
		snprintf(msg, sizeof(msg), "%ld pages not moved after %d calls",
			 ret, MAX_RETRIES);
		return msg;
	}
	/*
	 * A page another migration holds (compaction, busy under memory
	 * pressure) has no node for a moment: its query says -ENOENT or
	 * -EBUSY.  Ask again until every page has one.
	 */
	for (tries = 0; tries < MAX_RETRIES; tries++) {
		if (move_pages_(0, self->npages, self->addr, NULL, self->status,
				0))
			return "move_pages query failed";
		for (i = 0; i < self->npages && self->status[i] >= 0;)
			i++;
		if (i == self->npages)
			break;
		usleep(10000);
	}
	for (i = 0; i < self->npages; i++) {
		there += self->status[i] == node;
		if (self->status[i] == node ||
		    (partial && self->status[i] == !node))
			continue;
		snprintf(msg, sizeof(msg), "page %lu on node %d, not %d", i,
			 self->status[i], node);
		return msg;
	}
	__atomic_add_fetch(&self->left, self->npages - there, __ATOMIC_RELAXED);
	__atomic_add_fetch(&self->landed, there, __ATOMIC_RELAXED);
	self->camp.bytes += there * PAGE_SZ;
	for (pg = 0, *msg = '\0'; pg < self->npages; pg++) {
		uint64_t *p = (uint64_t *)(self->buf + pg * PAGE_SZ);

		for (w = 0, bytes = 0; w < WORDS; w++) {
			if (p[w] == pattern(pg, w))
				continue;
			if (!*msg)
				snprintf(msg, sizeof(msg),
					 "page %lu word %lu: %#llx, expected %#llx",
					 pg, w, (unsigned long long)p[w],
					 (unsigned long long)pattern(pg, w));
			bytes += bytes_differ(p[w], pattern(pg, w));
		}
		self->camp.corrupted += bytes;
	}
	return *msg ? msg : NULL;
}

static void *mover_fn(void *arg)
{
	FIXTURE_DATA(churn) *self = arg;
	const char *err;
	int node = 1;

	/*
	 * Only this thread's allocations may be failed by fault injection
	 * (task-filter); kernels without it have no such file.
	 */
	file_write("/proc/thread-self/make-it-fail", "1");
	while (!__atomic_load_n(&self->stop, __ATOMIC_RELAXED)) {
		err = move_all(self, node);
		if (err) {
			mover_fail(self, err);
			break;
		}
		__atomic_add_fetch(&self->moves, 1, __ATOMIC_RELEASE);
		node = !node;
	}
	return NULL;
}

static void read_vm(struct __test_metadata *_metadata, long long *v)
{
	int i;

	for (i = 0; i < NR_VM; i++) {
		v[i] = file_key("/proc/vmstat", vm_keys[i]);
		ASSERT_LE(0, v[i]) TH_LOG("no %s in /proc/vmstat", vm_keys[i]);
	}
}

static bool loaded(const char *module)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", module);
	return !access(path, F_OK);
}

static void load(struct __test_metadata *_metadata, const char *module,
		 const char *args)
{
	char cmd[160];

	if (loaded(module))
		return;
	snprintf(cmd, sizeof(cmd), "modprobe %s %s", module, args);
	ASSERT_EQ(0, system(cmd)) TH_LOG("%s failed", cmd);
}

/* Unload @module, which nothing holds any more. */
static void unload(struct __test_metadata *_metadata, const char *module)
{
	int tries = 0;

	/* The module's sysfs users may take a moment to let go. */
	while (delete_module_(module) && errno == EAGAIN && ++tries < 100)
		usleep(10000);
	ASSERT_FALSE(loaded(module)) TH_LOG("rmmod %s: %s", module,
					    strerror(errno));
}

/*
 * Unload @module and the modules that use it (a KUnit suite, say) to
 * start from a fresh load; @dir is its parameter directory if it is a
 * migrator, which must stop offloading first.
 */
static void unload_all(struct __test_metadata *_metadata, const char *module,
		       const char *dir)
{
	char path[160];
	struct dirent *d;
	DIR *holders;

	if (!loaded(module))
		return;
	if (dir) {
		snprintf(path, sizeof(path), "%soffloading", dir);
		ASSERT_EQ(0, file_write(path, "0"));
	}
	snprintf(path, sizeof(path), "/sys/module/%s/holders", module);
	holders = opendir(path);
	while (holders && (d = readdir(holders)))
		if (d->d_name[0] != '.')
			unload(_metadata, d->d_name);
	if (holders)
		closedir(holders);
	unload(_metadata, module);
}

static void put(struct __test_metadata *_metadata, const char *dir,
		const char *param, const char *val)
{
	char path[160];
	int rc;

	snprintf(path, sizeof(path), "%s%s", dir, param);
	rc = file_write(path, val);
	ASSERT_EQ(0, rc) TH_LOG("%s=%s: %s", path, val, strerror(-rc));
}

/* Add a stopped migrator's counters to the test's sums. */
static void collect(struct __test_metadata *_metadata,
		    FIXTURE_DATA(churn) *self, const char *dir)
{
	long long m = file_number_at(dir, "folios_migrated");
	long long f = file_number_at(dir, "folios_failures");

	ASSERT_LE(0, m);
	ASSERT_LE(0, f);
	self->migrated += m;
	self->failures += f;
	put(_metadata, dir, "folios_migrated", "0");
	put(_metadata, dir, "folios_failures", "0");
}

/*
 * Wait until the mover has completed @n more moves.  A mover that is stuck
 * is the test's timeout to catch: no assertion here depends on speed.
 */
static void let_move(struct __test_metadata *_metadata,
		     FIXTURE_DATA(churn) *self, unsigned long n)
{
	unsigned long target = __atomic_load_n(&self->moves, __ATOMIC_ACQUIRE) + n;

	while (__atomic_load_n(&self->moves, __ATOMIC_ACQUIRE) < target &&
	       !__atomic_load_n(&self->failed, __ATOMIC_ACQUIRE))
		usleep(2000);
	ASSERT_EQ(0, self->failed) TH_LOG("mover: %s", self->fail);
}

FIXTURE_SETUP(churn)
{
	unsigned long i, mb = env_setting("CHURN_MB", 16, 4096);
	unsigned long mask = 1UL;
	char *map;

	memset(self->vm_old, -1, sizeof(self->vm_old));
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "needs NUMA node 1");
	if (file_read(BATCH_SYSCTL, self->old_batch, sizeof(self->old_batch)))
		SKIP(return, "kernel without CONFIG_MIGRATION_COPY_OFFLOAD");
	ASSERT_EQ(0, file_write(BATCH_SYSCTL, "1"));
	/* At most one migrator registers: none but the test's. */
	if (loaded("test_migrator"))
		put(_metadata, TM, "offloading", "0");
	if (loaded("mtcopy"))
		put(_metadata, MTCOPY, "offloading", "0");
	if (loaded("dcbm"))
		put(_metadata, DCBM, "offloading", "0");

	self->size = ((mb << 20) + 2 * SZ_2M - 1) & ~(2 * SZ_2M - 1);
	self->npages = self->size / PAGE_SZ;
	map = mmap(NULL, self->size + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	self->buf = (char *)(((uintptr_t)map + SZ_2M - 1) & ~(SZ_2M - 1));
	ASSERT_EQ(0, syscall(SYS_mbind, self->buf, self->size, MPOL_BIND,
			     &mask, sizeof(mask) * 8, 0));
	/* Not shared with a child (pressure's filler): it could not move. */
	ASSERT_EQ(0, madvise(self->buf, self->size, MADV_DONTFORK));
	/* First half THPs, second half base pages (where THP is there). */
	madvise(self->buf, self->size / 2, MADV_HUGEPAGE);
	madvise(self->buf + self->size / 2, self->size / 2, MADV_NOHUGEPAGE);

	self->addr = calloc(self->npages, sizeof(void *) + 2 * sizeof(int));
	ASSERT_NE(NULL, self->addr);
	self->nodes = (int *)(self->addr + self->npages);
	self->status = self->nodes + self->npages;
	for (i = 0; i < self->npages; i++) {
		uint64_t *p = (uint64_t *)(self->buf + i * PAGE_SZ);
		unsigned long w;

		self->addr[i] = p;
		for (w = 0; w < WORDS; w++)
			p[w] = pattern(i, w);
	}
	read_vm(_metadata, self->vm0);
	self->swdma0 = swdma_injected();
	self->fallback0 = fallback_batches();
	ASSERT_LE(0, self->fallback0) TH_LOG("no batch fallback counter");
	ASSERT_EQ(0, pthread_create(&self->mover, NULL, mover_fn, self));
	self->mover_on = true;
}

static void stop_filler(FIXTURE_DATA(churn) *self);

FIXTURE_TEARDOWN(churn)
{
	unsigned long long swdma = swdma_injected();

	__atomic_store_n(&self->stop, 1, __ATOMIC_RELAXED);
	if (self->mover_on)
		pthread_join(self->mover, NULL);
	fault_off(&self->fi);
	stop_filler(self);
	/* swdma's count starts again when it reloads */
	self->camp.faults += swdma > self->swdma0 ? swdma - self->swdma0 : 0;
	self->camp.fallback = fallback_batches() - self->fallback0;
	campaign_report(_metadata->name, &self->camp);
	if (loaded("dcbm"))
		file_write(DCBM "offloading", "0");
	if (loaded("mtcopy"))
		file_write(MTCOPY "offloading", "0");
	for (int k = 0; self->sized && k < 2; k++)
		file_write_at(self->sized, size_params[k], self->old_size[k]);
	if (self->buf)
		munmap(self->buf, self->size);
	free(self->addr);
	if (*self->old_batch)
		file_write(BATCH_SYSCTL, self->old_batch);
}

/*
 * Stop the mover; its moves must all have been right, and the migrators'
 * sums must be the kernel's account of the test.
 */
static void finish(struct __test_metadata *_metadata,
		   FIXTURE_DATA(churn) *self, const char *what)
{
	long long vm[NR_VM], swdma_live;
	int i;

	__atomic_store_n(&self->stop, 1, __ATOMIC_RELAXED);
	pthread_join(self->mover, NULL);
	self->mover_on = false;
	ASSERT_EQ(0, self->failed) TH_LOG("mover: %s", self->fail);
	read_vm(_metadata, vm);
	for (i = 0; i < NR_VM; i++)
		vm[i] -= self->vm0[i];
	TH_LOG("%s: %lu moves of %zu MB verified; batches %lld, copied %lld, fell back %lld; migrators: folios_migrated %lld, folios_failures %lld",
	       what, self->moves, self->size >> 20, vm[VM_BATCH],
	       vm[VM_COPIED], vm[VM_FALLBACK], self->migrated, self->failures);
	ASSERT_EQ(vm[VM_COPIED], self->migrated);
	ASSERT_EQ(vm[VM_COPIED] + vm[VM_FALLBACK],
		  self->migrated + self->failures);
	ASSERT_LT(0, self->migrated) TH_LOG("nothing was offloaded");
	if (loaded("swdma")) {
		swdma_live = file_number(SWDMA_DBG "live_descs");
		ASSERT_EQ(0, swdma_live) TH_LOG("swdma descriptors leaked");
	}
}

static const char *const sg_modes[] = { "auto", "on", "off" };

TEST_F_TIMEOUT(churn, reload_dcbm, 600)
{
	unsigned long c, cycles = env_setting("CHURN_CYCLES", 20, 10000);
	char n[24];

	load(_metadata, "swdma", "");
	unload_all(_metadata, "dcbm", DCBM);	/* counters from zero */
	for (c = 0; c < cycles; c++) {
		load(_metadata, "dcbm", "reason_mask=all");
		snprintf(n, sizeof(n), "%lu", c % 4 + 1);
		put(_metadata, DCBM, "nr_dma_chan", n);
		put(_metadata, DCBM, "use_sg", sg_modes[c % 3]);
		put(_metadata, DCBM, "offloading", "1");
		let_move(_metadata, self, 2);
		put(_metadata, DCBM, "offloading", "0");
		collect(_metadata, self, DCBM);
		unload(_metadata, "dcbm");
	}
	finish(_metadata, self, "reload_dcbm");
}

TEST_F_TIMEOUT(churn, reload_mtcopy, 600)
{
	unsigned long c, cycles = env_setting("CHURN_CYCLES", 20, 10000);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char n[24];

	unload_all(_metadata, "mtcopy", MTCOPY);
	for (c = 0; c < cycles; c++) {
		load(_metadata, "mtcopy", "");
		snprintf(n, sizeof(n), "%lu", c % cpus + 1);
		put(_metadata, MTCOPY, "nr_threads", n);
		put(_metadata, MTCOPY, "offloading", "1");
		let_move(_metadata, self, 2);
		put(_metadata, MTCOPY, "offloading", "0");
		collect(_metadata, self, MTCOPY);
		unload(_metadata, "mtcopy");
	}
	finish(_metadata, self, "reload_mtcopy");
}

TEST_F_TIMEOUT(churn, reload_swdma, 600)
{
	unsigned long c, cycles = env_setting("CHURN_CYCLES", 20, 10000);

	unload_all(_metadata, "dcbm", DCBM);
	unload_all(_metadata, "swdma", NULL);
	load(_metadata, "dcbm", "reason_mask=all");
	for (c = 0; c < cycles; c++) {
		load(_metadata, "swdma", c % 2 ? "private=1" : "private=0");
		put(_metadata, DCBM, "nr_dma_chan", "4");
		put(_metadata, DCBM, "offloading", "1");
		let_move(_metadata, self, 1);
		EXPECT_NE(0, delete_module_("swdma"))
			TH_LOG("swdma unloaded under dcbm's channels");
		let_move(_metadata, self, 1);
		put(_metadata, DCBM, "offloading", "0");
		collect(_metadata, self, DCBM);
		ASSERT_EQ(0, file_number(SWDMA_DBG "live_descs"));
		unload(_metadata, "swdma");
	}
	load(_metadata, "swdma", "");
	finish(_metadata, self, "reload_swdma");
}

/* One random parameter change; offloading=1 may meet the other migrator. */
static void toggle_one(struct __test_metadata *_metadata, unsigned int *rnd,
		       long cpus)
{
	static const char *const masks[] = {
		"all", "none", "syscall_or_cpuset", "compaction,demotion",
		"0x7d",
	};
	static const char *const batches[] = { "0", "2097152", "8388608", "16777216" };
	static const char *const shares[] = { "4096", "262144", "2097152" };
	bool dcbm = rand_r(rnd) & 1;
	const char *dir = dcbm ? DCBM : MTCOPY;
	char path[160], n[16];
	int rc;

	switch (rand_r(rnd) % 6) {
	case 0:
		snprintf(path, sizeof(path), "%soffloading", dir);
		rc = file_write(path, rand_r(rnd) % 3 ? "1" : "0");
		ASSERT_TRUE(rc == 0 || rc == -EBUSY)
			TH_LOG("%s: %s", path, strerror(-rc));
		break;
	case 1:
		put(_metadata, dir, "reason_mask",
		    masks[rand_r(rnd) % (sizeof(masks) / sizeof(masks[0]))]);
		break;
	case 2:
		snprintf(n, sizeof(n), "%ld", rand_r(rnd) % (dcbm ? 4 : cpus) + 1);
		put(_metadata, dir, dcbm ? "nr_dma_chan" : "nr_threads", n);
		break;
	case 3:
		/* dcbm resizes the memory of the channels it holds */
		put(_metadata, dir, "batch_bytes", batches[rand_r(rnd) % 4]);
		break;
	case 4:
		put(_metadata, dir, "min_share_bytes", shares[rand_r(rnd) % 3]);
		break;
	default:
		if (dcbm)
			put(_metadata, dir, "use_sg", sg_modes[rand_r(rnd) % 3]);
		else
			put(_metadata, dir, "min_batch_bytes",
			    rand_r(rnd) % 4 ? "0" : "1048576");
		break;
	}
}

TEST_F_TIMEOUT(churn, toggle_params, 600)
{
	unsigned long i, ops = env_setting("CHURN_OPS", 300, 1000000);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char old[2][2][32];
	unsigned int rnd = 42;
	int m, k;

	load(_metadata, "swdma", "");
	load(_metadata, "dcbm", "reason_mask=all");
	load(_metadata, "mtcopy", "");
	/* The sizes the mix changes, put back at the end: later tests use them. */
	for (m = 0; m < 2; m++)
		for (k = 0; k < 2; k++) {
			ASSERT_EQ(0, file_read_at(m ? MTCOPY : DCBM, size_params[k],
						  old[m][k], sizeof(old[m][k])));
		}
	put(_metadata, DCBM, "folios_migrated", "0");
	put(_metadata, DCBM, "folios_failures", "0");
	put(_metadata, MTCOPY, "folios_migrated", "0");
	put(_metadata, MTCOPY, "folios_failures", "0");
	put(_metadata, DCBM, "min_batch_bytes", "0");
	for (i = 0; i < ops; i++) {
		toggle_one(_metadata, &rnd, cpus);
		if (_metadata->exit_code)
			return;
		usleep(rand_r(&rnd) % 20000);
		if (i % 50 == 49) {
			/* Something must be moved under the mix too. */
			put(_metadata, DCBM, "offloading", "0");
			put(_metadata, MTCOPY, "offloading", "1");
			put(_metadata, MTCOPY, "reason_mask", "all");
			let_move(_metadata, self, 1);
		}
	}
	put(_metadata, DCBM, "offloading", "0");
	put(_metadata, MTCOPY, "offloading", "0");
	for (m = 0; m < 2; m++)
		for (k = 0; k < 2; k++)
			put(_metadata, m ? MTCOPY : DCBM, size_params[k], old[m][k]);
	collect(_metadata, self, DCBM);
	collect(_metadata, self, MTCOPY);
	finish(_metadata, self, "toggle_params");
}

/*
 * Fault injection (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC) aimed at one
 * module: only the mover thread's allocations (task-filter) made from
 * the module's functions (require-start/-end on their range, anywhere in
 * the stack) fail, @pct percent of them, including GFP_KERNEL ones.
 */
#define TEXT_SPAN_MAX	(1UL << 20)	/* the most code one range may cover */

/*
 * The code of the text symbols of /proc/kallsyms that belong to @module
 * (a loaded module's name), or, for a NULL @module, the built-in ones
 * whose names start with @prefix: from the lowest of them to the end of
 * the highest, which is where the next symbol of any kind starts.  So the
 * range holds no code but theirs and whatever lies between them.
 */
static bool text_range(const char *module, const char *prefix,
		       unsigned long *start, unsigned long *end)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long a, lo = ~0UL, hi = 0, next = ~0UL;
	char line[512], name[256], mod[72], want[72];
	bool ours;
	char type;
	int n;

	snprintf(want, sizeof(want), "[%s]", module ? module : "");
	while (f && fgets(line, sizeof(line), f)) {
		n = sscanf(line, "%lx %c %255s %71s", &a, &type, name, mod);
		if (n < 3 || !a || (type | 0x20) != 't')
			continue;
		if (module)
			ours = n == 4 && !strcmp(mod, want);
		else
			ours = n == 3 && !strncmp(name, prefix, strlen(prefix));
		if (ours) {
			lo = a < lo ? a : lo;
			hi = a > hi ? a : hi;
		}
	}
	if (f)
		rewind(f);
	while (f && hi && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx", &a) == 1 && a > hi && a < next)
			next = a;
	if (f)
		fclose(f);
	*start = lo;
	*end = next;
	return hi && next != ~0UL;
}

/* Fail @pct% of the mover's allocations from @module's code via @dir. */
static void fault_injection_on(struct __test_metadata *_metadata,
			       FIXTURE_DATA(churn) *self, const char *dir,
			       const char *module, unsigned int pct)
{
	char start[24], end[24], rstart[24], rend[24];
	const char *const extra[] = {
		"require-start", start, "require-end", end,
		"reject-start", rstart, "reject-end", rend,
		"ignore-gfp-wait", "N", "min-order", "0",
		"ignore-gfp-highmem", "N", NULL,
	};
	unsigned long s, e, rs = 0, re = 0;
	const char *bad = NULL;
	int rc;

	if (access(dir, F_OK))
		SKIP(return, "no %s: kernel without fault injection", dir);
	if (access("/proc/thread-self/make-it-fail", F_OK))
		SKIP(return, "no make-it-fail: kernel without fault injection");
	ASSERT_TRUE(text_range(module, NULL, &s, &e))
		TH_LOG("no code of %s in /proc/kallsyms", module);
	ASSERT_GT(TEXT_SPAN_MAX, e - s)
		TH_LOG("%s: %#lx-%#lx is not one block of code", module, s, e);
	/*
	 * Never fail an allocation of the DMA-API debugging
	 * (kernel/dma/debug.c): it would turn itself off for the rest of
	 * the run.  Its debug_dma_*() functions, every way into it, sit
	 * together unless the kernel was built with LTO: the span check
	 * catches that.
	 */
	if (!access("/sys/kernel/debug/dma-api", F_OK)) {
		ASSERT_TRUE(text_range(NULL, "debug_dma_", &rs, &re))
			TH_LOG("no debug_dma_*() in /proc/kallsyms");
		ASSERT_GT(TEXT_SPAN_MAX, re - rs)
			TH_LOG("debug_dma_*() spread over %#lx-%#lx", rs, re);
	}
	snprintf(start, sizeof(start), "%lu", s);
	snprintf(end, sizeof(end), "%lu", e);
	snprintf(rstart, sizeof(rstart), "%lu", rs);
	snprintf(rend, sizeof(rend), "%lu", re);
	rc = fault_on(&self->fi, dir, pct, 1, true, extra, &bad);
	ASSERT_EQ(0, rc) TH_LOG("%s%s: %s", dir, bad, strerror(-rc));
	TH_LOG("%s: %u%% of %s's allocations (%#lx-%#lx) fail", dir, pct,
	       module, s, e);
}

/* Turn injection off; return how many failures it injected. */
static long long fault_injection_done(struct __test_metadata *_metadata,
				      FIXTURE_DATA(churn) *self)
{
	long long injected = fault_off(&self->fi);

	ASSERT_LE(0, injected) TH_LOG("times out of range");
	self->camp.faults += injected;
	return injected;
}

#define FAILSLAB	"/sys/kernel/debug/failslab/"
#define FAIL_PAGE_ALLOC	"/sys/kernel/debug/fail_page_alloc/"

/*
 * Offload every batch with @migrator, counters from zero: dcbm over 2
 * swdma channels (@use_sg), or mtcopy with 2 threads, each batch of
 * migrate_pages()'s own size cut in two shares; teardown puts the sizes
 * back.
 */
static void offload_with(struct __test_metadata *_metadata,
			 FIXTURE_DATA(churn) *self, const char *migrator,
			 const char *use_sg)
{
	bool dcbm = !strcmp(migrator, "dcbm");
	const char *params = dcbm ? DCBM : MTCOPY;
	int k;

	if (dcbm)
		load(_metadata, "swdma", "");
	load(_metadata, migrator, "");
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, file_read_at(params, size_params[k],
					  self->old_size[k],
					  sizeof(self->old_size[k])));
	}
	self->sized = params;
	put(_metadata, params, "batch_bytes", "0");
	put(_metadata, params, "min_share_bytes", "4096");
	put(_metadata, params, "folios_migrated", "0");
	put(_metadata, params, "folios_failures", "0");
	put(_metadata, params, "reason_mask", "all");
	put(_metadata, params, "min_batch_bytes", "0");
	put(_metadata, params, dcbm ? "nr_dma_chan" : "nr_threads", "2");
	if (dcbm)
		put(_metadata, params, "use_sg", use_sg);
	put(_metadata, params, "offloading", "1");
}

/*
 * dcbm over swdma (2 channels, one memcpy_sg each, or one memcpy per
 * folio) or mtcopy (2 threads) offloads, while @dir fails @pct% of the
 * allocations made from @target's code.  Some must fail, some batches
 * fall back to the CPU and the copies still reach the migrator.
 */
static void inject(struct __test_metadata *_metadata,
		   FIXTURE_DATA(churn) *self, const char *dir,
		   const char *migrator, const char *target, const char *use_sg,
		   unsigned int pct)
{
	unsigned long moves = env_setting("CHURN_FAULT_MOVES", 4, 10000);
	bool dcbm = !strcmp(migrator, "dcbm");
	const char *params = dcbm ? DCBM : MTCOPY;
	long long injected, fb = fallback_batches();
	unsigned long more;

	offload_with(_metadata, self, migrator, use_sg);
	fault_injection_on(_metadata, self, dir, target, pct);
	if (_metadata->exit_code)
		return;
	let_move(_metadata, self, moves);
	/*
	 * A failed allocation need not cost a batch: a batch's layout
	 * comes from kvmalloc(), which tries vmalloc() after a failed
	 * kmalloc(), and vmalloc() may get its pages (about half the time
	 * at 50%).  Go on moving until a batch fell back, for at most ten
	 * times as many moves.
	 */
	for (more = 9 * moves; more && fallback_batches() == fb; more--)
		let_move(_metadata, self, 1);
	injected = fault_injection_done(_metadata, self);
	fb = fallback_batches() - fb;
	put(_metadata, params, "offloading", "0");
	collect(_metadata, self, params);
	TH_LOG("%lld allocations failed, %lld batches fell back", injected, fb);
	ASSERT_LT(0, injected) TH_LOG("no allocation of %s was failed", target);
	ASSERT_LT(0, fb) TH_LOG("no batch fell back to the CPU");
	ASSERT_LT(0, self->failures) TH_LOG("%s counted no failure", migrator);
	finish(_metadata, self, "inject");
}

/*
 * dcbm allocates nothing per batch: what fails under its code is the
 * provider's prep, one small descriptor per chunk (use_sg=off), in the
 * middle of a share whose earlier descriptors are already submitted.
 * With use_sg=on, swdma's one descriptor per share is too big for the
 * slab allocator (fail_page_alloc_dcbm fails that one).
 */
TEST_F_TIMEOUT(churn, failslab_dcbm, 600)
{
	inject(_metadata, self, FAILSLAB, "dcbm", "dcbm", "off", 10);
}

TEST_F_TIMEOUT(churn, failslab_swdma, 600)
{
	inject(_metadata, self, FAILSLAB, "dcbm", "swdma", "off", 2);
}

TEST_F_TIMEOUT(churn, failslab_mtcopy, 600)
{
	inject(_metadata, self, FAILSLAB, "mtcopy", "mtcopy", NULL, 50);
}

TEST_F_TIMEOUT(churn, fail_page_alloc_dcbm, 600)
{
	inject(_metadata, self, FAIL_PAGE_ALLOC, "dcbm", "dcbm", "on", 25);
}

TEST_F_TIMEOUT(churn, fail_page_alloc_swdma, 600)
{
	inject(_metadata, self, FAIL_PAGE_ALLOC, "dcbm", "swdma", "on", 25);
}

TEST_F_TIMEOUT(churn, fail_page_alloc_mtcopy, 600)
{
	inject(_metadata, self, FAIL_PAGE_ALLOC, "mtcopy", "mtcopy", NULL, 50);
}

/*
 * One watermark (min, low or high) of @node from /proc/zoneinfo, in kB:
 * summed over the zones that have memory, without the boost that a
 * fragmenting allocation adds for a while; -1 if there is none.
 */
static long node_watermark_kb(int node, const char *mark)
{
	long v, kb = -1, val = 0, boost = 0, managed = 0;
	char line[256], key[16];
	int cur = -1, next;
	FILE *f = fopen("/proc/zoneinfo", "r");
	bool end;

	if (!f)
		return -1;
	do {
		end = !fgets(line, sizeof(line), f);
		if (end || sscanf(line, "Node %d, zone", &next) == 1) {
			/* the end of a zone's lines */
			if (cur == node && managed > 0)
				kb = (kb < 0 ? 0 : kb) + (val - boost) *
				     (long)(PAGE_SZ >> 10);
			cur = next;
			val = boost = managed = 0;
			continue;
		}
		if (cur != node || sscanf(line, " %15s %ld", key, &v) != 2)
			continue;
		if (!strcmp(key, mark))
			val = v;
		else if (!strcmp(key, "boost"))
			boost = v;
		else if (!strcmp(key, "managed"))
			managed = v;
	} while (!end);
	fclose(f);
	return kb;
}

/* What the filler shares with the test */
struct filler {
	long level_kb;		/* node 1 MemFree to hold */
	long touched_kb;
	long spilled_kb;	/* of those, on node 0 */
	int state;		/* FILLER_* */
};

enum { FILLER_FILLING, FILLER_READY, FILLER_EXHAUSTED, FILLER_FAILED };

#define FILLER_THP_KB	(256L << 10)	/* above level + this: THPs */
#define FILLER_STEP	(256UL << 10)	/* bytes populated per step in 4K */

/* Node of the page at @p, or -1 */
static int page_node(void *p)
{
	int status = -1;

	if (move_pages_(0, 1, &p, NULL, &status, 0))
		return -1;
	return status;
}

/*
 * A child process that takes node 1's memory (MPOL_PREFERRED) until
 * MemFree there is down to @f->level_kb, then takes more whenever more
 * comes free, until killed; never more than @max_kb in all.
 *
 * THPs while node 1 has plenty, then 4K pages.  A 4K fault is served by
 * node 1 down to its low watermark and by node 0 below it, so the filler
 * itself never pushes node 1 into reclaim.  A step that lands on node 0
 * (the mover's pages arrived meanwhile) waits before the next one; a THP
 * that does only means node 1 has no free 2M block left, and ends the
 * THPs.  What lands on node 0 counts against @max_kb.
 */
static pid_t start_filler(long max_kb, struct filler *f)
{
	unsigned long mask = 2UL, off = 0, len = max_kb << 10, step;
	pid_t pid = fork();
	bool huge = true;
	char *map, *mem;
	long free_kb;
	int node;

	if (pid)
		return pid;
	map = mmap(NULL, len + SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		goto failed;
	mem = (char *)(((uintptr_t)map + SZ_2M - 1) & ~(SZ_2M - 1));
	if (syscall(SYS_mbind, mem, len, MPOL_PREFERRED, &mask,
		    sizeof(mask) * 8, 0) ||
	    madvise(mem, len, MADV_HUGEPAGE))
		goto failed;
	for (;;) {
		free_kb = node_meminfo(1, "MemFree");
		if (free_kb < 0)
			goto failed;
		if (huge && free_kb < f->level_kb + FILLER_THP_KB) {
			if (madvise(mem + off, len - off, MADV_NOHUGEPAGE))
				goto failed;
			huge = false;
		}
		step = huge ? SZ_2M : FILLER_STEP;
		if (free_kb < f->level_kb + (long)(step >> 10)) {
			__atomic_store_n(&f->state, FILLER_READY,
					 __ATOMIC_RELEASE);
			usleep(20000);
			continue;
		}
		if (off + step > len) {
			__atomic_store_n(&f->state, FILLER_EXHAUSTED,
					 __ATOMIC_RELEASE);
			for (;;)
				pause();
		}
		if (madvise(mem + off, step, MADV_POPULATE_WRITE))
			goto failed;
		node = page_node(mem + off + step - PAGE_SZ);
		if (node < 0)
			goto failed;
		off += step;
		__atomic_store_n(&f->touched_kb, off >> 10, __ATOMIC_RELAXED);
		if (node == 1)
			continue;
		__atomic_add_fetch(&f->spilled_kb, step >> 10,
				   __ATOMIC_RELAXED);
		if (huge) {
			if (madvise(mem + off, len - off, MADV_NOHUGEPAGE))
				goto failed;
			huge = false;
		} else {
			usleep(100000);
		}
	}
failed:
	__atomic_store_n(&f->state, FILLER_FAILED, __ATOMIC_RELEASE);
	_exit(1);
}

static void stop_filler(FIXTURE_DATA(churn) *self)
{
	char path[96], val[24];
	unsigned int i;

	if (self->filler > 0) {
		kill(self->filler, SIGKILL);
		waitpid(self->filler, NULL, 0);
		self->filler = 0;
	}
	for (i = 0; i < NR_PRESSURE_VM; i++) {
		if (self->vm_old[i] < 0)
			continue;
		snprintf(path, sizeof(path), VM_SYSCTL "%s", pressure_vm[i][0]);
		snprintf(val, sizeof(val), "%lld", self->vm_old[i]);
		file_write(path, val);
		self->vm_old[i] = -1;
	}
}

/*
 * Node 1 is filled until about half the region fits in it, while the
 * mover goes on (with @migrator offloading): moves to node 1 leave pages
 * behind, in place and intact.  Then the memory comes back and every
 * page moves again.
 */
static void pressure(struct __test_metadata *_metadata,
		     FIXTURE_DATA(churn) *self, const char *migrator)
{
	unsigned long moves = env_setting("CHURN_FAULT_MOVES", 4, 10000);
	bool dcbm = !strcmp(migrator, "dcbm");
	const char *params = dcbm ? DCBM : MTCOPY;
	long total, free_kb, min_kb, low_kb, size_kb = self->size >> 10;
	struct filler *f;
	unsigned int i;
	int state;

	offload_with(_metadata, self, migrator, "auto");
	for (i = 0; i < NR_PRESSURE_VM; i++) {
		self->vm_old[i] = file_number_at(VM_SYSCTL, pressure_vm[i][0]);
		ASSERT_LE(0, self->vm_old[i]) TH_LOG("no vm.%s",
						     pressure_vm[i][0]);
		put(_metadata, VM_SYSCTL, pressure_vm[i][0],
		    pressure_vm[i][1]);
	}

	/*
	 * The filler holds node 1 at about its low watermark.  A move to
	 * node 1 may take it down to its min watermark (the slow path of
	 * the target allocation), so what fits is the gap between the two,
	 * and the region has to be larger than that.
	 */
	total = node_meminfo(1, "MemTotal");
	free_kb = node_meminfo(1, "MemFree");
	min_kb = node_watermark_kb(1, "min");
	low_kb = node_watermark_kb(1, "low");
	ASSERT_LT(0, total);
	ASSERT_LT(0, min_kb);
	ASSERT_LE(min_kb, low_kb);
	if (low_kb - min_kb >= size_kb * 3 / 4)
		SKIP(return, "%ld kB region: too small for node 1 (min %ld, low %ld kB)",
		     size_kb, min_kb, low_kb);
	ASSERT_LT(low_kb + FILLER_THP_KB, free_kb)
		TH_LOG("node 1: only %ld of %ld kB free", free_kb, total);
	f = mmap(NULL, sizeof(*f), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f);
	f->level_kb = low_kb;

	__atomic_store_n(&self->partial, true, __ATOMIC_RELEASE);
	/* With room for what lands on node 0 */
	self->filler = start_filler(free_kb + FILLER_THP_KB, f);
	ASSERT_LT(0, self->filler) TH_LOG("fork: %s", strerror(errno));
	/* A filler that never gets there is the test's timeout to catch. */
	for (;;) {
		state = __atomic_load_n(&f->state, __ATOMIC_ACQUIRE);
		if (state != FILLER_FILLING)
			break;
		ASSERT_EQ(0, self->failed) TH_LOG("mover: %s", self->fail);
		usleep(20000);
	}
	ASSERT_EQ(FILLER_READY, state)
		TH_LOG("filler %s after %ld kB, node 1 has %ld kB free",
		       state == FILLER_EXHAUSTED ? "ran out of room" : "failed",
		       f->touched_kb, node_meminfo(1, "MemFree"));
	TH_LOG("filler: %ld kB (%ld on node 0); node 1: %ld kB free of %ld",
	       f->touched_kb, f->spilled_kb, f->level_kb, total);
	TH_LOG("node 1 watermarks: min %ld kB, low %ld kB", min_kb, low_kb);
	self->left = 0;
	self->landed = 0;
	let_move(_metadata, self, moves);
	TH_LOG("under pressure: %lu pages left behind, %lu moved", self->left,
	       self->landed);
	ASSERT_LT(0UL, self->left) TH_LOG("node 1 never ran out");
	TH_LOG("filler: %ld kB, %ld kB on node 0, level %ld kB",
	       f->touched_kb, f->spilled_kb, f->level_kb);
	ASSERT_NE(FILLER_FAILED, __atomic_load_n(&f->state, __ATOMIC_ACQUIRE))
		TH_LOG("the filler failed");
	stop_filler(self);
	munmap(f, sizeof(*f));
	__atomic_store_n(&self->partial, false, __ATOMIC_RELEASE);
	let_move(_metadata, self, 2);	/* everything moves again */
	put(_metadata, params, "offloading", "0");
	collect(_metadata, self, params);
	finish(_metadata, self, "pressure");
}

TEST_F_TIMEOUT(churn, pressure_dcbm, 600)
{
	pressure(_metadata, self, "dcbm");
}

TEST_F_TIMEOUT(churn, pressure_mtcopy, 600)
{
	pressure(_metadata, self, "mtcopy");
}

TEST_HARNESS_MAIN
