// SPDX-License-Identifier: GPL-2.0
/*
 * mtcopy - a migrator that copies migration batches with several CPUs.
 *
 * A batch is one byte stream (its folios back to back), cut at page
 * boundaries into nr_threads shares of (nearly) equal size, so that even a
 * batch of one 2M folio keeps every thread busy, but into no more shares
 * than it has min_share_bytes: a share handed to a worker costs a wake-up
 * that a small one does not earn back.  batch_bytes asks migrate_pages()
 * for larger batches of the reasons mtcopy serves.  The migrating thread
 * copies the first share itself, instead of sleeping while others work,
 * and nr_threads - 1 workers copy the rest on an unbound workqueue, on
 * CPUs of the destination node when it has any; the migrating thread then
 * waits for them.  With nr_threads=1 nothing is handed off at all: waking
 * a worker and being woken again costs more than it could save.  Pages
 * are copied with copy_mc_highpage(): a folio is marked copied when every
 * page of it was copied, and poisoned (its migration fails with
 * -EHWPOISON, the source not read again) when a source page raised a
 * machine check.
 *
 * Parameters (/sys/module/mtcopy/parameters/): offloading, reason_mask,
 * nr_threads, min_batch_bytes, batch_bytes, min_share_bytes, and the
 * counters folios_migrated and
 * folios_failures ("0" resets them).  See
 * Documentation/mm/migrate-copy-offload.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/highmem.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/migrate_copy_offload.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#define MTCOPY_MAX_THREADS	32

static struct workqueue_struct *mtcopy_wq;	/* while offloading */
static unsigned int nr_threads;			/* 0: default, set at init */
/*
 * Handing a share to a worker costs a queue_work() and a wake-up, a few
 * microseconds on hardware (0.3 ms for a whole batch under TCG): what one
 * thread copies in that time.  Below 256 KiB a batch would be cut into
 * shares no bigger than that, so the migrating thread copies it alone.
 */
static unsigned long min_batch_bytes = SZ_256K;
static unsigned long min_share_bytes = SZ_256K;
static atomic_long_t folios_migrated = ATOMIC_LONG_INIT(0);
static atomic_long_t folios_failures = ATOMIC_LONG_INIT(0);

struct mtcopy_batch {
	struct migrate_offload_batch mb;
	atomic_t pending;
	struct completion done;
};

struct mtcopy_work {
	struct work_struct work;
	struct mtcopy_batch *b;
	unsigned long start, end;	/* batch pages [start, end) */
};

static void mtcopy_worker(struct work_struct *work)
{
	struct mtcopy_work *w = container_of(work, struct mtcopy_work, work);
	struct migrate_offload_batch *mb = &w->b->mb;
	unsigned int f = migrate_offload_batch_folio(mb, w->start);
	unsigned long pg, idx;

	for (pg = w->start; pg < w->end; pg++) {
		while (pg >= mb->first[f + 1])
			f++;
		/* A folio whose source raised a machine check is not read on. */
		if (test_bit(f, mb->poisoned)) {
			pg = min(mb->first[f + 1], w->end) - 1;
			continue;
		}
		idx = pg - mb->first[f];
		if (copy_mc_highpage(folio_page(mb->dst[f], idx),
				     folio_page(mb->src[f], idx)))
			migrate_offload_batch_poison(mb, pg);
		cond_resched();
	}
	if (atomic_dec_and_test(&w->b->pending))
		complete(&w->b->done);
}

static int mtcopy_offload_copy(struct list_head *dst_list,
			       struct list_head *src_list, unsigned int nr)
{
	unsigned int i, n, copied, threads = READ_ONCE(nr_threads) ?: 1;
	struct mtcopy_work *works;
	struct mtcopy_batch b;
	unsigned long pages;
	int nid;

	works = migrate_offload_batch_init(&b.mb, dst_list, src_list, nr,
					   threads * sizeof(*works));
	if (!works) {
		atomic_long_add(nr, &folios_failures);
		return -ENOMEM;
	}
	pages = migrate_offload_batch_pages(&b.mb);
	if (pages * PAGE_SIZE < READ_ONCE(min_batch_bytes)) {
		migrate_offload_batch_fail_range(&b.mb, 0, pages);
		migrate_offload_batch_finish(&b.mb);
		atomic_long_add(nr, &folios_failures);
		return -EOPNOTSUPP;
	}

	n = migrate_offload_nr_shares(pages * PAGE_SIZE,
				      READ_ONCE(min_share_bytes), threads);
	atomic_set(&b.pending, n);
	init_completion(&b.done);
	nid = folio_nid(b.mb.dst[0]);
	for (i = 0; i < n; i++) {
		works[i].b = &b;
		works[i].start = pages * i / n;
		works[i].end = pages * (i + 1) / n;
		INIT_WORK(&works[i].work, mtcopy_worker);
		if (i)
			queue_work_node(nid, mtcopy_wq, &works[i].work);
	}
	/* The first share is ours: the workers start on theirs meanwhile. */
	mtcopy_worker(&works[0].work);
	wait_for_completion(&b.done);

	copied = migrate_offload_batch_finish(&b.mb);
	atomic_long_add(copied, &folios_migrated);
	atomic_long_add(nr - copied, &folios_failures);
	return copied == nr ? 0 : -EHWPOISON;
}

static struct migrator mtcopy_migrator = {
	.name = "mtcopy",
	.offload_copy = mtcopy_offload_copy,
	.owner = THIS_MODULE,
};

/* The workers exist only while the migrator is registered. */
static int mtcopy_enable(struct migrate_offload_ctl *ctl)
{
	mtcopy_wq = alloc_workqueue("mtcopy", WQ_UNBOUND | WQ_MEM_RECLAIM,
				    MTCOPY_MAX_THREADS);
	return mtcopy_wq ? 0 : -ENOMEM;
}

static void mtcopy_disable(struct migrate_offload_ctl *ctl)
{
	destroy_workqueue(mtcopy_wq);
	mtcopy_wq = NULL;
}

static DEFINE_MIGRATE_OFFLOAD_CTL(mtcopy_ctl, &mtcopy_migrator,
				  MIGRATE_OFFLOAD_ALL_REASONS, mtcopy_enable,
				  mtcopy_disable);

module_param_cb(offloading, &migrate_offload_enabled_ops, &mtcopy_ctl, 0644);
MODULE_PARM_DESC(offloading, "Copy migration batches with several CPUs (0/1)");
module_param_cb(reason_mask, &migrate_offload_reasons_ops, &mtcopy_ctl, 0644);
MODULE_PARM_DESC(reason_mask,
		 "Migration reasons to serve: names, all, none or 0x mask (default all)");

static unsigned int max_threads(void)
{
	return min_t(unsigned int, num_online_cpus(), MTCOPY_MAX_THREADS);
}

/*
 * At load time (or on the kernel command line, when few CPUs may be up
 * yet) any count up to MTCOPY_MAX_THREADS is taken; mtcopy_init() checks
 * it against the CPUs online then.
 */
static int nr_threads_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n, max = READ_ONCE(mtcopy_ctl.live) ? max_threads() :
			      MTCOPY_MAX_THREADS;

	if (kstrtouint(val, 10, &n) || !n || n > max)
		return -EINVAL;
	WRITE_ONCE(nr_threads, n);
	return 0;
}

static const struct kernel_param_ops nr_threads_ops = {
	.set = nr_threads_set,
	.get = param_get_uint,
};
module_param_cb(nr_threads, &nr_threads_ops, &nr_threads, 0644);
MODULE_PARM_DESC(nr_threads,
		 "Workers per batch: 1 .. online CPUs, at most 32 (default: up to 4)");

module_param_cb(min_batch_bytes, &migrate_offload_ulong_ops, &min_batch_bytes,
		0644);
MODULE_PARM_DESC(min_batch_bytes,
		 "Leave batches smaller than this to the CPU copy (default 262144)");

module_param_cb(batch_bytes, &migrate_offload_batch_bytes_ops,
		&mtcopy_migrator.batch_bytes, 0644);
MODULE_PARM_DESC(batch_bytes,
		 "Batch size to ask migrate_pages() for: 0 (its own, 2 MiB with 4K pages) or 2 MiB .. 16 MiB with 4K pages (default 0)");
module_param_cb(min_share_bytes, &migrate_offload_share_bytes_ops,
		&min_share_bytes, 0644);
MODULE_PARM_DESC(min_share_bytes,
		 "Cut a batch into shares, one per thread, no smaller than this (default 262144)");

module_param_cb(folios_migrated, &migrate_offload_counter_ops,
		&folios_migrated, 0644);
MODULE_PARM_DESC(folios_migrated, "Folios copied by the workers (0 resets)");
module_param_cb(folios_failures, &migrate_offload_counter_ops,
		&folios_failures, 0644);
MODULE_PARM_DESC(folios_failures,
		 "Folios declined or not copied, left to the CPU (0 resets)");

/* Late, so that mtcopy.offloading=1 works when built in. */
static int __init mtcopy_init(void)
{
	if (!nr_threads) {	/* not given at load time */
		nr_threads = min(4U, max_threads());
	} else if (nr_threads > max_threads()) {
		pr_err("nr_threads=%u: only %u CPUs online\n", nr_threads,
		       num_online_cpus());
		return -EINVAL;
	}
	return migrate_offload_ctl_start(&mtcopy_ctl);
}
late_initcall(mtcopy_init);

static void __exit mtcopy_exit(void)
{
	migrate_offload_ctl_stop(&mtcopy_ctl);
}
module_exit(mtcopy_exit);

MODULE_DESCRIPTION("Multi-threaded CPU copy migrator for page migration");
MODULE_LICENSE("GPL");
