// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_verify - move_pages(2) must move anonymous memory between NUMA
 * nodes 0 and 1 without corrupting a byte.  A region (MIGRATE_VERIFY_MB,
 * default 64) is mbind()ed to node 0, filled with a per-page, per-generation
 * pattern and moved 0 -> 1 -> 0; the node of every base page and every word
 * are checked.  The concurrent cases run MIGRATE_VERIFY_ROUNDS (default 5)
 * round trips while a reader thread verifies and a writer thread rewrites
 * random pages, with per-page seqcounts outside the region.
 *
 * Variants: 4K pages, 64K mTHPs and 2M THPs, each copied the stock way
 * (vm.migrate_batch_copy=0), by the batch copy step with the CPU (2), with
 * the default (1) and no migrator (4K and 2M: no step at all), and by
 * the test migrator (test_migrator.ko): copying everything, failing half
 * of every other batch after scribbling over it, declining every batch,
 * or serving only reasons move_pages() does not use (no step then, or
 * with the step always on, the CPU's, in batches of the default size); with
 * larger batches asked for (batch_bytes, 8 and 16 MiB), where the trace
 * must show batches of that size for the migrator; by mtcopy with 1, 2
 * and 4 worker threads; and by dcbm over swdma with 1, 2 and 4
 * channels, with DMA_MEMCPY_SG or one DMA_MEMCPY per chunk, and with
 * swdma retiring descriptors out of order, moving at most an odd segment
 * length at a time, failing 1% or 25% of its descriptors, or completing
 * them only after dcbm's timeout.  After the moves the /proc/vmstat
 * counters, the migrator's own record and the mm_migrate_copy_batch
 * tracepoint must agree with the mode.  Plus move_pages() error semantics.
 *
 * Every test reports its part of the fault campaign (bytes moved and
 * checked, swdma failures injected, batches that fell back, corrupted
 * bytes) on a "# campaign:" line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* -Wextra noise from the harness itself (unused args, setjmp in TEST_F) */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "batch_trace.h"
#include "vmtest.h"

/* No libnuma in the guest: raw syscalls with the uapi constants. */
#include <linux/mempolicy.h>

#define PAGE_SZ		4096UL
#define WORDS		(PAGE_SZ / sizeof(uint64_t))
#define SZ_2M		(2UL << 20)
#define PLAIN_ROUNDS	2	/* round trips without concurrent access */
#define MAX_RETRIES	100	/* move_pages() calls while ret > 0 */
#define MAX_NODES	1024	/* bits in the nodemask from get_mempolicy */
#define MAX_REPORTS	8	/* mismatches logged per check */
#define NODE_SYSFS	"/sys/devices/system/node"
#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"
#define BATCH_SYSCTL	"/proc/sys/vm/migrate_batch_copy"
#define TM_PARAM	"/sys/module/test_migrator/parameters/"
#define TM_STATS	"/sys/kernel/debug/test_migrator/stats"
#define MT_PARAM	"/sys/module/mtcopy/parameters/"
#define DCBM_PARAM	"/sys/module/dcbm/parameters/"
#define SWDMA_DBG	"/sys/kernel/debug/dmaengine/swdma.0/"
#define SWDMA_SEG_LEN	"4000"		/* not a divisor of any page size */
/*
 * A late copy must be late beyond doubt: under TCG a vCPU can be off its
 * host core for tens of ms, and a dcbm thread that wakes after the copy
 * completed rightly takes it as done.  A latency of 20 ms or more is a
 * wait that terminating the channel cuts short, so 1 s costs no time.
 */
#define SWDMA_LATENCY	"1000000"	/* us, 200 times ... */
#define DCBM_TIMEOUT	"5"		/* ... this, in ms */
#define NO_SYSCALL	"numa_misplaced,demotion"	/* unused in the VM */

/* How the content of migrating folios is copied. */
enum copy_mode {
	COPY_STOCK,		/* per folio, during its move */
	COPY_BATCH,		/* batch copy step, by the CPU (sysctl 2) */
	COPY_IDLE,		/* the default (1), no migrator: no step */
	COPY_MIGRATOR,		/* by the test migrator */
	COPY_MIGRATOR_FAIL,	/* which fails half of every other batch */
	COPY_MIGRATOR_DECLINE,	/* which declines every batch */
	COPY_MIGRATOR_NOSYSCALL,/* which serves only NO_SYSCALL reasons */
	COPY_MIGRATOR_OTHER,	/* that, and the step for all (sysctl 2) */
	COPY_MTCOPY,		/* by mtcopy, with variant->workers threads */
	COPY_DCBM,		/* by dcbm, with variant->workers channels */
};

/* What swdma does to dcbm's descriptors */
enum swdma_mode {
	SWDMA_PLAIN,		/* in order, whole segments, no failure */
	SWDMA_OUT_OF_ORDER,	/* retires issued descriptors out of order */
	SWDMA_MAX_SEG,		/* moves at most SWDMA_SEG_LEN bytes at once */
	SWDMA_FAIL_1PCT,	/* fault injection fails 1% of its descriptors */
	SWDMA_FAIL_25PCT,	/* and 25% of them */
	SWDMA_LATE,		/* completes after dcbm's timeout */
};

static bool swdma_fails(enum swdma_mode mode)
{
	return mode == SWDMA_FAIL_1PCT || mode == SWDMA_FAIL_25PCT;
}

/* /proc/vmstat counters of the batch copy step */
static const char *const vm_keys[] = {
	"migrate_batch_copy", "migrate_batch_copy_folios",
	"migrate_offload_batch", "migrate_offload_copied",
	"migrate_offload_fallback",
};

enum { VM_BATCH, VM_BATCH_FOLIOS, VM_OFF_BATCH, VM_OFF_COPIED,
       VM_OFF_FALLBACK, NR_VM };

/* test_migrator's record */
static const char *const tm_keys[] = {
	"batches", "folios", "bytes", "copied", "failed", "declined",
	"bad_batches",
};

enum { TM_BATCHES, TM_FOLIOS, TM_BYTES, TM_COPIED, TM_FAILED, TM_DECLINED,
       TM_BAD, NR_TM };

static long sys_move_pages(unsigned long count, void **pages,
			   const int *nodes, int *status, int flags)
{
	return syscall(SYS_move_pages, 0, count, pages, nodes, status, flags);
}

/* Unique per (page < 2^24, gen < 2^31, word): odd multiply is a bijection. */
static inline uint64_t pattern(unsigned long pg, unsigned int gen,
			       unsigned long w)
{
	uint64_t v = ((uint64_t)pg << 40) | ((uint64_t)gen << 9) | w;

	return v * 0x9e3779b97f4a7c15ULL + 0x5a5aa5a5c3c33c3cULL;
}

/* First line of @path, without the newline. */
static bool read_line(const char *path, char *buf, int len)
{
	FILE *f = fopen(path, "r");
	bool ok = f && fgets(buf, len, f);

	if (f)
		fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* Sum of AnonHugePages (kB) over the VMAs overlapping [start, start+len). */
static long anon_huge_kb(void *start, size_t len)
{
	unsigned long s, e, kb, lo = (uintptr_t)start, hi = lo + len;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	long total = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2)
			in = s < hi && e > lo;
		else if (in && sscanf(line, "AnonHugePages: %lu", &kb) == 1)
			total += kb;
	}
	fclose(f);
	return total;
}

FIXTURE(anon_migrate)
{
	char *buf;		/* 2M aligned region, a VMA of its own */
	size_t size;
	unsigned long npages;	/* base pages in buf */
	unsigned long fpages;	/* base pages per folio */
	unsigned long nmove;	/* addresses passed when moving */
	unsigned int *seq;	/* per-page seqcount: 2 * generation (+1) */
	void **qaddr;		/* every base page, for node queries */
	void **maddr;		/* every base page, or one per 2M folio */
	int *nodes, *status;
	unsigned long rounds;
	/* concurrent_rw */
	pthread_t reader, writer;
	bool reader_on, writer_on;
	int stop, failed;
	unsigned long checked, skipped, written;
	char fail[128];		/* reader's first mismatch */
	/* copy mode: what to restore, counters at the start */
	char old_batch[16], old_thp[2][64];
	/* the migrator's batch_bytes and min_share_bytes before */
	char old_size[2][32], size_dir[64];
	bool batch_set, thp_set, migrator_on, mtcopy_on, dcbm_on, swdma_set;
	long long vm0[NR_VM];
	/* the fault campaign's account */
	struct campaign camp;
	struct fault_inject fi;	/* swdma's fail_copy, while it fails */
	long long fallback0;
	long long unacked0;	/* swdma's completed descriptors without ack */
};

FIXTURE_VARIANT(anon_migrate)
{
	unsigned long folio_kb;	/* 4, 64 (mTHP) or 2048 (THP) */
	enum copy_mode copy;
	unsigned int workers;	/* mtcopy threads, dcbm channels */
	const char *use_sg;	/* dcbm: auto, on or off */
	enum swdma_mode swdma;	/* dcbm */
	unsigned long batch_kb;	/* the migrator's batch_bytes / 1024 */
	unsigned long share_kb;	/* mtcopy, dcbm: min_share_bytes / 1024 */
};

#define MIGRATE_VARIANT(_name, _kb, _copy)				\
	FIXTURE_VARIANT_ADD(anon_migrate, _name)			\
	{								\
		.folio_kb = _kb,					\
		.copy = _copy,						\
	}

#define MTCOPY_VARIANT(_name, _kb, _threads)				\
	FIXTURE_VARIANT_ADD(anon_migrate, _name)			\
	{								\
		.folio_kb = _kb,					\
		.copy = COPY_MTCOPY,					\
		.workers = _threads,					\
	}

#define DCBM_VARIANT(_name, _kb, _chans, _use_sg, _swdma)		\
	FIXTURE_VARIANT_ADD(anon_migrate, _name)			\
	{								\
		.folio_kb = _kb,					\
		.copy = COPY_DCBM,					\
		.workers = _chans,					\
		.use_sg = _use_sg,					\
		.swdma = _swdma,					\
	}

/*
 * Larger batches, asked for with the migrator's batch_bytes; its shares
 * no smaller than the default min_share_bytes.  The others cut every
 * batch into as many shares as they have threads or channels.
 */
#define BATCH_VARIANT(_name, _kb, _copy, _workers, _use_sg, _swdma,	\
		      _batch_kb, _share_kb)				\
	FIXTURE_VARIANT_ADD(anon_migrate, _name)			\
	{								\
		.folio_kb = _kb,					\
		.copy = _copy,						\
		.workers = _workers,					\
		.use_sg = _use_sg,					\
		.swdma = _swdma,					\
		.batch_kb = _batch_kb,					\
		.share_kb = _share_kb,					\
	}

MIGRATE_VARIANT(base_4k_stock, 4, COPY_STOCK);
MIGRATE_VARIANT(base_4k_batch, 4, COPY_BATCH);
MIGRATE_VARIANT(base_4k_idle, 4, COPY_IDLE);
MIGRATE_VARIANT(base_4k_migrator, 4, COPY_MIGRATOR);
MIGRATE_VARIANT(base_4k_migrator_fail, 4, COPY_MIGRATOR_FAIL);
MIGRATE_VARIANT(base_4k_migrator_decline, 4, COPY_MIGRATOR_DECLINE);
MIGRATE_VARIANT(base_4k_migrator_nosyscall, 4, COPY_MIGRATOR_NOSYSCALL);
MIGRATE_VARIANT(mthp_64k_stock, 64, COPY_STOCK);
MIGRATE_VARIANT(mthp_64k_batch, 64, COPY_BATCH);
MIGRATE_VARIANT(mthp_64k_migrator, 64, COPY_MIGRATOR);
MIGRATE_VARIANT(mthp_64k_migrator_fail, 64, COPY_MIGRATOR_FAIL);
MIGRATE_VARIANT(thp_2m_stock, 2048, COPY_STOCK);
MIGRATE_VARIANT(thp_2m_batch, 2048, COPY_BATCH);
MIGRATE_VARIANT(thp_2m_idle, 2048, COPY_IDLE);
MIGRATE_VARIANT(thp_2m_migrator, 2048, COPY_MIGRATOR);
MIGRATE_VARIANT(thp_2m_migrator_fail, 2048, COPY_MIGRATOR_FAIL);
MIGRATE_VARIANT(thp_2m_migrator_nosyscall, 2048, COPY_MIGRATOR_NOSYSCALL);
MTCOPY_VARIANT(base_4k_mtcopy_1t, 4, 1);
MTCOPY_VARIANT(base_4k_mtcopy_2t, 4, 2);
MTCOPY_VARIANT(base_4k_mtcopy_4t, 4, 4);
MTCOPY_VARIANT(mthp_64k_mtcopy_1t, 64, 1);
MTCOPY_VARIANT(mthp_64k_mtcopy_2t, 64, 2);
MTCOPY_VARIANT(mthp_64k_mtcopy_4t, 64, 4);
MTCOPY_VARIANT(thp_2m_mtcopy_1t, 2048, 1);
MTCOPY_VARIANT(thp_2m_mtcopy_2t, 2048, 2);
MTCOPY_VARIANT(thp_2m_mtcopy_4t, 2048, 4);
DCBM_VARIANT(base_4k_dcbm_1ch, 4, 1, "auto", SWDMA_PLAIN);
DCBM_VARIANT(base_4k_dcbm_2ch, 4, 2, "auto", SWDMA_PLAIN);
DCBM_VARIANT(base_4k_dcbm_4ch, 4, 4, "on", SWDMA_PLAIN);
DCBM_VARIANT(base_4k_dcbm_4ch_nosg, 4, 4, "off", SWDMA_PLAIN);
DCBM_VARIANT(mthp_64k_dcbm_1ch, 64, 1, "auto", SWDMA_PLAIN);
DCBM_VARIANT(mthp_64k_dcbm_2ch, 64, 2, "auto", SWDMA_PLAIN);
DCBM_VARIANT(mthp_64k_dcbm_4ch, 64, 4, "on", SWDMA_PLAIN);
DCBM_VARIANT(thp_2m_dcbm_1ch, 2048, 1, "auto", SWDMA_PLAIN);
DCBM_VARIANT(thp_2m_dcbm_2ch, 2048, 2, "auto", SWDMA_PLAIN);
DCBM_VARIANT(thp_2m_dcbm_4ch, 2048, 4, "on", SWDMA_PLAIN);
DCBM_VARIANT(thp_2m_dcbm_4ch_nosg, 2048, 4, "off", SWDMA_PLAIN);
DCBM_VARIANT(base_4k_dcbm_out_of_order, 4, 4, "off", SWDMA_OUT_OF_ORDER);
DCBM_VARIANT(thp_2m_dcbm_out_of_order, 2048, 4, "off", SWDMA_OUT_OF_ORDER);
DCBM_VARIANT(base_4k_dcbm_max_seg, 4, 2, "on", SWDMA_MAX_SEG);
DCBM_VARIANT(thp_2m_dcbm_max_seg, 2048, 2, "on", SWDMA_MAX_SEG);
/* Enough descriptors per move that some fail even at 1% */
DCBM_VARIANT(base_4k_dcbm_fail_1pct, 4, 4, "off", SWDMA_FAIL_1PCT);
DCBM_VARIANT(mthp_64k_dcbm_fail_1pct, 64, 4, "off", SWDMA_FAIL_1PCT);
DCBM_VARIANT(base_4k_dcbm_fail_25pct, 4, 4, "on", SWDMA_FAIL_25PCT);
DCBM_VARIANT(thp_2m_dcbm_fail_25pct, 2048, 4, "on", SWDMA_FAIL_25PCT);
DCBM_VARIANT(thp_2m_dcbm_fail_25pct_nosg, 2048, 4, "off", SWDMA_FAIL_25PCT);
DCBM_VARIANT(thp_2m_dcbm_timeout, 2048, 4, "on", SWDMA_LATE);
BATCH_VARIANT(base_4k_migrator_batch16m, 4, COPY_MIGRATOR, 0, NULL, 0,
	      16384, 0);
BATCH_VARIANT(thp_2m_migrator_batch16m, 2048, COPY_MIGRATOR, 0, NULL, 0,
	      16384, 0);
BATCH_VARIANT(thp_2m_migrator_fail_batch8m, 2048, COPY_MIGRATOR_FAIL, 0,
	      NULL, 0, 8192, 0);
/* Syscall batches, not served, keep their size. */
BATCH_VARIANT(thp_2m_migrator_other_batch16m, 2048, COPY_MIGRATOR_OTHER, 0,
	      NULL, 0, 16384, 0);
BATCH_VARIANT(base_4k_mtcopy_2t_batch16m, 4, COPY_MTCOPY, 2, NULL, 0,
	      16384, 256);
BATCH_VARIANT(thp_2m_mtcopy_4t_batch8m, 2048, COPY_MTCOPY, 4, NULL, 0,
	      8192, 256);
BATCH_VARIANT(base_4k_dcbm_4ch_batch16m, 4, COPY_DCBM, 4, "on",
	      SWDMA_PLAIN, 16384, 2048);
BATCH_VARIANT(thp_2m_dcbm_4ch_batch8m, 2048, COPY_DCBM, 4, "auto",
	      SWDMA_PLAIN, 8192, 2048);
BATCH_VARIANT(thp_2m_dcbm_fail_25pct_batch16m, 2048, COPY_DCBM, 4, "off",
	      SWDMA_FAIL_25PCT, 16384, 2048);

static void fill_all(FIXTURE_DATA(anon_migrate) *self, unsigned int gen)
{
	uint64_t *p = (uint64_t *)self->buf;
	unsigned long pg, w;

	for (pg = 0; pg < self->npages; pg++) {
		self->seq[pg] = 2 * gen;
		for (w = 0; w < WORDS; w++)
			*p++ = pattern(pg, gen, w);
	}
}

/*
 * Check every word of the region; return the number of bad pages, and
 * add the bytes that differ to the campaign's corrupted bytes.
 */
static unsigned long verify_all(struct __test_metadata *_metadata,
				FIXTURE_DATA(anon_migrate) *self)
{
	unsigned long pg, w, bad = 0;
	unsigned int gen, bytes;
	uint64_t *p, exp;

	for (pg = 0; pg < self->npages; pg++) {
		p = (uint64_t *)(self->buf + pg * PAGE_SZ);
		gen = self->seq[pg] / 2;
		for (w = 0, bytes = 0; w < WORDS; w++) {
			exp = pattern(pg, gen, w);
			if (p[w] == exp)
				continue;
			if (!bytes && bad < MAX_REPORTS)
				TH_LOG("page %lu offset %lu: expected %#llx got %#llx (gen %u)",
				       pg, w * 8 + __builtin_ctzll(p[w] ^ exp) / 8,
				       (unsigned long long)exp,
				       (unsigned long long)p[w], gen);
			bytes += bytes_differ(p[w], exp);
		}
		bad += !!bytes;
		self->camp.corrupted += bytes;
	}
	return bad;
}

/* Query the node of every base page; return how many are not on @node. */
static unsigned long wrong_node_pages(struct __test_metadata *_metadata,
				      FIXTURE_DATA(anon_migrate) *self,
				      int node)
{
	unsigned long i, bad = 0;

	for (i = 0; i < self->npages; i++)
		self->status[i] = INT_MIN;
	ASSERT_EQ(0, sys_move_pages(self->npages, self->qaddr, NULL,
				    self->status, 0))
		TH_LOG("move_pages() query: %s", strerror(errno));
	for (i = 0; i < self->npages; i++)
		if (self->status[i] != node && bad++ < MAX_REPORTS)
			TH_LOG("page %lu (%p): status %d, expected node %d",
			       i, self->qaddr[i], self->status[i], node);
	return bad;
}

/* move_pages() @n addresses to @node, retrying while pages are busy. */
static void move_addrs(struct __test_metadata *_metadata,
		       FIXTURE_DATA(anon_migrate) *self,
		       void **addrs, unsigned long n, int node)
{
	unsigned long i;
	int tries = 0;
	long ret;

	for (i = 0; i < n; i++)
		self->nodes[i] = node;
	do {
		for (i = 0; i < n; i++)
			self->status[i] = INT_MIN;
		ret = sys_move_pages(n, addrs, self->nodes, self->status,
				     MPOL_MF_MOVE);
		ASSERT_LE(0, ret)
			TH_LOG("move_pages() to node %d: %s",
			       node, strerror(errno));
	} while (ret > 0 && ++tries < MAX_RETRIES);
	ASSERT_EQ(0, ret)
		TH_LOG("%ld pages not moved to node %d after %d calls",
		       ret, node, MAX_RETRIES);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(node, self->status[i])
			TH_LOG("move_pages() status of %p: %d, expected %d",
			       addrs[i], self->status[i], node);
	}
}

/* Move the whole region to @node and check where every base page is. */
static void move_region(struct __test_metadata *_metadata,
			FIXTURE_DATA(anon_migrate) *self, int node)
{
	unsigned long i, bad;

	move_addrs(_metadata, self, self->maddr, self->nmove, node);
	self->camp.bytes += self->size;
	bad = wrong_node_pages(_metadata, self, node);
	if (bad && self->nmove != self->npages) {
		/*
		 * One address per large folio was passed and the folio there
		 * moved; pages left behind are in chunks that are not (or no
		 * longer) large folios.  Move them 4K at a time.  For THPs,
		 * tolerate 10% of them, as setup does.  PTE-mapped mTHPs are
		 * all split by their second migration in 6.12: unmapping
		 * them one PTE at a time marks them partially mapped, the
		 * mark follows them to the new folio, and migrate_pages()
		 * splits partially mapped folios first.
		 */
		for (i = 0; i < self->nmove; i++) {
			ASSERT_EQ(node, self->status[i * self->fpages])
				TH_LOG("folio at %p reported moved, on node %d",
				       self->maddr[i],
				       self->status[i * self->fpages]);
		}
		if (self->fpages == SZ_2M / PAGE_SZ)
			ASSERT_LE(bad, self->npages / 10)
				TH_LOG("THPs split? AnonHugePages %ld kB",
				       anon_huge_kb(self->buf, self->size));
		TH_LOG("%lu pages of small chunks: moving them one by one",
		       bad);
		move_addrs(_metadata, self, self->qaddr, self->npages, node);
		bad = wrong_node_pages(_metadata, self, node);
	}
	ASSERT_EQ(0UL, bad)
		TH_LOG("%lu base pages are not on node %d", bad, node);
}

static void stop_threads(FIXTURE_DATA(anon_migrate) *self)
{
	__atomic_store_n(&self->stop, 1, __ATOMIC_RELAXED);
	if (self->reader_on)
		pthread_join(self->reader, NULL);
	if (self->writer_on)
		pthread_join(self->writer, NULL);
	self->reader_on = self->writer_on = false;
}

/* The selected value ("[madvise]") of a THP sysfs control into @mode. */
static bool thp_mode(const char *path, char *mode, size_t len)
{
	char line[128], *open, *close;

	if (!read_line(path, line, sizeof(line)))
		return false;
	open = strchr(line, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close || (size_t)(close - open) > len)
		return false;
	*close = '\0';
	strcpy(mode, open + 1);
	return true;
}

static const char *const thp_ctl[2] = {
	THP_SYSFS "/hugepages-64kB/enabled",
	THP_SYSFS "/hugepages-2048kB/enabled",
};

/* 64K mTHPs only, in MADV_HUGEPAGE regions; restored by teardown. */
static void setup_mthp(struct __test_metadata *_metadata,
		       FIXTURE_DATA(anon_migrate) *self)
{
	int i;

	for (i = 0; i < 2; i++)
		if (!thp_mode(thp_ctl[i], self->old_thp[i],
			      sizeof(self->old_thp[i])))
			SKIP(return, "no %s", thp_ctl[i]);
	self->thp_set = true;
	ASSERT_EQ(0, file_write(thp_ctl[0], "madvise"));
	ASSERT_EQ(0, file_write(thp_ctl[1], "never"));
}

/* 64K mTHPs allocated at page faults since boot, -1 if unknown */
static long long mthp_64k_faults(void)
{
	return file_number(THP_SYSFS "/hugepages-64kB/stats/anon_fault_alloc");
}

/* Read @n counters of @path; "" or the name of the first missing one. */
static const char *read_keys(const char *path, const char *const *keys,
			     int n, long long *v)
{
	const char *missing = "";
	int i;

	for (i = 0; i < n; i++) {
		v[i] = file_key(path, keys[i]);
		if (v[i] < 0 && !*missing)
			missing = keys[i];
	}
	return missing;
}

static const char *const swdma_knobs[] = {
	"max_seg_len", "out_of_order", "latency_us",
};

#define NR_SWDMA_KNOBS	(sizeof(swdma_knobs) / sizeof(swdma_knobs[0]))

/*
 * swdma's ordering knobs, with no channel in use (out_of_order changes
 * only then), and its failures (fault injection in fail_copy); teardown
 * puts them back.
 */
static void setup_swdma(struct __test_metadata *_metadata,
			FIXTURE_DATA(anon_migrate) *self, enum swdma_mode mode)
{
	const char *val[] = {
		mode == SWDMA_MAX_SEG ? SWDMA_SEG_LEN : "0",
		mode == SWDMA_OUT_OF_ORDER ? "1" : "0",
		mode == SWDMA_LATE ? SWDMA_LATENCY : "0",
	};
	char path[128];
	unsigned int i;

	self->swdma_set = true;
	self->unacked0 = file_number(SWDMA_DBG "unacked_descs");
	ASSERT_LE(0, self->unacked0) TH_LOG("no " SWDMA_DBG "unacked_descs");
	ASSERT_EQ(0, file_write(SWDMA_DBG "fail_seed", "1"));
	for (i = 0; i < NR_SWDMA_KNOBS; i++) {
		snprintf(path, sizeof(path), SWDMA_DBG "%s", swdma_knobs[i]);
		ASSERT_EQ(0, file_write(path, val[i])) TH_LOG("%s", path);
	}
	if (swdma_fails(mode)) {
		const char *bad = NULL;
		int rc = fault_on(&self->fi, SWDMA_DBG "fail_copy/",
				  mode == SWDMA_FAIL_1PCT ? 1 : 25, 1, false,
				  NULL, &bad);

		ASSERT_EQ(0, rc) TH_LOG(SWDMA_DBG "fail_copy/%s: %s", bad,
					strerror(-rc));
	}
}

/*
 * The migrator's batch size and (but for the test migrator) share size,
 * before it is enabled; teardown restores what they were.
 */
static void setup_sizes(struct __test_metadata *_metadata,
			FIXTURE_DATA(anon_migrate) *self,
			const FIXTURE_VARIANT(anon_migrate) *variant,
			const char *dir)
{
	bool shares = strcmp(dir, TM_PARAM);
	char n[32];

	snprintf(self->size_dir, sizeof(self->size_dir), "%s", dir);
	ASSERT_EQ(0, file_read_at(dir, "batch_bytes", self->old_size[0],
				  sizeof(self->old_size[0])));
	if (shares)
		ASSERT_EQ(0, file_read_at(dir, "min_share_bytes",
					  self->old_size[1],
					  sizeof(self->old_size[1])));
	snprintf(n, sizeof(n), "%lu", variant->batch_kb * 1024);
	ASSERT_EQ(0, file_write_at(dir, "batch_bytes", n))
		TH_LOG("%sbatch_bytes=%s", dir, n);
	if (shares) {
		snprintf(n, sizeof(n), "%lu",
			 (variant->share_kb ?: 4) * 1024);
		ASSERT_EQ(0, file_write_at(dir, "min_share_bytes", n))
			TH_LOG("%smin_share_bytes=%s", dir, n);
	}
}

/* Put the batch copy step and the migrators in the variant's mode. */
static void setup_copy_mode(struct __test_metadata *_metadata,
			    FIXTURE_DATA(anon_migrate) *self,
			    const FIXTURE_VARIANT(anon_migrate) *variant)
{
	enum copy_mode copy = variant->copy;
	bool migrator = copy >= COPY_MIGRATOR && copy <= COPY_MIGRATOR_OTHER;
	char n[32];
	const char *missing;

	if (file_read(BATCH_SYSCTL, self->old_batch, sizeof(self->old_batch))) {
		if (copy == COPY_STOCK)
			return;
		SKIP(return, "kernel without CONFIG_MIGRATION_COPY_OFFLOAD");
	}
	if (copy == COPY_MTCOPY && sysconf(_SC_NPROCESSORS_ONLN) < variant->workers)
		SKIP(return, "%u threads need as many CPUs", variant->workers);
	if (migrator && access(TM_PARAM, F_OK))
		ASSERT_EQ(0, system("modprobe test_migrator"));
	if (copy == COPY_MTCOPY && access(MT_PARAM, F_OK))
		ASSERT_EQ(0, system("modprobe mtcopy"));
	if (copy == COPY_DCBM && access(SWDMA_DBG, F_OK))
		ASSERT_EQ(0, system("modprobe swdma"));
	if (copy == COPY_DCBM && access(DCBM_PARAM, F_OK))
		ASSERT_EQ(0, system("modprobe dcbm"));
	/* At most one migrator is registered: start with none. */
	if (!access(TM_PARAM, F_OK))
		ASSERT_EQ(0, file_write(TM_PARAM "offloading", "0"));
	if (!access(MT_PARAM, F_OK))
		ASSERT_EQ(0, file_write(MT_PARAM "offloading", "0"));
	if (!access(DCBM_PARAM, F_OK))
		ASSERT_EQ(0, file_write(DCBM_PARAM "offloading", "0"));
	self->batch_set = true;
	ASSERT_EQ(0, file_write(BATCH_SYSCTL, copy == COPY_STOCK ? "0" :
				copy == COPY_BATCH || copy == COPY_MIGRATOR_OTHER ?
				"2" : "1"));
	if (migrator || copy == COPY_MTCOPY || copy == COPY_DCBM)
		setup_sizes(_metadata, self, variant,
			    migrator ? TM_PARAM : copy == COPY_MTCOPY ?
			    MT_PARAM : DCBM_PARAM);
	if (migrator) {
		ASSERT_EQ(0, file_write(TM_PARAM "fail_every",
					copy == COPY_MIGRATOR_FAIL ? "2" : "0"));
		ASSERT_EQ(0, file_write(TM_PARAM "min_batch_bytes",
					copy == COPY_MIGRATOR_DECLINE ?
					"1099511627776" : "0"));
		ASSERT_EQ(0, file_write(TM_PARAM "reason_mask",
					copy == COPY_MIGRATOR_NOSYSCALL ||
					copy == COPY_MIGRATOR_OTHER ?
					NO_SYSCALL : "all"));
		ASSERT_EQ(0, file_write(TM_STATS, "0"));
		ASSERT_EQ(0, file_write(TM_PARAM "offloading", "1"));
		self->migrator_on = true;
	}
	if (copy == COPY_MTCOPY) {
		snprintf(n, sizeof(n), "%u", variant->workers);
		ASSERT_EQ(0, file_write(MT_PARAM "nr_threads", n));
		ASSERT_EQ(0, file_write(MT_PARAM "reason_mask", "all"));
		ASSERT_EQ(0, file_write(MT_PARAM "min_batch_bytes", "0"));
		ASSERT_EQ(0, file_write(MT_PARAM "folios_migrated", "0"));
		ASSERT_EQ(0, file_write(MT_PARAM "folios_failures", "0"));
		ASSERT_EQ(0, file_write(MT_PARAM "offloading", "1"));
		self->mtcopy_on = true;
	}
	if (copy == COPY_DCBM) {
		setup_swdma(_metadata, self, variant->swdma);
		snprintf(n, sizeof(n), "%u", variant->workers);
		ASSERT_EQ(0, file_write(DCBM_PARAM "nr_dma_chan", n));
		ASSERT_EQ(0, file_write(DCBM_PARAM "use_sg", variant->use_sg));
		ASSERT_EQ(0, file_write(DCBM_PARAM "reason_mask", "all"));
		ASSERT_EQ(0, file_write(DCBM_PARAM "min_batch_bytes", "0"));
		ASSERT_EQ(0, file_write(DCBM_PARAM "timeout_ms",
					variant->swdma == SWDMA_LATE ?
					DCBM_TIMEOUT : "10000"));
		ASSERT_EQ(0, file_write(DCBM_PARAM "folios_migrated", "0"));
		ASSERT_EQ(0, file_write(DCBM_PARAM "folios_failures", "0"));
		ASSERT_EQ(0, file_write(DCBM_PARAM "offloading", "1"));
		self->dcbm_on = true;
	}
	missing = read_keys("/proc/vmstat", vm_keys, NR_VM, self->vm0);
	ASSERT_STREQ("", missing) TH_LOG("not in /proc/vmstat");
	self->fallback0 = fallback_batches();
	ASSERT_LE(0, self->fallback0) TH_LOG("no batch fallback counter");
}

FIXTURE_SETUP(anon_migrate)
{
	unsigned long i, mb = env_ulong("MIGRATE_VERIFY_MB", 64);
	unsigned long mask = 1UL, pol[MAX_NODES / 64];
	char *map, thp[128];
	size_t maplen;
	long long faults = 0;
	int mode, ret;
	bool large;
	long huge;

	if (node_meminfo(0, "MemTotal") <= 0 ||
	    node_meminfo(1, "MemTotal") <= 0)
		SKIP(return, "needs NUMA nodes 0 and 1 with memory");
	if (variant->folio_kb == 2048 &&
	    (!read_line(THP_SYSFS "/enabled", thp, sizeof(thp)) ||
	     strstr(thp, "[never]")))
		SKIP(return, "transparent hugepages unavailable");
	if (variant->folio_kb == 64) {
		setup_mthp(_metadata, self);
		if (_metadata->exit_code)
			return;
		faults = mthp_64k_faults();
		ASSERT_LE(0, faults) TH_LOG("no 64K mTHP fault statistics");
	}
	setup_copy_mode(_metadata, self, variant);
	if (_metadata->exit_code)
		return;
	ASSERT_EQ(PAGE_SZ, (unsigned long)sysconf(_SC_PAGESIZE));
	ASSERT_TRUE(mb > 0 && mb < 65536) TH_LOG("bad MIGRATE_VERIFY_MB");
	self->rounds = env_ulong("MIGRATE_VERIFY_ROUNDS", 5);
	ASSERT_TRUE(self->rounds > 0 && self->rounds < 1000000)
		TH_LOG("bad MIGRATE_VERIFY_ROUNDS");

	/* A 2M aligned region, trimmed out of a larger mapping. */
	self->size = ((mb << 20) + SZ_2M - 1) & ~(SZ_2M - 1);
	self->npages = self->size / PAGE_SZ;
	self->fpages = variant->folio_kb * 1024 / PAGE_SZ;
	large = self->fpages > 1;
	maplen = self->size + SZ_2M;
	map = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map) TH_LOG("mmap: %s", strerror(errno));
	self->buf = (char *)(((uintptr_t)map + SZ_2M - 1) & ~(SZ_2M - 1));
	if (self->buf != map)
		ASSERT_EQ(0, munmap(map, self->buf - map));
	if (map + maplen != self->buf + self->size)
		ASSERT_EQ(0, munmap(self->buf + self->size,
				    map + maplen - (self->buf + self->size)));

	ASSERT_EQ(0, syscall(SYS_mbind, self->buf, self->size, MPOL_BIND,
			     &mask, sizeof(mask) * 8, 0))
		TH_LOG("mbind(MPOL_BIND, node 0): %s", strerror(errno));
	ASSERT_EQ(0, syscall(SYS_get_mempolicy, &mode, pol, MAX_NODES,
			     self->buf, MPOL_F_ADDR))
		TH_LOG("get_mempolicy: %s", strerror(errno));
	ASSERT_EQ(MPOL_BIND, mode);
	ASSERT_EQ(1UL, pol[0]) TH_LOG("nodemask %#lx", pol[0]);

	/* MADV_NOHUGEPAGE fails with EINVAL only on kernels without THP. */
	ret = madvise(self->buf, self->size,
		      large ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	ASSERT_TRUE(!ret || (!large && errno == EINVAL))
		TH_LOG("madvise: %s", strerror(errno));

	/* One allocation for all per-page arrays, pointers first. */
	self->qaddr = calloc(self->npages, 2 * sizeof(void *) + 3 * sizeof(int));
	ASSERT_NE(NULL, self->qaddr);
	self->maddr = self->qaddr + self->npages;
	self->nodes = (int *)(self->maddr + self->npages);
	self->status = self->nodes + self->npages;
	self->seq = (unsigned int *)(self->status + self->npages);
	self->nmove = self->npages / self->fpages;
	for (i = 0; i < self->npages; i++)
		self->qaddr[i] = self->buf + i * PAGE_SZ;
	for (i = 0; i < self->nmove; i++)
		self->maddr[i] = self->buf + i * self->fpages * PAGE_SZ;

	fill_all(self, 0);	/* first touch, allocates on node 0 */

	huge = anon_huge_kb(self->buf, self->size);
	ASSERT_LE(0, huge) TH_LOG("cannot read /proc/self/smaps");
	ASSERT_TRUE(variant->folio_kb == 2048 ?
		    huge * 10 >= (long)self->size / 1024 * 9 : huge == 0)
		TH_LOG("%ld of %zu kB are THP-backed after first touch",
		       huge, self->size / 1024);
	if (variant->folio_kb == 64) {
		faults = mthp_64k_faults() - faults;
		ASSERT_LE((long long)self->nmove * 9, faults * 10)
			TH_LOG("%lld of %lu 64K folios allocated", faults,
			       self->nmove);
	}
	ASSERT_EQ(0UL, wrong_node_pages(_metadata, self, 0))
		TH_LOG("initial placement is not on node 0");
}

/* "variant.test", the campaign line's name for the test running */
static void report_campaign(struct __test_metadata *_metadata,
			    const FIXTURE_VARIANT(anon_migrate) *variant,
			    const struct campaign *c)
{
	const struct __fixture_variant_metadata *v;
	char name[128];

	for (v = _metadata->fixture->variant; v && v->data != variant;)
		v = v->next;
	snprintf(name, sizeof(name), "%s.%s", v ? v->name : "?",
		 _metadata->name);
	campaign_report(name, c);
}

FIXTURE_TEARDOWN(anon_migrate)
{
	int i;

	stop_threads(self);
	if (self->batch_set)
		self->camp.fallback = fallback_batches() - self->fallback0;
	/*
	 * Faults injected: descriptors fault injection failed in swdma; with
	 * its latency above dcbm's timeout, every batch that fell back;
	 * batches the test migrator failed on purpose.
	 */
	if (self->swdma_set) {
		long long n = fault_off(&self->fi);

		self->camp.faults = n > 0 ? n : 0;
	}
	if (self->swdma_set && variant->swdma == SWDMA_LATE)
		self->camp.faults = self->camp.fallback;
	if (self->migrator_on && variant->copy == COPY_MIGRATOR_FAIL &&
	    file_key(TM_STATS, "failed") > 0)
		self->camp.faults = file_key(TM_STATS, "failed");
	report_campaign(_metadata, variant, &self->camp);
	if (self->buf)
		munmap(self->buf, self->size);
	free(self->qaddr);
	if (self->migrator_on) {
		file_write(TM_PARAM "offloading", "0");
		/* Its failures are this case's: the next user gets none */
		file_write(TM_PARAM "fail_every", "0");
	}
	if (self->mtcopy_on)
		file_write(MT_PARAM "offloading", "0");
	if (self->dcbm_on)
		file_write(DCBM_PARAM "offloading", "0");
	for (i = 0; self->swdma_set && i < (int)NR_SWDMA_KNOBS; i++) {
		char path[128];

		snprintf(path, sizeof(path), SWDMA_DBG "%s", swdma_knobs[i]);
		file_write(path, "0");
	}
	if (self->old_size[0][0])
		file_write_at(self->size_dir, "batch_bytes", self->old_size[0]);
	if (self->old_size[1][0])
		file_write_at(self->size_dir, "min_share_bytes",
			      self->old_size[1]);
	if (self->batch_set)
		file_write(BATCH_SYSCTL, self->old_batch);
	for (i = 0; self->thp_set && i < 2; i++)
		file_write(thp_ctl[i], self->old_thp[i]);
}

/* Verify random pages; judge only pages whose seqcount did not change. */
static void *reader_fn(void *arg)
{
	FIXTURE_DATA(anon_migrate) *self = arg;
	unsigned long pg, w, checked = 0, skipped = 0;
	unsigned int s1, s2, rnd = 1;
	uint64_t *p, v = 0, exp;

	while (!__atomic_load_n(&self->stop, __ATOMIC_RELAXED)) {
		pg = rand_r(&rnd) % self->npages;
		p = (uint64_t *)(self->buf + pg * PAGE_SZ);
		s1 = __atomic_load_n(&self->seq[pg], __ATOMIC_ACQUIRE);
		for (w = 0; !(s1 & 1) && w < WORDS; w++) {
			v = __atomic_load_n(&p[w], __ATOMIC_RELAXED);
			if (v != pattern(pg, s1 / 2, w))
				break;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&self->seq[pg], __ATOMIC_RELAXED);
		if ((s1 & 1) || s1 != s2) {
			skipped++;	/* raced with the writer */
			continue;
		}
		checked++;
		if (w < WORDS) {
			exp = pattern(pg, s1 / 2, w);
			snprintf(self->fail, sizeof(self->fail),
				 "page %lu offset %lu: expected %#llx got %#llx (gen %u)",
				 pg, w * 8 + __builtin_ctzll(v ^ exp) / 8,
				 (unsigned long long)exp,
				 (unsigned long long)v, s1 / 2);
			__atomic_store_n(&self->failed, 1, __ATOMIC_RELEASE);
			break;
		}
	}
	self->checked = checked;
	self->skipped = skipped;
	return NULL;
}

/* Rewrite random pages with their next generation, seqlock style. */
static void *writer_fn(void *arg)
{
	FIXTURE_DATA(anon_migrate) *self = arg;
	unsigned long pg, w, written = 0;
	unsigned int s, rnd = 2;
	uint64_t *p;

	while (!__atomic_load_n(&self->stop, __ATOMIC_RELAXED)) {
		pg = rand_r(&rnd) % self->npages;
		p = (uint64_t *)(self->buf + pg * PAGE_SZ);
		s = self->seq[pg];	/* only this thread writes it now */
		__atomic_store_n(&self->seq[pg], s + 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		for (w = 0; w < WORDS; w++)
			__atomic_store_n(&p[w], pattern(pg, s / 2 + 1, w),
					 __ATOMIC_RELAXED);
		__atomic_store_n(&self->seq[pg], s + 2, __ATOMIC_RELEASE);
		__atomic_store_n(&self->written, ++written, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * Move 0 -> 1 -> 0 ... and check all nodes after every move.  Without
 * @concurrent, all data is verified and rewritten with a new generation after
 * every move.  With it, the reader and writer threads run meanwhile, and the
 * data is verified at the end.
 */
static void round_trips(struct __test_metadata *_metadata,
			FIXTURE_DATA(anon_migrate) *self, bool concurrent)
{
	unsigned long m, moves = 2 * (concurrent ? self->rounds : PLAIN_ROUNDS);

	if (concurrent) {
		ASSERT_EQ(0, pthread_create(&self->reader, NULL, reader_fn,
					    self));
		self->reader_on = true;
		ASSERT_EQ(0, pthread_create(&self->writer, NULL, writer_fn,
					    self));
		self->writer_on = true;
		while (!__atomic_load_n(&self->written, __ATOMIC_RELAXED))
			sched_yield();	/* let the threads get going */
	}
	for (m = 0; m < moves; m++) {
		if (__atomic_load_n(&self->failed, __ATOMIC_ACQUIRE))
			break;
		move_region(_metadata, self, m % 2 ? 0 : 1);
		if (concurrent)
			continue;
		ASSERT_EQ(0UL, verify_all(_metadata, self))
			TH_LOG("data corrupted by move %lu", m + 1);
		if (m + 1 < moves)	/* next move carries fresh data */
			fill_all(self, m + 1);
	}
	stop_threads(self);

	ASSERT_EQ(0, self->failed)
		TH_LOG("reader: %s, seen after %lu moves", self->fail, m);
	if (concurrent) {
		TH_LOG("reader checked %lu pages (%lu raced), writer wrote %lu",
		       self->checked, self->skipped, self->written);
		ASSERT_LT(0UL, self->checked) TH_LOG("reader judged nothing");
	}
	ASSERT_EQ(0UL, wrong_node_pages(_metadata, self, 0));
	ASSERT_EQ(0UL, verify_all(_metadata, self))
		TH_LOG("final verification failed");
	if (self->nmove != self->npages)
		TH_LOG("AnonHugePages after migration: %ld of %zu kB",
		       anon_huge_kb(self->buf, self->size), self->size / 1024);
}

/*
 * The counters since setup must match the copy mode.  @min_folios is how
 * many folios the moves handed to the batch copy step at least.
 */
static void check_copy(struct __test_metadata *_metadata,
		       FIXTURE_DATA(anon_migrate) *self,
		       const FIXTURE_VARIANT(anon_migrate) *variant,
		       long long min_folios)
{
	long long vm[NR_VM], tm[NR_TM] = { 0 }, fb;
	enum copy_mode copy = variant->copy;
	int i;

	if (!self->batch_set)
		return;		/* stock kernel */
	ASSERT_STREQ("", read_keys("/proc/vmstat", vm_keys, NR_VM, vm));
	for (i = 0; i < NR_VM; i++)
		vm[i] -= self->vm0[i];
	if (self->migrator_on)
		ASSERT_STREQ("", read_keys(TM_STATS, tm_keys, NR_TM, tm));
	fb = fallback_batches() - self->fallback0;
	TH_LOG("batch steps %lld (%lld folios); migrator batches %lld: copied %lld, fell back %lld in %lld batches; it saw %lld batches, %lld folios, %lld failed, %lld declined",
	       vm[VM_BATCH], vm[VM_BATCH_FOLIOS], vm[VM_OFF_BATCH],
	       vm[VM_OFF_COPIED], vm[VM_OFF_FALLBACK], fb, tm[TM_BATCHES],
	       tm[TM_FOLIOS], tm[TM_FAILED], tm[TM_DECLINED]);
	/* A batch falls back when at least one of its folios does. */
	ASSERT_LE(fb, vm[VM_OFF_BATCH]);
	ASSERT_LE(fb, vm[VM_OFF_FALLBACK]);
	ASSERT_EQ(fb == 0, vm[VM_OFF_FALLBACK] == 0);

	if (copy == COPY_STOCK) {
		ASSERT_EQ(0, vm[VM_BATCH]) TH_LOG("batch step while off");
		ASSERT_EQ(0, vm[VM_OFF_BATCH]);
		return;
	}
	if (copy == COPY_MTCOPY || copy == COPY_DCBM) {
		const char *dir = copy == COPY_MTCOPY ? MT_PARAM : DCBM_PARAM;
		long long done = file_number_at(dir, "folios_migrated");
		long long failed = file_number_at(dir, "folios_failures");
		bool faults = copy == COPY_DCBM && swdma_fails(variant->swdma);
		bool late = copy == COPY_DCBM && variant->swdma == SWDMA_LATE;

		TH_LOG("%s, %u %s: folios_migrated %lld, folios_failures %lld",
		       copy == COPY_MTCOPY ? "mtcopy" : "dcbm", variant->workers,
		       copy == COPY_MTCOPY ? "threads" : "channels", done,
		       failed);
		/* Its record and the kernel's: offered = migrated + failures */
		ASSERT_LE(0, done);
		ASSERT_LE(0, failed);
		ASSERT_EQ(done, vm[VM_OFF_COPIED]);
		ASSERT_EQ(done + failed, vm[VM_OFF_COPIED] + vm[VM_OFF_FALLBACK]);
		ASSERT_LE(min_folios, done + failed);
		/*
		 * dcbm uses each descriptor once: every one must carry
		 * DMA_CTRL_ACK, or providers that recycle only acked
		 * descriptors (mv_xor, fsldma, shdma, ...) run dry.
		 */
		if (copy == COPY_DCBM)
			ASSERT_EQ(self->unacked0,
				  file_number(SWDMA_DBG "unacked_descs"))
				TH_LOG("dcbm's descriptors completed without DMA_CTRL_ACK");
		if (faults) {
			/*
			 * Each descriptor fails with probability p, so a
			 * move of few descriptors may see none fail: insist
			 * only where missing them all is under 1 in 10^4.
			 * Fewest descriptors: one per folio without SG, one
			 * per batch with it (a share per channel, at least).
			 */
			double p = variant->swdma == SWDMA_FAIL_1PCT ? 0.01 : 0.25;
			long long chances = strcmp(variant->use_sg, "off") ?
					    vm[VM_OFF_BATCH] : done + failed;

			if (pow(1 - p, chances) < 1e-4) {
				ASSERT_LT(0, failed)
					TH_LOG("no injected failure hit in %lld descriptors or more",
					       chances);
			} else if (!failed) {
				TH_LOG("no injected failure hit, which %lld descriptors or more make likely enough",
				       chances);
			}
			ASSERT_LT(0, done) TH_LOG("nothing copied by DMA");
		} else if (late) {
			ASSERT_LT(0, failed);
			ASSERT_EQ(0, done) TH_LOG("late copies marked as done");
		} else {
			ASSERT_EQ(0, failed);
		}
		return;
	}
	/*
	 * With the default setting, the step runs only for batches that a
	 * registered migrator serves: none here.
	 */
	if (copy == COPY_IDLE || copy == COPY_MIGRATOR_NOSYSCALL) {
		ASSERT_EQ(0, vm[VM_BATCH]) TH_LOG("batch step with no migrator for it");
		ASSERT_EQ(0, vm[VM_OFF_BATCH]);
		ASSERT_EQ(0, tm[TM_BATCHES]);
		return;
	}
	if (copy == COPY_BATCH || copy == COPY_MIGRATOR_OTHER) {
		ASSERT_LE(min_folios, vm[VM_BATCH_FOLIOS]);
		/* Nothing else in the VM migrates for the reasons it serves. */
		ASSERT_EQ(0, vm[VM_OFF_BATCH]);
		ASSERT_EQ(0, tm[TM_BATCHES]);
		return;
	}

	/* The kernel's and the migrator's accounts of the same batches */
	ASSERT_EQ(0, tm[TM_BAD]) TH_LOG("batches broke the contract");
	ASSERT_EQ(tm[TM_BATCHES], vm[VM_OFF_BATCH]);
	ASSERT_EQ(tm[TM_FOLIOS], vm[VM_OFF_COPIED] + vm[VM_OFF_FALLBACK]);
	ASSERT_EQ(tm[TM_COPIED], vm[VM_OFF_COPIED]);
	ASSERT_LE(tm[TM_FOLIOS], vm[VM_BATCH_FOLIOS]);
	ASSERT_LE(min_folios, tm[TM_FOLIOS]);
	ASSERT_EQ(0, tm[TM_BYTES] % (long long)PAGE_SZ);
	switch (copy) {
	case COPY_MIGRATOR:
		ASSERT_EQ(0, tm[TM_FAILED] + tm[TM_DECLINED]);
		ASSERT_EQ(0, vm[VM_OFF_FALLBACK]);
		break;
	case COPY_MIGRATOR_FAIL:
		ASSERT_LT(0, tm[TM_FAILED]) TH_LOG("no failure injected");
		ASSERT_LT(0, vm[VM_OFF_FALLBACK]) TH_LOG("nothing fell back");
		ASSERT_LT(0, vm[VM_OFF_COPIED]) TH_LOG("nothing offloaded");
		break;
	case COPY_MIGRATOR_DECLINE:
		ASSERT_EQ(tm[TM_BATCHES], tm[TM_DECLINED]);
		ASSERT_EQ(0, vm[VM_OFF_COPIED]);
		break;
	default:
		break;
	}
}

TEST_F_TIMEOUT(anon_migrate, round_trip, 300)
{
	round_trips(_metadata, self, false);
	check_copy(_metadata, self, variant, 2 * PLAIN_ROUNDS * self->nmove);
}

TEST_F_TIMEOUT(anon_migrate, concurrent_rw, 1500)
{
	round_trips(_metadata, self, true);
	check_copy(_metadata, self, variant, 1);
}

/*
 * One round trip with the tracepoint on: every batch event must say who
 * copied and what came of it, as the copy mode implies.
 */
TEST_F_TIMEOUT(anon_migrate, trace_batches, 300)
{
	unsigned long cpu = 0, tm = 0, tm_failed = 0, tm_declined = 0;
	unsigned long syscall = 0, cpu_max = 0, tm_max = 0, want;
	struct batch_event e;
	char line[512];
	FILE *f;
	int rc;

	if (!self->batch_set)
		SKIP(return, "kernel without CONFIG_MIGRATION_COPY_OFFLOAD");
	rc = batch_trace_start();
	ASSERT_EQ(0, rc) TH_LOG("tracing: %s", strerror(-rc));
	move_region(_metadata, self, 1);
	move_region(_metadata, self, 0);
	ASSERT_EQ(0, batch_trace_stop());
	ASSERT_EQ(0UL, verify_all(_metadata, self));

	f = batch_trace_open();
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || !strstr(line, "mm_migrate_copy_batch:"))
			continue;
		ASSERT_TRUE(batch_event_parse(line, &e)) TH_LOG("bad event: %s", line);
		ASSERT_LE(e.nr_copied, e.nr_folios) TH_LOG("%s", line);
		ASSERT_LE(e.nr_folios * PAGE_SZ, e.bytes) TH_LOG("%s", line);
		ASSERT_GE(e.nr_folios * SZ_2M, e.bytes) TH_LOG("%s", line);
		syscall += !strcmp(e.reason, "syscall_or_cpuset");
		if (!strcmp(e.copier, "cpu")) {
			cpu++;
			cpu_max = e.bytes > cpu_max ? e.bytes : cpu_max;
			ASSERT_EQ(0, e.result) TH_LOG("%s", line);
			ASSERT_EQ(e.nr_folios, e.nr_copied) TH_LOG("%s", line);
			continue;
		}
		ASSERT_STREQ(variant->copy == COPY_MTCOPY ? "mtcopy" :
			     variant->copy == COPY_DCBM ? "dcbm" :
			     "test_migrator", e.copier) TH_LOG("%s", line);
		tm++;
		tm_max = e.bytes > tm_max ? e.bytes : tm_max;
		tm_failed += e.result && e.result != -EOPNOTSUPP;
		tm_declined += e.result == -EOPNOTSUPP;
		switch (variant->copy) {
		case COPY_DCBM:
			if (variant->swdma >= SWDMA_FAIL_1PCT && e.result) {
				ASSERT_EQ(-EIO, e.result) TH_LOG("%s", line);
				ASSERT_GT(e.nr_folios, e.nr_copied)
					TH_LOG("%s", line);
				break;
			}
			/* fall through */
		case COPY_MIGRATOR:
		case COPY_MTCOPY:
			ASSERT_EQ(0, e.result) TH_LOG("%s", line);
			ASSERT_EQ(e.nr_folios, e.nr_copied) TH_LOG("%s", line);
			break;
		case COPY_MIGRATOR_FAIL:
			if (e.result)
				ASSERT_EQ(e.nr_folios / 2, e.nr_copied)
					TH_LOG("%s", line);
			break;
		case COPY_MIGRATOR_DECLINE:
			ASSERT_EQ(-EOPNOTSUPP, e.result) TH_LOG("%s", line);
			ASSERT_EQ(0U, e.nr_copied) TH_LOG("%s", line);
			break;
		case COPY_MIGRATOR_NOSYSCALL:
		case COPY_MIGRATOR_OTHER:
			ASSERT_NE(NULL, strstr(NO_SYSCALL, e.reason))
				TH_LOG("served a reason not in its mask: %s",
				       line);
			break;
		default:
			ASSERT_TRUE(false) TH_LOG("migrator not enabled: %s",
						  line);
		}
	}
	fclose(f);
	TH_LOG("%lu cpu and %lu migrator batch events (%lu failed, %lu declined), %lu for move_pages; largest %lu and %lu bytes",
	       cpu, tm, tm_failed, tm_declined, syscall, cpu_max, tm_max);

	/*
	 * The batch sizes: move_pages() hands the whole region over in one
	 * list, which migrate_pages() cuts into batches of its own 2 MiB, or
	 * of the migrator's batch_bytes where it serves the batch.
	 */
	want = variant->batch_kb && tm ? variant->batch_kb * 1024 : SZ_2M;
	if (self->size >= want) {
		if (tm)
			ASSERT_EQ(want, tm_max)
				TH_LOG("the migrator's batches do not have the size it asked for");
		if (cpu)
			ASSERT_EQ(SZ_2M, cpu_max)
				TH_LOG("a batch the migrator does not serve changed size");
	}

	switch (variant->copy) {
	case COPY_STOCK:
	case COPY_IDLE:
	case COPY_MIGRATOR_NOSYSCALL:
		ASSERT_EQ(0UL, cpu + tm);
		break;
	case COPY_BATCH:
	case COPY_MIGRATOR_OTHER:
		ASSERT_LT(0UL, cpu);
		break;
	default:
		ASSERT_LT(0UL, tm);
		if (variant->copy != COPY_DCBM)
			ASSERT_EQ(variant->copy == COPY_MIGRATOR_FAIL,
				  tm_failed > 0);
		ASSERT_EQ(variant->copy == COPY_MIGRATOR_DECLINE ? tm : 0,
			  tm_declined);
		break;
	}
	check_copy(_metadata, self, variant, 2 * self->nmove);
}

TEST(two_nodes_with_memory)
{
	char online[64];
	long total;
	int n;

	ASSERT_TRUE(read_line(NODE_SYSFS "/online", online, sizeof(online)))
		TH_LOG("cannot read " NODE_SYSFS "/online");
	if (!strpbrk(online, ",-"))
		SKIP(return, "only NUMA node %s online", online);
	for (n = 0; n < 2; n++) {
		total = node_meminfo(n, "MemTotal");
		ASSERT_LT(0, total)
			TH_LOG("node%d missing or without memory (online %s)",
			       n, online);
		TH_LOG("node%d: MemTotal %ld kB, MemFree %ld kB", n, total,
		       node_meminfo(n, "MemFree"));
	}
}

/* Out of range or memoryless target node: the call fails with ENODEV. */
TEST(move_pages_bad_node)
{
	int bad[3] = { 0, -1, INT_MAX };
	int i, before, after, status;
	unsigned char *page;
	void *addr;

	while (node_meminfo(bad[0], "MemTotal") > 0)
		bad[0]++;	/* first node id without memory */

	page = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	memset(page, 0xa5, PAGE_SZ);
	addr = page;
	ASSERT_EQ(0, sys_move_pages(1, &addr, NULL, &before, 0));
	ASSERT_LE(0, before) TH_LOG("query status %d", before);

	for (i = 0; i < 3; i++) {
		errno = 0;
		ASSERT_EQ(-1, sys_move_pages(1, &addr, &bad[i], &status,
					     MPOL_MF_MOVE))
			TH_LOG("move to node %d did not fail", bad[i]);
		ASSERT_EQ(ENODEV, errno)
			TH_LOG("move to node %d: %s", bad[i], strerror(errno));
		ASSERT_EQ(0, sys_move_pages(1, &addr, NULL, &after, 0));
		ASSERT_EQ(before, after) TH_LOG("page moved anyway");
	}
	for (i = 0; i < (int)PAGE_SZ; i++) {
		ASSERT_EQ(0xa5, page[i]) TH_LOG("byte %d changed", i);
	}
	ASSERT_EQ(0, munmap(page, PAGE_SZ));
}

TEST(move_pages_zero_count)
{
	int nodes[1] = { 0 }, status[1] = { INT_MIN };
	void *pages[1] = { NULL };

	ASSERT_EQ(0, sys_move_pages(0, pages, nodes, status, MPOL_MF_MOVE))
		TH_LOG("move: %s", strerror(errno));
	ASSERT_EQ(0, sys_move_pages(0, pages, NULL, status, 0))
		TH_LOG("query: %s", strerror(errno));
	ASSERT_EQ(INT_MIN, status[0]) TH_LOG("status written");
}

TEST_HARNESS_MAIN
