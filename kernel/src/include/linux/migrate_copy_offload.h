/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copy offload for page migration: a registered migrator copies the
 * contents of a batch of unmapped folios for migrate_pages().
 *
 * See Documentation/mm/migrate-copy-offload.rst.
 */
#ifndef _LINUX_MIGRATE_COPY_OFFLOAD_H
#define _LINUX_MIGRATE_COPY_OFFLOAD_H

#include <linux/bits.h>
#include <linux/huge_mm.h>
#include <linux/math.h>
#include <linux/migrate_mode.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct folio;
struct list_head;
struct module;

/*
 * Every migration reason a migrator may serve: MR_COMPACTION ...
 * MR_TYPES - 1, but for MR_MEMORY_FAILURE.  Soft offline migrates pages
 * that reported memory errors, one folio at a time; only the CPU's
 * machine-check safe copy (folio_mc_copy()) reads them, so that a read
 * error fails that one migration instead of taking the machine down, and
 * there is no batch to gain from.  A mask with that reason is refused.
 */
#define MIGRATE_OFFLOAD_ALL_REASONS					\
	((BIT(MR_TYPES) - 1) & ~BIT(MR_MEMORY_FAILURE))

/*
 * The reasons of memory tiering: demotion by reclaim, promotion by NUMA
 * balancing's hinting faults (MR_NUMA_MISPLACED) and DAMOS migrate_hot
 * and migrate_cold.  The default of a migrator on a shared engine, which
 * move_pages(2) callers and best-effort compaction should not keep busy.
 */
#define MIGRATE_OFFLOAD_TIERING_REASONS					\
	(BIT(MR_DEMOTION) | BIT(MR_NUMA_MISPLACED) | BIT(MR_DAMON))

/*
 * The pages of migrate_pages()'s own batches (NR_MAX_BATCHED_MIGRATION),
 * so the most folios they hold, for a migrator that sizes its per-batch
 * state ahead; migrate_offload_batch_folios() gives the count for the
 * larger batches a migrator may ask for.  The one retry of the folios
 * split while a batch was unmapped can hold more; a migrator may leave
 * such a batch to the CPU.
 */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
#define MIGRATE_OFFLOAD_BATCH_MAX	HPAGE_PMD_NR
#else
#define MIGRATE_OFFLOAD_BATCH_MAX	512
#endif

/*
 * The largest batch a migrator may ask for (struct migrator.batch_bytes):
 * 16 MiB, eight of migrate_pages()'s own with 4K pages; where those are
 * larger already (64K pages), no larger.  Every folio of a batch stays
 * unmapped until the whole batch is copied, so this bounds how long a
 * task touching one of them can wait for the copy; see
 * Documentation/mm/migrate-copy-offload.rst for the measurements.
 */
#define MIGRATE_OFFLOAD_BATCH_BYTES_DEFAULT					\
	((unsigned long)MIGRATE_OFFLOAD_BATCH_MAX << PAGE_SHIFT)
#define MIGRATE_OFFLOAD_BATCH_BYTES_MAX						\
	max_t(unsigned long, SZ_16M, MIGRATE_OFFLOAD_BATCH_BYTES_DEFAULT)

/**
 * migrate_offload_batch_folios - the folios a batch of a given size holds
 * @batch_bytes: a migrator's batch_bytes (0: migrate_pages()'s own size)
 *
 * migrate_pages() closes a batch once it holds that many bytes, so it
 * holds no more folios than pages; the one retry of the folios split
 * while a batch was unmapped can hold more, and may be left to the CPU.
 *
 * Return: the most folios a batch for @batch_bytes holds.
 */
static inline unsigned int migrate_offload_batch_folios(unsigned long batch_bytes)
{
	if (batch_bytes <= MIGRATE_OFFLOAD_BATCH_BYTES_DEFAULT)
		return MIGRATE_OFFLOAD_BATCH_MAX;
	return min(batch_bytes, MIGRATE_OFFLOAD_BATCH_BYTES_MAX) >> PAGE_SHIFT;
}

/**
 * migrate_offload_nr_shares - how many shares to cut a batch into
 * @bytes: the bytes of the batch
 * @min_share: the smallest share worth a channel or thread of its own
 *	(non-zero)
 * @max_shares: the channels or threads at hand
 *
 * A share has a fixed cost (its own descriptors and completion, or a
 * worker's wake-up), so cutting a batch finer than @min_share makes it
 * slower, not faster.
 *
 * Return: @max_shares, or fewer so that no share is smaller than
 * @min_share; at least 1.
 */
static inline unsigned int migrate_offload_nr_shares(unsigned long bytes,
						     unsigned long min_share,
						     unsigned int max_shares)
{
	return clamp_t(unsigned long, bytes / max(min_share, 1UL), 1,
		       max(max_shares, 1U));
}

/* Longest reason mask text accepted by migrate_offload_reason_mask_parse() */
#define MIGRATE_OFFLOAD_MASK_MAX	255

/**
 * struct migrator - a copy engine for batches of migrating folios
 * @name: short name, shown in the mm_migrate_copy_batch tracepoint
 * @offload_copy: copy the content of each folio on @src_list to the folio
 *	at the same position on @dst_list; both lists are linked through
 *	folio->lru, hold @nr_folios folios each, pairwise of the same size,
 *	and must not be modified.  All folios are locked and unmapped; the
 *	callback may sleep.  It calls folio_mark_migrate_copied() on each
 *	destination it has completely copied; every destination it does not
 *	mark is copied by the CPU afterwards, so declining or failing part
 *	of a batch is always safe.  A copy that survives a machine check on
 *	a source (copy_mc_*()) calls folio_mark_migrate_poisoned() on its
 *	destination instead: that migration then fails with -EHWPOISON,
 *	the source read once, not twice.  Returns 0, -EOPNOTSUPP if it
 *	declined the batch (e.g. too small), -EHWPOISON if it marked a
 *	destination poisoned, or another negative errno on failure.  It must
 *	never mark a destination whose copy did not complete.
 * @owner: the module providing the callback, pinned while registered
 * @batch_bytes: how large the migrator wants the batches of the reasons
 *	it serves, in bytes: migrate_pages() then puts folios into a batch
 *	until it holds that many (at least its own %MIGRATE_OFFLOAD_BATCH_MAX
 *	pages, at most %MIGRATE_OFFLOAD_BATCH_BYTES_MAX); 0 leaves the size
 *	to migrate_pages().  Batches of other reasons keep their size, and
 *	folios that cannot take the batch copy step (see
 *	Documentation/mm/migrate-copy-offload.rst) are unmapped with the
 *	batch they are in, so a larger one keeps them unmapped longer.  Read
 *	once per batch (READ_ONCE()), so the migrator may change it while
 *	registered, and must then cope with batches of either size.
 */
struct migrator {
	const char *name;
	int (*offload_copy)(struct list_head *dst_list,
			    struct list_head *src_list,
			    unsigned int nr_folios);
	struct module *owner;
	unsigned long batch_bytes;
};

/**
 * struct migrate_offload_ctl - the two controls every migrator module offers
 * @migrator: what they register
 * @lock: serialises the controls and the hooks
 * @enabled: whether @migrator is registered through these controls
 * @live: migrate_offload_ctl_start() ran: the controls act
 * @requested: "offloading" given before that, applied by it
 * @reason_mask: the reasons it is (or will be) registered for
 * @enable: optional; called under @lock before registering, e.g. to acquire
 *	DMA channels; an error aborts the registration and is returned
 * @disable: optional; called under @lock after unregistering, and after a
 *	failed registration that @enable prepared for
 *
 * Declare it with DEFINE_MIGRATE_OFFLOAD_CTL(), giving the default reason
 * mask, and expose it as module parameters:
 *
 *	module_param_cb(offloading, &migrate_offload_enabled_ops, &ctl, 0644);
 *	module_param_cb(reason_mask, &migrate_offload_reasons_ops, &ctl, 0644);
 *
 * "offloading" takes 0 or 1 and registers or unregisters the migrator;
 * "reason_mask" takes what migrate_offload_reason_mask_parse() accepts and
 * applies at once when registered.  A rejected value changes nothing.
 * Registration pins the module, so it cannot be unloaded while enabled.
 *
 * The module's init function ends with migrate_offload_ctl_start(), which
 * applies an "offloading=1" given at load time or on the kernel command
 * line, and is a late_initcall(); its exit function calls
 * migrate_offload_ctl_stop().
 */
struct migrate_offload_ctl {
	struct migrator *migrator;
	struct mutex lock;	/* the controls and the hooks */
	bool enabled;
	bool live;
	bool requested;
	unsigned long reason_mask;
	int (*enable)(struct migrate_offload_ctl *ctl);
	void (*disable)(struct migrate_offload_ctl *ctl);
};

#define DEFINE_MIGRATE_OFFLOAD_CTL(_name, _migrator, _reasons, _enable,	\
				   _disable)				\
	struct migrate_offload_ctl _name = {				\
		.migrator = (_migrator),				\
		.lock = __MUTEX_INITIALIZER(_name.lock),		\
		.reason_mask = (_reasons),				\
		.enable = (_enable),					\
		.disable = (_disable),					\
	}

#ifdef CONFIG_MIGRATION_COPY_OFFLOAD
extern const struct kernel_param_ops migrate_offload_enabled_ops;
extern const struct kernel_param_ops migrate_offload_reasons_ops;
/* An atomic_long_t counter parameter: shows the count, "0" resets it. */
extern const struct kernel_param_ops migrate_offload_counter_ops;
/* An unsigned long parameter that takes only plain decimal numbers. */
extern const struct kernel_param_ops migrate_offload_ulong_ops;
/*
 * An unsigned long parameter holding a batch size (struct migrator's
 * batch_bytes): 0, or a multiple of PAGE_SIZE from
 * %MIGRATE_OFFLOAD_BATCH_BYTES_DEFAULT to %MIGRATE_OFFLOAD_BATCH_BYTES_MAX.
 */
extern const struct kernel_param_ops migrate_offload_batch_bytes_ops;
/*
 * An unsigned long parameter holding a share size: a multiple of PAGE_SIZE
 * from PAGE_SIZE to %MIGRATE_OFFLOAD_BATCH_BYTES_MAX.
 */
extern const struct kernel_param_ops migrate_offload_share_bytes_ops;

int migrate_offload_parse_batch_bytes(const char *val, unsigned long *bytes);

int migrate_offload_ctl_start(struct migrate_offload_ctl *ctl);
void migrate_offload_ctl_stop(struct migrate_offload_ctl *ctl);

/**
 * struct migrate_offload_batch - a batch as arrays, for migrators that split it
 * @src: source folios, in list order
 * @dst: destination folios, in list order
 * @first: @nr + 1 entries: the batch page index at which each folio starts,
 *	the batch being its folios' pages back to back; @first[@nr] is the
 *	number of pages
 * @failed: bitmap of folios some part of which was not copied
 * @poisoned: bitmap of folios whose source raised a machine check
 * @nr: folios
 */
struct migrate_offload_batch {
	struct folio **src, **dst;
	unsigned long *first;
	unsigned long *failed;
	unsigned long *poisoned;
	unsigned int nr;
};

size_t migrate_offload_batch_size(unsigned int nr);
void migrate_offload_batch_layout(struct migrate_offload_batch *b,
				  struct list_head *dst_list,
				  struct list_head *src_list, unsigned int nr,
				  void *mem);
void *migrate_offload_batch_init(struct migrate_offload_batch *b,
				 struct list_head *dst_list,
				 struct list_head *src_list, unsigned int nr,
				 size_t extra);
unsigned int migrate_offload_batch_folio(const struct migrate_offload_batch *b,
					 unsigned long pg);
void migrate_offload_batch_fail_range(struct migrate_offload_batch *b,
				      unsigned long start, unsigned long end);
void migrate_offload_batch_poison(struct migrate_offload_batch *b,
				  unsigned long pg);
unsigned int migrate_offload_batch_mark(struct migrate_offload_batch *b);
unsigned int migrate_offload_batch_finish(struct migrate_offload_batch *b);

/**
 * migrate_offload_batch_pages - the number of pages in a batch
 * @b: the batch, from migrate_offload_batch_init()
 *
 * Return: the pages of all its folios, so one past the last batch page
 * index.
 */
static inline unsigned long
migrate_offload_batch_pages(const struct migrate_offload_batch *b)
{
	return b->first[b->nr];
}

int migrate_offload_register(struct migrator *m, unsigned long reason_mask);
int migrate_offload_unregister(struct migrator *m);
int migrate_offload_set_reason_mask(struct migrator *m,
				    unsigned long reason_mask);
int migrate_offload_reason_mask_parse(const char *buf, unsigned long *mask);
int migrate_offload_reason_mask_format(char *buf, size_t size,
				       unsigned long mask);
void folio_mark_migrate_copied(struct folio *dst);
void folio_mark_migrate_poisoned(struct folio *dst);
#endif

#endif /* _LINUX_MIGRATE_COPY_OFFLOAD_H */
