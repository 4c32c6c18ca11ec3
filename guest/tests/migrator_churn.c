// SPDX-License-Identifier: GPL-2.0
/*
 * migrator_churn - the migrators and the DMA provider come and go, and
 * their parameters change, while memory keeps moving between the nodes.
 *
 * A mover thread moves a region (half 2M THPs, half 4K pages; 16 MB, or
 * CHURN_MB) from node to node with move_pages(2) for as long as a test
 * runs, and after every move checks the node of every page and every byte
 * of it.  Meanwhile the test thread:
 *
 *  - reload_dcbm: loads dcbm, starts offloading over swdma, lets at least
 *    one move go through, stops and unloads it, CHURN_CYCLES (10) times;
 *  - reload_mtcopy: the same with mtcopy;
 *  - reload_swdma: unloads and reloads swdma (public and DMA_PRIVATE in
 *    turn) under a loaded dcbm, checking it cannot go while dcbm holds its
 *    channels;
 *  - toggle_params: CHURN_OPS (300) random writes to offloading,
 *    nr_dma_chan, use_sg, reason_mask and nr_threads of dcbm and mtcopy.
 *
 * The migrators' counters, summed over every load, must match the
 * kernel's account in /proc/vmstat: what they copied, and what they were
 * offered.  swdma must end with no live descriptor.
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
#include <sys/mman.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "vmtest.h"

#define PAGE_SZ		4096UL
#define WORDS		(PAGE_SZ / sizeof(uint64_t))
#define SZ_2M		(2UL << 20)
#define MAX_RETRIES	100
#define MOVE_WAIT_S	120	/* longest a move may take */
#define DCBM		"/sys/module/dcbm/parameters/"
#define MTCOPY		"/sys/module/mtcopy/parameters/"
#define TM		"/sys/module/test_migrator/parameters/"
#define SWDMA_DBG	"/sys/kernel/debug/dmaengine/swdma.0/"
#define BATCH_SYSCTL	"/proc/sys/vm/migrate_batch_copy"

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
	char fail[200];
	long long vm0[NR_VM];
	long long migrated, failures;	/* summed over the loads */
	char old_batch[16];
};

static void mover_fail(FIXTURE_DATA(churn) *self, const char *msg)
{
	snprintf(self->fail, sizeof(self->fail), "move %lu: %s", self->moves,
		 msg);
	__atomic_store_n(&self->failed, 1, __ATOMIC_RELEASE);
}

/* Move everything to @node; NULL or what went wrong. */
static const char *move_all(FIXTURE_DATA(churn) *self, int node)
{
	static __thread char msg[160];
	unsigned long i, pg, w;
	int tries = 0;
	long ret;

	for (i = 0; i < self->npages; i++)
		self->nodes[i] = node;
	do {
		ret = move_pages_(0, self->npages, self->addr, self->nodes,
				  self->status, MPOL_MF_MOVE);
		if (ret < 0) {
			snprintf(msg, sizeof(msg), "move_pages: %s",
				 strerror(errno));
			return msg;
		}
	} while (ret > 0 && ++tries < MAX_RETRIES);
	if (ret) {
		snprintf(msg, sizeof(msg), "%ld pages not moved after %d calls",
			 ret, MAX_RETRIES);
		return msg;
	}
	if (move_pages_(0, self->npages, self->addr, NULL, self->status, 0))
		return "move_pages query failed";
	for (i = 0; i < self->npages; i++) {
		if (self->status[i] == node)
			continue;
		snprintf(msg, sizeof(msg), "page %lu on node %d, not %d", i,
			 self->status[i], node);
		return msg;
	}
	for (pg = 0; pg < self->npages; pg++) {
		uint64_t *p = (uint64_t *)(self->buf + pg * PAGE_SZ);

		for (w = 0; w < WORDS; w++) {
			if (p[w] == pattern(pg, w))
				continue;
			snprintf(msg, sizeof(msg),
				 "page %lu word %lu: %#llx, expected %#llx",
				 pg, w, (unsigned long long)p[w],
				 (unsigned long long)pattern(pg, w));
			return msg;
		}
	}
	return NULL;
}

static void *mover_fn(void *arg)
{
	FIXTURE_DATA(churn) *self = arg;
	const char *err;
	int node = 1;

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

/* Wait until the mover has completed @n more moves. */
static void let_move(struct __test_metadata *_metadata,
		     FIXTURE_DATA(churn) *self, unsigned long n)
{
	unsigned long target = __atomic_load_n(&self->moves, __ATOMIC_ACQUIRE) + n;
	double end = now_sec() + MOVE_WAIT_S * n;

	while (__atomic_load_n(&self->moves, __ATOMIC_ACQUIRE) < target &&
	       !__atomic_load_n(&self->failed, __ATOMIC_ACQUIRE)) {
		ASSERT_GT(end, now_sec()) TH_LOG("the mover is stuck");
		usleep(2000);
	}
	ASSERT_EQ(0, self->failed) TH_LOG("mover: %s", self->fail);
}

FIXTURE_SETUP(churn)
{
	unsigned long i, mb = env_setting("CHURN_MB", 16, 4096);
	unsigned long mask = 1UL;
	char *map;

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
	ASSERT_EQ(0, pthread_create(&self->mover, NULL, mover_fn, self));
	self->mover_on = true;
}

FIXTURE_TEARDOWN(churn)
{
	__atomic_store_n(&self->stop, 1, __ATOMIC_RELAXED);
	if (self->mover_on)
		pthread_join(self->mover, NULL);
	if (loaded("dcbm"))
		file_write(DCBM "offloading", "0");
	if (loaded("mtcopy"))
		file_write(MTCOPY "offloading", "0");
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

TEST_F_TIMEOUT(churn, reload_dcbm, 1800)
{
	unsigned long c, cycles = env_setting("CHURN_CYCLES", 10, 10000);
	char n[24];

	load(_metadata, "swdma", "");
	unload_all(_metadata, "dcbm", DCBM);	/* counters from zero */
	for (c = 0; c < cycles; c++) {
		load(_metadata, "dcbm", "");
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

TEST_F_TIMEOUT(churn, reload_mtcopy, 1800)
{
	unsigned long c, cycles = env_setting("CHURN_CYCLES", 10, 10000);
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

TEST_F_TIMEOUT(churn, reload_swdma, 1800)
{
	unsigned long c, cycles = env_setting("CHURN_CYCLES", 10, 10000);

	unload_all(_metadata, "dcbm", DCBM);
	unload_all(_metadata, "swdma", NULL);
	load(_metadata, "dcbm", "");
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
		"0x7f",
	};
	bool dcbm = rand_r(rnd) & 1;
	const char *dir = dcbm ? DCBM : MTCOPY;
	char path[160], n[16];
	int rc;

	switch (rand_r(rnd) % 4) {
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
	default:
		if (dcbm)
			put(_metadata, dir, "use_sg", sg_modes[rand_r(rnd) % 3]);
		else
			put(_metadata, dir, "min_batch_bytes",
			    rand_r(rnd) % 4 ? "0" : "1048576");
		break;
	}
}

TEST_F_TIMEOUT(churn, toggle_params, 1800)
{
	unsigned long i, ops = env_setting("CHURN_OPS", 300, 1000000);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int rnd = 42;

	load(_metadata, "swdma", "");
	load(_metadata, "dcbm", "");
	load(_metadata, "mtcopy", "");
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
	collect(_metadata, self, DCBM);
	collect(_metadata, self, MTCOPY);
	finish(_metadata, self, "toggle_params");
}

TEST_HARNESS_MAIN
