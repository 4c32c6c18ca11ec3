// SPDX-License-Identifier: GPL-2.0
/*
 * dcbm - DMA batch copy migrator: copies the folios of a migration batch
 * with dmaengine memcpy channels.
 *
 * While offloading is on, dcbm holds up to nr_dma_chan DMA_MEMCPY channels
 * (DMA_PRIVATE providers and public ones alike), requested once.  A batch
 * is one byte stream cut into equal shares at page boundaries, one per
 * channel, so a single 2M folio keeps every channel busy.  Each share is
 * mapped against its channel's device and copied either as one
 * DMA_MEMCPY_SG transaction (one callback; mapped lists of different
 * lengths are what memcpy_sg is for) or as one DMA_MEMCPY descriptor per
 * chunk, each with its own callback, complete only when every descriptor
 * completed without error, which is right on engines that retire
 * descriptors out of order.
 *
 * A failed prep, submit or mapping, an error result or no completion
 * within timeout_ms terminates the channel (terminate_sync), and the
 * folios of that share stay unmarked: the CPU copies them.  Nothing is
 * marked that was not copied.  Terminating a channel drops every
 * descriptor on it, so batches take the channels one at a time.
 *
 * Parameters (/sys/module/dcbm/parameters/): offloading, reason_mask,
 * nr_dma_chan, use_sg (auto, on, off), min_batch_bytes, timeout_ms, and
 * the counters folios_migrated and folios_failures ("0" resets them).  See
 * Documentation/mm/migrate-copy-offload.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/jiffies.h>
#include <linux/kstrtox.h>
#include <linux/list.h>
#include <linux/migrate_copy_offload.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#define DCBM_MAX_CHANS		16
#define DCBM_MAX_TIMEOUT_MS	600000

enum dcbm_use_sg { DCBM_SG_AUTO, DCBM_SG_ON, DCBM_SG_OFF };
static const char * const use_sg_names[] = { "auto", "on", "off" };

static unsigned int nr_dma_chan = 4;
static unsigned int use_sg = DCBM_SG_AUTO;
static unsigned long min_batch_bytes;
static unsigned long timeout_ms = 10000;
static atomic_long_t folios_migrated = ATOMIC_LONG_INIT(0);
static atomic_long_t folios_failures = ATOMIC_LONG_INIT(0);

/*
 * The channels batches use, and the mode they are used in.  A batch holds
 * dcbm_lock from its first descriptor until its last unmap: an error
 * terminates whole channels, which must not drop another batch's
 * descriptors.  Enabling, disabling and changing nr_dma_chan or use_sg
 * swap the set under it, so no batch sees half of a change.  Nothing that
 * may enter reclaim runs under dcbm_lock.
 */
static DEFINE_MUTEX(dcbm_lock);
static struct dma_chan *dcbm_chans[DCBM_MAX_CHANS];
static unsigned int dcbm_nr_chans;
static bool dcbm_sg;			/* memcpy_sg on every held channel */

/* One channel's share of a batch */
struct dcbm_share {
	struct dma_chan *chan;
	struct sg_table src, dst;
	bool src_mapped, dst_mapped;
	unsigned long first_pg, end_pg;	/* stream pages [first, end) */
	atomic_t pending;		/* descriptors in flight, +1 bias */
	bool error;			/* set by callbacks or submission */
	struct completion done;
};

static void dcbm_callback(void *arg, const struct dmaengine_result *result)
{
	struct dcbm_share *sh = arg;

	if (result->result != DMA_TRANS_NOERROR)
		WRITE_ONCE(sh->error, true);
	if (atomic_dec_and_test(&sh->pending))
		complete(&sh->done);
}

static bool dcbm_overlaps(const struct dcbm_share *sh,
			  const struct migrate_offload_batch *b, unsigned int f)
{
	return b->first[f] < sh->end_pg && b->first[f + 1] > sh->first_pg;
}

/* Build the share's source and destination lists: one entry per folio. */
static int dcbm_build_tables(struct dcbm_share *sh,
			     struct migrate_offload_batch *b)
{
	/* No reclaim under dcbm_lock: it could migrate into dcbm again. */
	gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	struct scatterlist *s, *d;
	unsigned long pg, end;
	unsigned int f, n = 0;
	int rc;

	for (f = 0; f < b->nr; f++)
		n += dcbm_overlaps(sh, b, f);
	rc = sg_alloc_table(&sh->src, n, gfp);
	if (rc)
		return rc;
	rc = sg_alloc_table(&sh->dst, n, gfp);
	if (rc) {
		sg_free_table(&sh->src);
		return rc;
	}

	s = sh->src.sgl;
	d = sh->dst.sgl;
	for (f = 0; f < b->nr; f++) {
		if (!dcbm_overlaps(sh, b, f))
			continue;
		pg = max(b->first[f], sh->first_pg) - b->first[f];
		end = min(b->first[f + 1], sh->end_pg) - b->first[f];
		sg_set_page(s, folio_page(b->src[f], pg),
			    (end - pg) << PAGE_SHIFT, 0);
		sg_set_page(d, folio_page(b->dst[f], pg),
			    (end - pg) << PAGE_SHIFT, 0);
		s = sg_next(s);
		d = sg_next(d);
	}
	return 0;
}

static void dcbm_unmap(struct dcbm_share *sh)
{
	struct device *dev = dmaengine_get_dma_device(sh->chan);

	if (sh->src_mapped)
		dma_unmap_sgtable(dev, &sh->src, DMA_TO_DEVICE, 0);
	if (sh->dst_mapped)
		dma_unmap_sgtable(dev, &sh->dst, DMA_FROM_DEVICE, 0);
	sg_free_table(&sh->src);
	sg_free_table(&sh->dst);
}

/*
 * A callback on every descriptor (they complete in any order), and each one
 * acked up front: dcbm never re-uses a descriptor, and providers that
 * recycle only acked ones (mv_xor, fsldma, shdma, ...) would otherwise keep
 * them all until their pool runs dry.
 */
#define DCBM_PREP_FLAGS		(DMA_PREP_INTERRUPT | DMA_CTRL_ACK)

static bool dcbm_submit(struct dcbm_share *sh,
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
static bool dcbm_submit_chunks(struct dcbm_share *sh)
{
	struct device *dev = dmaengine_get_dma_device(sh->chan);
	struct scatterlist *s = sh->src.sgl, *d = sh->dst.sgl;
	unsigned int sn = sh->src.nents, dn = sh->dst.nents;
	size_t soff = 0, doff = 0, len, max = dma_get_max_seg_size(dev);
	struct dma_async_tx_descriptor *tx;

	while (sn && dn) {
		len = min3(sg_dma_len(s) - soff, sg_dma_len(d) - doff, max);
		tx = dmaengine_prep_dma_memcpy(sh->chan,
					       sg_dma_address(d) + doff,
					       sg_dma_address(s) + soff, len,
					       DCBM_PREP_FLAGS);
		if (!dcbm_submit(sh, tx))
			return false;
		soff += len;
		doff += len;
		if (soff == sg_dma_len(s)) {
			s = sg_next(s);
			sn--;
			soff = 0;
		}
		if (doff == sg_dma_len(d)) {
			d = sg_next(d);
			dn--;
			doff = 0;
		}
	}
	return true;
}

/* Map the share and submit its descriptors; false if anything failed. */
static bool dcbm_start(struct dcbm_share *sh, struct migrate_offload_batch *b)
{
	struct device *dev = dmaengine_get_dma_device(sh->chan);

	if (dcbm_build_tables(sh, b))
		return false;
	sh->src_mapped = !dma_map_sgtable(dev, &sh->src, DMA_TO_DEVICE, 0);
	sh->dst_mapped = sh->src_mapped &&
			 !dma_map_sgtable(dev, &sh->dst, DMA_FROM_DEVICE, 0);
	if (!sh->dst_mapped)
		return false;
	if (dcbm_sg)
		return dcbm_submit(sh, dmaengine_prep_dma_memcpy_sg(sh->chan,
				sh->dst.sgl, sh->dst.nents, sh->src.sgl,
				sh->src.nents, DCBM_PREP_FLAGS));
	return dcbm_submit_chunks(sh);
}

/*
 * Wait for the share until @deadline; on any failure stop its channel and
 * flag its folios.  The share is unmapped on return.
 */
static void dcbm_finish(struct dcbm_share *sh,
			struct migrate_offload_batch *b, unsigned long deadline)
{
	long left;

	/* A share that failed to start is stopped at once. */
	if (!READ_ONCE(sh->error) && !atomic_dec_and_test(&sh->pending)) {
		left = max_t(long, (long)(deadline - jiffies), 1);
		if (!wait_for_completion_timeout(&sh->done, left)) {
			pr_warn_ratelimited("%s: no completion within %lu ms\n",
					    dma_chan_name(sh->chan),
					    READ_ONCE(timeout_ms));
			WRITE_ONCE(sh->error, true);
		}
	}
	if (READ_ONCE(sh->error)) {
		/* No descriptor may touch the folios after this. */
		dmaengine_terminate_sync(sh->chan);
		pr_warn_ratelimited("%s: copy failed, the CPU copies %lu pages\n",
				    dma_chan_name(sh->chan),
				    sh->end_pg - sh->first_pg);
		migrate_offload_batch_fail_range(b, sh->first_pg, sh->end_pg);
	}
	dcbm_unmap(sh);
}

/*
 * Copy the batch over the held channels, each with a share of the bytes;
 * flag the folios of every share that failed.  Called with dcbm_lock.
 */
static void dcbm_copy(struct migrate_offload_batch *b,
		      struct dcbm_share *shares, unsigned long pages)
{
	unsigned long deadline = jiffies +
				 msecs_to_jiffies(READ_ONCE(timeout_ms));
	unsigned int i, n;
	struct dcbm_share *sh;

	n = min_t(unsigned long, dcbm_nr_chans, pages);
	for (i = 0; i < n; i++) {
		sh = &shares[i];
		sh->chan = dcbm_chans[i];
		sh->first_pg = pages * i / n;
		sh->end_pg = pages * (i + 1) / n;
		atomic_set(&sh->pending, 1);
		init_completion(&sh->done);
		if (!dcbm_start(sh, b))
			WRITE_ONCE(sh->error, true);
		dma_async_issue_pending(sh->chan);
	}
	for (i = 0; i < n; i++)
		dcbm_finish(&shares[i], b, deadline);
}

static int dcbm_offload_copy(struct list_head *dst_list,
			     struct list_head *src_list, unsigned int nr)
{
	struct migrate_offload_batch b;
	struct dcbm_share *shares;
	unsigned int copied;
	unsigned long pages;
	int rc = 0;

	shares = migrate_offload_batch_init(&b, dst_list, src_list, nr,
					    DCBM_MAX_CHANS * sizeof(*shares));
	if (!shares) {
		atomic_long_add(nr, &folios_failures);
		return -ENOMEM;
	}
	pages = migrate_offload_batch_pages(&b);
	if (pages * PAGE_SIZE < READ_ONCE(min_batch_bytes)) {
		rc = -EOPNOTSUPP;
	} else {
		mutex_lock(&dcbm_lock);
		if (dcbm_nr_chans)
			dcbm_copy(&b, shares, pages);
		else
			rc = -ENODEV;	/* unregistering */
		mutex_unlock(&dcbm_lock);
	}
	if (rc)
		migrate_offload_batch_fail_range(&b, 0, pages);
	copied = migrate_offload_batch_finish(&b);
	atomic_long_add(copied, &folios_migrated);
	atomic_long_add(nr - copied, &folios_failures);
	return rc ?: (copied == nr ? 0 : -EIO);
}

static struct migrator dcbm_migrator = {
	.name = "dcbm",
	.offload_copy = dcbm_offload_copy,
	.owner = THIS_MODULE,
};

static struct migrate_offload_ctl dcbm_ctl;

static bool dcbm_chan_fits(struct dma_chan *chan, unsigned int sg_mode)
{
	return sg_mode != DCBM_SG_ON ||
	       dma_has_cap(DMA_MEMCPY_SG, chan->device->cap_mask);
}

/*
 * Make the held channel set @n channels (0: none) fit for @sg_mode: keep
 * the held channels that fit, request the missing ones, and swap the set
 * under dcbm_lock, between batches.  Channels are requested and released
 * outside dcbm_lock: that may allocate, and reclaim may migrate (demotion)
 * into a batch that needs the lock.  If no channel can be had for n > 0,
 * the held set stays as it was and -ENODEV is returned.  Called with the
 * control's lock, which serialises every change of the set.
 */
static int dcbm_set_chans(unsigned int n, unsigned int sg_mode)
{
	struct dma_chan *keep[DCBM_MAX_CHANS], *drop[DCBM_MAX_CHANS];
	unsigned int i, nr_keep = 0, nr_drop = 0, nr_new;
	struct dma_chan *chan;
	dma_cap_mask_t mask;
	bool sg = sg_mode != DCBM_SG_OFF;

	lockdep_assert_held(&dcbm_ctl.lock);
	for (i = 0; i < dcbm_nr_chans; i++) {
		chan = dcbm_chans[i];
		if (nr_keep < n && dcbm_chan_fits(chan, sg_mode))
			keep[nr_keep++] = chan;
		else
			drop[nr_drop++] = chan;
	}

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	if (sg_mode == DCBM_SG_ON)
		dma_cap_set(DMA_MEMCPY_SG, mask);
	for (nr_new = nr_keep; nr_new < n; nr_new++) {
		chan = dma_request_chan_by_mask(&mask);
		if (IS_ERR(chan))
			break;
		keep[nr_new] = chan;
	}
	if (n && !nr_new) {
		pr_warn("no DMA_MEMCPY%s channel available\n",
			sg_mode == DCBM_SG_ON ? " + DMA_MEMCPY_SG" : "");
		return -ENODEV;
	}
	if (nr_new < n)
		pr_info("using %u of %u requested channels\n", nr_new, n);
	for (i = 0; i < nr_new; i++)
		sg &= dma_has_cap(DMA_MEMCPY_SG, keep[i]->device->cap_mask);

	mutex_lock(&dcbm_lock);
	memcpy(dcbm_chans, keep, nr_new * sizeof(*keep));
	dcbm_nr_chans = nr_new;
	dcbm_sg = sg;
	mutex_unlock(&dcbm_lock);

	for (i = 0; i < nr_drop; i++)
		dma_release_channel(drop[i]);
	return 0;
}

static int dcbm_enable(struct migrate_offload_ctl *ctl)
{
	return dcbm_set_chans(nr_dma_chan, use_sg);
}

static void dcbm_disable(struct migrate_offload_ctl *ctl)
{
	dcbm_set_chans(0, use_sg);
}

static DEFINE_MIGRATE_OFFLOAD_CTL(dcbm_ctl, &dcbm_migrator, dcbm_enable,
				  dcbm_disable);

module_param_cb(offloading, &migrate_offload_enabled_ops, &dcbm_ctl, 0644);
MODULE_PARM_DESC(offloading, "Copy migration batches with DMA (0/1)");
module_param_cb(reason_mask, &migrate_offload_reasons_ops, &dcbm_ctl, 0644);
MODULE_PARM_DESC(reason_mask,
		 "Migration reasons to serve: names, all, none or 0x mask (default all)");

static int nr_dma_chan_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int rc;

	if (kstrtouint(val, 10, &n) || !n || n > DCBM_MAX_CHANS)
		return -EINVAL;
	guard(mutex)(&dcbm_ctl.lock);
	if (dcbm_ctl.enabled) {
		rc = dcbm_set_chans(n, use_sg);
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
		rc = dcbm_set_chans(nr_dma_chan, mode);
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
		 "Leave batches smaller than this to the CPU copy (default 0)");

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
		 "Time a batch may take before its channels are stopped: 1..600000 (default 10000)");

module_param_cb(folios_migrated, &migrate_offload_counter_ops,
		&folios_migrated, 0644);
MODULE_PARM_DESC(folios_migrated, "Folios copied by DMA (0 resets)");
module_param_cb(folios_failures, &migrate_offload_counter_ops,
		&folios_failures, 0644);
MODULE_PARM_DESC(folios_failures,
		 "Folios declined or not copied, left to the CPU (0 resets)");

static void __exit dcbm_exit(void)
{
	/* Registration pins the module, and channels are held only then. */
	WARN_ON(dcbm_nr_chans);
}
module_exit(dcbm_exit);

MODULE_DESCRIPTION("DMA batch copy migrator for page migration");
MODULE_LICENSE("GPL");
