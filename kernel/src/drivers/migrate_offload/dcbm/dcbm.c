// SPDX-License-Identifier: GPL-2.0
/*
 * dcbm - DMA batch copy migrator: copies the folios of a migration batch
 * with dmaengine memcpy channels.
 *
 * While offloading is on, dcbm holds up to nr_dma_chan DMA_MEMCPY channels
 * (DMA_PRIVATE providers and public ones alike), requested once, each with
 * the memory one batch needs on it.  A batch takes the channels no other
 * batch is using, at most one per min_share_bytes, so concurrent migrations (NUMA
 * hinting faults, kswapd, kcompactd, move_pages) run on disjoint channels
 * and an error stops only the channels of its own batch; a batch that
 * finds every channel busy is left to the CPU, which copies it at once,
 * rather than waiting.  The batch is one byte stream cut into equal
 * shares at page boundaries, one per channel, so a large batch keeps
 * every channel it took busy.  Each share is mapped against its channel's
 * device and copied either as one DMA_MEMCPY_SG transaction (one callback;
 * mapped lists of different lengths are what memcpy_sg is for) or as one
 * DMA_MEMCPY descriptor per chunk of the two mapped lists, each with its
 * own callback, complete only when every descriptor completed without
 * error, which is right on engines that retire descriptors out of order.
 *
 * A batch is cut into no more shares than it has min_share_bytes, so a
 * small batch stays on one channel, where cutting it would only add a
 * share's fixed cost.  batch_bytes asks migrate_pages() for larger batches
 * of the reasons dcbm serves, so that 2M THPs come several to a batch.
 *
 * A batch allocates nothing: migration runs in reclaim and compaction,
 * where a batch must not take memory from the reserves.  Its arrays and
 * scatterlists are those of its first channel, sized for the largest
 * batch of batch_bytes.
 *
 * No share is unmapped, and no folio of it given back to the CPU, while a
 * descriptor of it may still touch memory.  A failed prep, submit or
 * mapping, an error result or no completion within timeout_ms stops the
 * channel (terminate_sync), and the folios of that share stay unmarked:
 * the CPU copies them.  On a channel that cannot be stopped (no
 * device_terminate_all or device_synchronize, like idxd and ioat, or a
 * terminate that fails), dcbm waits for every descriptor it submitted, for
 * as long as that takes, and uses what they copied; timeout_ms then only
 * brings a warning.  Nothing is marked that was not copied.
 *
 * Parameters (/sys/module/dcbm/parameters/): offloading, reason_mask,
 * nr_dma_chan, use_sg (auto, on, off), min_batch_bytes, batch_bytes,
 * min_share_bytes, timeout_ms, and the counters folios_migrated,
 * folios_failures and overdue_shares ("0" resets them).  See
 * Documentation/mm/migrate-copy-offload.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/completion.h>
#include <linux/dma/sg-pair.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/jiffies.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/migrate_copy_offload.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#define DCBM_MAX_CHANS		16
#define DCBM_MAX_TIMEOUT_MS	600000

enum dcbm_use_sg { DCBM_SG_AUTO, DCBM_SG_ON, DCBM_SG_OFF };
static const char * const use_sg_names[] = { "auto", "on", "off" };

/*
 * The defaults and why (Documentation/mm/migrate-copy-offload.rst has the
 * figures): DMA pays a fixed cost per batch (mapping, prep, submit, an
 * interrupt and a wake-up) that a CPU copy of a few pages does not, and
 * loses to the CPU even on whole batches of 4K folios on one channel;
 * it wins from 2M on.  So batches below 2 MiB (a NUMA hinting fault's
 * single 4K page, a 64K mTHP) stay with the CPU.  dcbm serves every
 * reason a migrator may serve (soft offline is the CPU's alone).
 */

static unsigned int nr_dma_chan = 4;
static unsigned int use_sg = DCBM_SG_AUTO;
static unsigned long min_batch_bytes = SZ_2M;
static unsigned long min_share_bytes = SZ_2M;
static unsigned long timeout_ms = 1000;
static atomic_long_t folios_migrated = ATOMIC_LONG_INIT(0);
static atomic_long_t folios_failures = ATOMIC_LONG_INIT(0);
static atomic_long_t overdue_shares = ATOMIC_LONG_INIT(0);

/**
 * struct dcbm_mem - what a batch needs on a channel
 * @src_sgl: source list storage, @cap entries
 * @dst_sgl: destination list storage, as many
 * @batch: migrate_offload_batch_size(@cap) bytes, for a batch whose first
 *	channel this is
 * @cap: the most folios a batch on this channel may hold
 */
struct dcbm_mem {
	struct scatterlist *src_sgl, *dst_sgl;
	void *batch;
	unsigned int cap;
};

/**
 * struct dcbm_chan - a held channel, and one batch's share of the copy on it
 * @chan: the channel
 * @stoppable: its device has device_terminate_all and device_synchronize
 * @mem: the memory a batch uses on it
 * @src: the share's source list, in @mem.src_sgl
 * @dst: the share's destination list, in @mem.dst_sgl
 * @mapped: @src and @dst are mapped
 * @first_pg: first stream page of the share
 * @end_pg: one past its last
 * @pending: descriptors in flight, plus a bias while submitting
 * @error: set by a callback, or when the share could not be started
 * @done: completed when @pending drops to zero
 *
 * The share fields belong to the batch holding the channel's bit in
 * &dcbm_set.busy.
 */
struct dcbm_chan {
	struct dma_chan *chan;
	bool stoppable;
	struct dcbm_mem mem;
	struct sg_table src, dst;
	bool mapped;
	unsigned long first_pg, end_pg;
	atomic_t pending;
	bool error;
	struct completion done;
};

/**
 * struct dcbm_set - the channels batches use, and the mode they use them in
 * @nr: held channels
 * @sg: memcpy_sg on every held channel
 * @cap: the most folios a batch may hold on them
 * @busy: bit i set while a batch uses @chans[i]
 * @chans: the held channels
 *
 * Batches read it under dcbm_set_rwsem taken for reading (with a trylock:
 * a batch never waits for a change of the set), and take channels by
 * setting their @busy bit.  Enabling, disabling and changing nr_dma_chan,
 * use_sg or batch_bytes replace it under the rwsem taken for writing, which waits for
 * the batches in flight, so no batch sees half of a change and no
 * channel is released under one.
 */
struct dcbm_set {
	unsigned int nr;
	bool sg;
	unsigned int cap;
	unsigned long busy;
	struct dcbm_chan *chans[DCBM_MAX_CHANS];
};

static DECLARE_RWSEM(dcbm_set_rwsem);
static struct dcbm_set dcbm_set;

static void dcbm_callback(void *arg, const struct dmaengine_result *result)
{
	struct dcbm_chan *sh = arg;

	if (result->result != DMA_TRANS_NOERROR)
		WRITE_ONCE(sh->error, true);
	if (atomic_dec_and_test(&sh->pending))
		complete(&sh->done);
}

static bool dcbm_overlaps(const struct dcbm_chan *sh,
			  const struct migrate_offload_batch *b, unsigned int f)
{
	return b->first[f] < sh->end_pg && b->first[f + 1] > sh->first_pg;
}

/*
 * Build the share's source and destination lists: one entry per folio, or
 * per piece of a folio longer than the channel's device takes in one
 * mapped segment (dma_get_max_seg_size(); 64 KiB for a device that does
 * not say).  False if the pieces do not fit in the lists (a batch of more
 * pages than batch_bytes holds, or a device whose segments are shorter
 * than a page): the CPU copies the share.
 */
static bool dcbm_build_tables(struct dcbm_chan *sh,
			      struct migrate_offload_batch *b)
{
	struct device *dev = dmaengine_get_dma_device(sh->chan);
	unsigned long seg = dma_get_max_seg_size(dev) >> PAGE_SHIFT;
	struct scatterlist *s, *d;
	unsigned long pg, end, n = 0, len;
	unsigned int f;

	if (!seg)
		return false;
	for (f = 0; f < b->nr; f++) {
		if (!dcbm_overlaps(sh, b, f))
			continue;
		pg = max(b->first[f], sh->first_pg);
		end = min(b->first[f + 1], sh->end_pg);
		n += DIV_ROUND_UP(end - pg, seg);
	}
	if (n > sh->mem.cap)
		return false;
	sg_init_table(sh->mem.src_sgl, n);
	sg_init_table(sh->mem.dst_sgl, n);
	sh->src = (struct sg_table){ .sgl = sh->mem.src_sgl, .orig_nents = n };
	sh->dst = (struct sg_table){ .sgl = sh->mem.dst_sgl, .orig_nents = n };

	s = sh->src.sgl;
	d = sh->dst.sgl;
	for (f = 0; f < b->nr; f++) {
		if (!dcbm_overlaps(sh, b, f))
			continue;
		pg = max(b->first[f], sh->first_pg) - b->first[f];
		end = min(b->first[f + 1], sh->end_pg) - b->first[f];
		for (; pg < end; pg += len) {
			len = min(end - pg, seg);
			sg_set_page(s, folio_page(b->src[f], pg),
				    len << PAGE_SHIFT, 0);
			sg_set_page(d, folio_page(b->dst[f], pg),
				    len << PAGE_SHIFT, 0);
			s = sg_next(s);
			d = sg_next(d);
		}
	}
	return true;
}

/* Map both lists; false (nothing mapped) if either cannot be. */
static bool dcbm_map(struct dcbm_chan *sh)
{
	struct device *dev = dmaengine_get_dma_device(sh->chan);

	if (dma_map_sgtable(dev, &sh->src, DMA_TO_DEVICE, 0))
		return false;
	if (dma_map_sgtable(dev, &sh->dst, DMA_FROM_DEVICE, 0)) {
		dma_unmap_sgtable(dev, &sh->src, DMA_TO_DEVICE, 0);
		return false;
	}
	sh->mapped = true;
	return true;
}

static void dcbm_unmap(struct dcbm_chan *sh)
{
	struct device *dev = dmaengine_get_dma_device(sh->chan);

	if (!sh->mapped)
		return;
	dma_unmap_sgtable(dev, &sh->src, DMA_TO_DEVICE, 0);
	dma_unmap_sgtable(dev, &sh->dst, DMA_FROM_DEVICE, 0);
	sh->mapped = false;
}

/*
 * A callback on every descriptor (they complete in any order), and each one
 * acked up front: dcbm never re-uses a descriptor, and providers that
 * recycle only acked ones (mv_xor, fsldma, shdma, ...) would otherwise keep
 * them all until their pool runs dry.
 */
#define DCBM_PREP_FLAGS		(DMA_PREP_INTERRUPT | DMA_CTRL_ACK)

static bool dcbm_submit(struct dcbm_chan *sh,
			struct dma_async_tx_descriptor *tx)
{
	if (!tx)
		return false;
	tx->callback_result = dcbm_callback;
	tx->callback_param = sh;
	atomic_inc(&sh->pending);
	if (dma_submit_error(dmaengine_submit(tx))) {
		atomic_dec(&sh->pending);
		return false;
	}
	return true;
}

/* One DMA_MEMCPY per chunk the two mapped lists have in common. */
static bool dcbm_submit_chunks(struct dcbm_chan *sh)
{
	struct device *dev = dmaengine_get_dma_device(sh->chan);
	struct dma_sg_pair_iter it;
	dma_addr_t dst, src;
	size_t len;

	if (dma_sg_pair_iter_init(&it, sh->dst.sgl, sh->dst.nents, sh->src.sgl,
				  sh->src.nents, dma_get_max_seg_size(dev)))
		return false;
	while (dma_sg_pair_iter_next(&it, &dst, &src, &len))
		if (!dcbm_submit(sh, dmaengine_prep_dma_memcpy(sh->chan, dst,
							       src, len,
							       DCBM_PREP_FLAGS)))
			return false;
	return true;
}

/* Map the share and submit its descriptors; false if anything failed. */
static bool dcbm_start(struct dcbm_chan *sh, struct migrate_offload_batch *b,
		       bool sg)
{
	if (!dcbm_build_tables(sh, b) || !dcbm_map(sh))
		return false;
	if (sg)
		return dcbm_submit(sh, dmaengine_prep_dma_memcpy_sg(sh->chan,
				sh->dst.sgl, sh->dst.nents, sh->src.sgl,
				sh->src.nents, DCBM_PREP_FLAGS));
	return dcbm_submit_chunks(sh);
}

/*
 * Stop the share's channel: true if no descriptor of it touches memory or
 * calls back any more, false if the channel cannot be stopped.
 */
static bool dcbm_stop(struct dcbm_chan *sh)
{
	int rc;

	if (!sh->stoppable)
		return false;
	rc = dmaengine_terminate_sync(sh->chan);
	if (rc)
		pr_warn_ratelimited("%s: terminate failed (%d); waiting for its descriptors\n",
				    dma_chan_name(sh->chan), rc);
	return !rc;
}

/*
 * Wait for the share, stopping it on failure or at @deadline where the
 * channel allows, else for as long as its descriptors take; flag its
 * folios unless all of them completed without error.  The share is
 * unmapped on return, and no descriptor of it is left.
 */
static void dcbm_finish(struct dcbm_chan *sh, struct migrate_offload_batch *b,
			unsigned long deadline)
{
	bool idle = atomic_dec_and_test(&sh->pending);
	bool stopped = false;
	long left;

	/* A share that failed to start or to copy is stopped at once. */
	if (!idle && READ_ONCE(sh->error)) {
		stopped = dcbm_stop(sh);
		idle = stopped;
	}
	if (!idle) {
		left = max_t(long, (long)(deadline - jiffies), 1);
		idle = wait_for_completion_timeout(&sh->done, left);
	}
	if (!idle) {
		pr_warn_ratelimited("%s: no completion within %lu ms\n",
				    dma_chan_name(sh->chan),
				    READ_ONCE(timeout_ms));
		stopped = dcbm_stop(sh);
		idle = stopped;
	}
	if (!idle) {
		/* Its folios stay locked and unmapped meanwhile. */
		pr_warn_ratelimited("%s: cannot be stopped; waiting for its descriptors\n",
				    dma_chan_name(sh->chan));
		atomic_long_inc(&overdue_shares);
		wait_for_completion(&sh->done);
	}
	if (stopped || READ_ONCE(sh->error)) {
		pr_warn_ratelimited("%s: copy failed, the CPU copies %lu pages\n",
				    dma_chan_name(sh->chan),
				    sh->end_pg - sh->first_pg);
		migrate_offload_batch_fail_range(b, sh->first_pg, sh->end_pg);
	}
	dcbm_unmap(sh);
}

/*
 * Take up to @want free channels of the set into @chans; returns how many.
 * Called with dcbm_set_rwsem held for reading.
 */
static unsigned int dcbm_take(struct dcbm_chan **chans, unsigned int *idx,
			      unsigned long want)
{
	unsigned int i, n = 0;

	for (i = 0; i < dcbm_set.nr && n < want; i++) {
		if (test_and_set_bit_lock(i, &dcbm_set.busy))
			continue;
		idx[n] = i;
		chans[n++] = dcbm_set.chans[i];
	}
	return n;
}

static void dcbm_give_back(const unsigned int *idx, unsigned int n)
{
	while (n--)
		clear_bit_unlock(idx[n], &dcbm_set.busy);
}

/*
 * Copy the batch over @n taken channels, each with a share of the bytes;
 * flag the folios of every share that failed.
 */
static void dcbm_copy(struct migrate_offload_batch *b,
		      struct dcbm_chan **chans, unsigned int n,
		      unsigned long pages, bool sg)
{
	unsigned long deadline = jiffies +
				 msecs_to_jiffies(READ_ONCE(timeout_ms));
	struct dcbm_chan *sh;
	unsigned int i;

	for (i = 0; i < n; i++) {
		sh = chans[i];
		sh->first_pg = pages * i / n;
		sh->end_pg = pages * (i + 1) / n;
		sh->error = false;
		atomic_set(&sh->pending, 1);
		reinit_completion(&sh->done);
		if (!dcbm_start(sh, b, sg))
			WRITE_ONCE(sh->error, true);
		dma_async_issue_pending(sh->chan);
	}
	for (i = 0; i < n; i++)
		dcbm_finish(chans[i], b, deadline);
}

/* The pages of a batch, from its source list. */
static unsigned long dcbm_pages(struct list_head *src_list)
{
	struct folio *folio;
	unsigned long pages = 0;

	list_for_each_entry(folio, src_list, lru)
		pages += folio_nr_pages(folio);
	return pages;
}

/*
 * -EOPNOTSUPP if the batch is declined (too small, or more folios than the
 * held memory is for), -EBUSY if every channel is in use, -ENODEV while
 * no channel is held; else what dcbm_copy() made of it.  The batch takes
 * one channel per min_share_bytes, as many as are free.
 */
static int dcbm_offload_copy(struct list_head *dst_list,
			     struct list_head *src_list, unsigned int nr)
{
	struct dcbm_chan *chans[DCBM_MAX_CHANS];
	unsigned int idx[DCBM_MAX_CHANS], n;
	struct migrate_offload_batch b;
	unsigned int copied = 0;
	unsigned long pages;
	int rc = 0;

	pages = dcbm_pages(src_list);
	if (pages * PAGE_SIZE < READ_ONCE(min_batch_bytes)) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	/* A change of the set is under way: leave this batch to the CPU. */
	if (!down_read_trylock(&dcbm_set_rwsem)) {
		rc = -EBUSY;
		goto out;
	}
	if (!dcbm_set.nr || nr > dcbm_set.cap) {
		rc = dcbm_set.nr ? -EOPNOTSUPP : -ENODEV;
		up_read(&dcbm_set_rwsem);
		goto out;
	}
	n = dcbm_take(chans, idx,
		      migrate_offload_nr_shares(pages * PAGE_SIZE,
						READ_ONCE(min_share_bytes),
						DCBM_MAX_CHANS));
	if (n) {
		migrate_offload_batch_layout(&b, dst_list, src_list, nr,
					     chans[0]->mem.batch);
		dcbm_copy(&b, chans, n, pages, dcbm_set.sg);
		copied = migrate_offload_batch_mark(&b);
		dcbm_give_back(idx, n);
	} else {
		rc = -EBUSY;
	}
	up_read(&dcbm_set_rwsem);
out:
	atomic_long_add(copied, &folios_migrated);
	atomic_long_add(nr - copied, &folios_failures);
	return rc ?: (copied == nr ? 0 : -EIO);
}

/*
 * Batches of 8 MiB by default: four shares of min_share_bytes, one for each
 * of the nr_dma_chan channels, where migrate_pages()'s own 2 MiB batch
 * keeps three of them idle.
 */
static struct migrator dcbm_migrator = {
	.name = "dcbm",
	.offload_copy = dcbm_offload_copy,
	.owner = THIS_MODULE,
	.batch_bytes = SZ_8M,
};

static struct migrate_offload_ctl dcbm_ctl;

static bool dcbm_chan_fits(struct dma_chan *chan, unsigned int sg_mode)
{
	return sg_mode != DCBM_SG_ON ||
	       dma_has_cap(DMA_MEMCPY_SG, chan->device->cap_mask);
}

static void dcbm_mem_free(struct dcbm_mem *m)
{
	kvfree(m->src_sgl);
	kvfree(m->dst_sgl);
	kvfree(m->batch);
	m->cap = 0;
}

/*
 * The memory for batches of up to @cap folios: two lists of @cap entries
 * and the batch arrays, 88 bytes per folio on x86-64 (44 KiB for the
 * default batch of 512 folios, 352 KiB for the largest, 4096).
 */
static bool dcbm_mem_alloc(struct dcbm_mem *m, unsigned int cap)
{
	m->src_sgl = kvmalloc_array(cap, sizeof(*m->src_sgl), GFP_KERNEL);
	m->dst_sgl = kvmalloc_array(cap, sizeof(*m->dst_sgl), GFP_KERNEL);
	m->batch = kvmalloc(migrate_offload_batch_size(cap), GFP_KERNEL);
	m->cap = cap;
	if (m->src_sgl && m->dst_sgl && m->batch)
		return true;
	dcbm_mem_free(m);
	return false;
}

static void dcbm_chan_free(struct dcbm_chan *c)
{
	dma_release_channel(c->chan);
	dcbm_mem_free(&c->mem);
	kfree(c);
}

/*
 * Request a channel fit for @mask and the memory for batches of up to
 * @cap folios on it, held while the channel is.
 */
static struct dcbm_chan *dcbm_chan_alloc(dma_cap_mask_t *mask,
					 unsigned int cap)
{
	struct dcbm_chan *c = kzalloc(sizeof(*c), GFP_KERNEL);
	struct dma_device *dev;

	if (!c)
		return NULL;
	if (!dcbm_mem_alloc(&c->mem, cap)) {
		kfree(c);
		return NULL;
	}
	c->chan = dma_request_chan_by_mask(mask);
	if (IS_ERR(c->chan)) {
		dcbm_mem_free(&c->mem);
		kfree(c);
		return NULL;
	}
	dev = c->chan->device;
	c->stoppable = dev->device_terminate_all && dev->device_synchronize;
	if (!c->stoppable)
		pr_info("%s: cannot be stopped (no device_terminate_all or device_synchronize): batches on it wait for every descriptor, however late\n",
			dma_chan_name(c->chan));
	init_completion(&c->done);
	return c;
}

/*
 * Make the held channel set @n channels (0: none) fit for @sg_mode, with
 * memory for batches of up to @cap folios: keep the held channels that
 * fit, request the missing ones, allocate memory of the new size for the
 * kept ones if it changes, and replace the set once the batches in flight
 * are done.  Requesting, allocating and releasing happen outside
 * dcbm_set_rwsem, and batches only try it, so reclaim that migrates
 * (demotion) into dcbm meanwhile goes to the CPU instead of waiting.  If
 * no channel can be had for n > 0 (-ENODEV) or the memory cannot be
 * allocated (-ENOMEM), the held set stays as it was.  Called with the
 * control's lock, which serialises every change of the set.
 */
static int dcbm_set_chans(unsigned int n, unsigned int sg_mode,
			  unsigned int cap)
{
	struct dcbm_chan *keep[DCBM_MAX_CHANS], *drop[DCBM_MAX_CHANS];
	struct dcbm_mem fresh[DCBM_MAX_CHANS] = {};
	unsigned int i, nr_keep = 0, nr_drop = 0, nr_new;
	struct dcbm_chan *c;
	dma_cap_mask_t mask;
	bool sg = sg_mode != DCBM_SG_OFF;

	lockdep_assert_held(&dcbm_ctl.lock);
	for (i = 0; i < dcbm_set.nr; i++) {
		c = dcbm_set.chans[i];
		if (nr_keep < n && dcbm_chan_fits(c->chan, sg_mode))
			keep[nr_keep++] = c;
		else
			drop[nr_drop++] = c;
	}

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	if (sg_mode == DCBM_SG_ON)
		dma_cap_set(DMA_MEMCPY_SG, mask);
	for (i = 0; i < nr_keep; i++) {
		if (keep[i]->mem.cap == cap)
			continue;
		if (!dcbm_mem_alloc(&fresh[i], cap)) {
			while (i--)
				dcbm_mem_free(&fresh[i]);
			return -ENOMEM;
		}
	}
	for (nr_new = nr_keep; nr_new < n; nr_new++) {
		c = dcbm_chan_alloc(&mask, cap);
		if (!c)
			break;
		keep[nr_new] = c;
	}
	if (n && !nr_new) {
		pr_warn("no DMA_MEMCPY%s channel available\n",
			sg_mode == DCBM_SG_ON ? " + DMA_MEMCPY_SG" : "");
		return -ENODEV;
	}
	if (nr_new < n)
		pr_info("using %u of %u requested channels\n", nr_new, n);
	for (i = 0; i < nr_new; i++)
		sg &= dma_has_cap(DMA_MEMCPY_SG, keep[i]->chan->device->cap_mask);

	down_write(&dcbm_set_rwsem);
	WARN_ON(dcbm_set.busy);
	for (i = 0; i < nr_keep; i++)
		if (fresh[i].cap)
			swap(keep[i]->mem, fresh[i]);
	memcpy(dcbm_set.chans, keep, nr_new * sizeof(*keep));
	dcbm_set.nr = nr_new;
	dcbm_set.sg = sg;
	dcbm_set.cap = cap;
	up_write(&dcbm_set_rwsem);

	for (i = 0; i < nr_keep; i++)
		dcbm_mem_free(&fresh[i]);
	for (i = 0; i < nr_drop; i++)
		dcbm_chan_free(drop[i]);
	return 0;
}

/* The most folios a batch holds with the batch_bytes asked for. */
static unsigned int dcbm_cap(void)
{
	return migrate_offload_batch_folios(READ_ONCE(dcbm_migrator.batch_bytes));
}

static int dcbm_enable(struct migrate_offload_ctl *ctl)
{
	return dcbm_set_chans(nr_dma_chan, use_sg, dcbm_cap());
}

static void dcbm_disable(struct migrate_offload_ctl *ctl)
{
	dcbm_set_chans(0, use_sg, 0);
}

/*
 * The channels are a shared resource (private ones are held for as long
 * as dcbm is enabled): by default only tiering's migrations use them.
 */
static DEFINE_MIGRATE_OFFLOAD_CTL(dcbm_ctl, &dcbm_migrator,
				  MIGRATE_OFFLOAD_TIERING_REASONS,
				  dcbm_enable, dcbm_disable);

module_param_cb(offloading, &migrate_offload_enabled_ops, &dcbm_ctl, 0644);
MODULE_PARM_DESC(offloading, "Copy migration batches with DMA (0/1)");
module_param_cb(reason_mask, &migrate_offload_reasons_ops, &dcbm_ctl, 0644);
MODULE_PARM_DESC(reason_mask,
		 "Migration reasons to serve: names, all, none or 0x mask (default numa_misplaced,demotion,damon)");

static int nr_dma_chan_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int rc;

	if (kstrtouint(val, 10, &n) || !n || n > DCBM_MAX_CHANS)
		return -EINVAL;
	guard(mutex)(&dcbm_ctl.lock);
	if (dcbm_ctl.enabled) {
		rc = dcbm_set_chans(n, use_sg, dcbm_cap());
		if (rc)
			return rc;
	}
	WRITE_ONCE(nr_dma_chan, n);
	return 0;
}

static const struct kernel_param_ops nr_dma_chan_ops = {
	.set = nr_dma_chan_set,
	.get = param_get_uint,
};
module_param_cb(nr_dma_chan, &nr_dma_chan_ops, &nr_dma_chan, 0644);
MODULE_PARM_DESC(nr_dma_chan,
		 "DMA channels to hold and use, if available: 1..16 (default 4)");

static int use_sg_set(const char *val, const struct kernel_param *kp)
{
	int mode = sysfs_match_string(use_sg_names, val);
	int rc;

	if (mode < 0)
		return -EINVAL;
	guard(mutex)(&dcbm_ctl.lock);
	if (dcbm_ctl.enabled) {
		rc = dcbm_set_chans(nr_dma_chan, mode, dcbm_cap());
		if (rc)
			return rc;
	}
	WRITE_ONCE(use_sg, mode);
	return 0;
}

static int use_sg_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", use_sg_names[READ_ONCE(use_sg)]);
}

static const struct kernel_param_ops use_sg_ops = {
	.set = use_sg_set,
	.get = use_sg_get,
};
module_param_cb(use_sg, &use_sg_ops, NULL, 0644);
MODULE_PARM_DESC(use_sg,
		 "auto (default): DMA_MEMCPY_SG if every held channel has it; on: only channels with it; off: one DMA_MEMCPY per chunk");

module_param_cb(min_batch_bytes, &migrate_offload_ulong_ops, &min_batch_bytes,
		0644);
MODULE_PARM_DESC(min_batch_bytes,
		 "Leave batches smaller than this to the CPU copy (default 2097152)");

/*
 * The memory held per channel follows the largest batch: it is resized
 * before migrate_pages() is asked for larger batches, and after it is
 * asked for smaller ones, so that no batch finds too little.  A batch
 * sized before a change and arriving after it is declined if it does not
 * fit: the CPU copies it.
 */
static int batch_bytes_set(const char *val, const struct kernel_param *kp)
{
	unsigned long bytes;
	unsigned int cap;
	int rc;

	rc = migrate_offload_parse_batch_bytes(val, &bytes);
	if (rc)
		return rc;
	cap = migrate_offload_batch_folios(bytes);
	guard(mutex)(&dcbm_ctl.lock);
	if (dcbm_ctl.enabled && cap > dcbm_set.cap) {
		rc = dcbm_set_chans(nr_dma_chan, use_sg, cap);
		if (rc)
			return rc;
	}
	WRITE_ONCE(dcbm_migrator.batch_bytes, bytes);
	/* Failing to shrink keeps memory for larger batches: harmless. */
	if (dcbm_ctl.enabled && cap < dcbm_set.cap)
		dcbm_set_chans(nr_dma_chan, use_sg, cap);
	return 0;
}

static const struct kernel_param_ops batch_bytes_ops = {
	.set = batch_bytes_set,
	.get = param_get_ulong,
};
module_param_cb(batch_bytes, &batch_bytes_ops, &dcbm_migrator.batch_bytes,
		0644);
MODULE_PARM_DESC(batch_bytes,
		 "Batch size to ask migrate_pages() for: 0 (its own, 2 MiB with 4K pages) or 2 MiB .. 16 MiB with 4K pages (default 8388608)");

module_param_cb(min_share_bytes, &migrate_offload_share_bytes_ops,
		&min_share_bytes, 0644);
MODULE_PARM_DESC(min_share_bytes,
		 "Cut a batch into shares, one per channel, no smaller than this (default 2097152)");

static int timeout_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned long ms;

	if (kstrtoul(val, 10, &ms) || !ms || ms > DCBM_MAX_TIMEOUT_MS)
		return -EINVAL;
	WRITE_ONCE(timeout_ms, ms);
	return 0;
}

static const struct kernel_param_ops timeout_ms_ops = {
	.set = timeout_ms_set,
	.get = param_get_ulong,
};
module_param_cb(timeout_ms, &timeout_ms_ops, &timeout_ms, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "Time a batch may take before its channels are stopped, where they can be: 1..600000 (default 1000)");

module_param_cb(folios_migrated, &migrate_offload_counter_ops,
		&folios_migrated, 0644);
MODULE_PARM_DESC(folios_migrated, "Folios copied by DMA (0 resets)");
module_param_cb(folios_failures, &migrate_offload_counter_ops,
		&folios_failures, 0644);
MODULE_PARM_DESC(folios_failures,
		 "Folios declined or not copied, left to the CPU (0 resets)");
module_param_cb(overdue_shares, &migrate_offload_counter_ops, &overdue_shares,
		0644);
MODULE_PARM_DESC(overdue_shares,
		 "Shares waited for past timeout_ms on channels that cannot be stopped (0 resets)");

/*
 * Late, so that dcbm.offloading=1 on the kernel command line finds the
 * DMA providers built in with it probed.
 */
static int __init dcbm_init(void)
{
	return migrate_offload_ctl_start(&dcbm_ctl);
}
late_initcall(dcbm_init);

static void __exit dcbm_exit(void)
{
	migrate_offload_ctl_stop(&dcbm_ctl);
	WARN_ON(dcbm_set.nr);
}
module_exit(dcbm_exit);

MODULE_DESCRIPTION("DMA batch copy migrator for page migration");
MODULE_LICENSE("GPL");
