// SPDX-License-Identifier: GPL-2.0-only
/*
 * swdma - a software memcpy DMA engine
 *
 * swdma registers a DMA engine whose channels are kernel threads: each one
 * executes the descriptors issued to it by copying the memory that their
 * DMA addresses name, then completes them through virt-dma like a hardware
 * interrupt would.  It offers DMA_MEMCPY and DMA_MEMCPY_SG, so DMA clients
 * (dmatest, page-migration offload) can be developed and tested on any
 * machine.  Failures are injected with the kernel's fault-injection
 * framework (a fail_copy directory in the device's debugfs directory), and
 * test knobs add latency, out-of-order retirement and short segments.
 *
 * It also offers slave transfers to and from emulated device ports, for
 * the tests of dmaengine's slave and config+prep APIs: swdma-ports.c.
 *
 * A DMA address names memory only under direct mapping; the probe refuses
 * devices whose DMA is translated by an IOMMU, bounced, or not coherent.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/ioport.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/prandom.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <kunit/visibility.h>

#include "dmaengine.h"
#include <linux/dma/sg-pair.h>
#include "swdma-internal.h"

#define SWDMA_OOO_WINDOW	8
#define SWDMA_MAX_LATENCY_US	10000000
/*
 * The most a channel moves at once, with interrupts off: device_pause()
 * waits for at most one burst, and the residue moves in bursts.
 */
#define SWDMA_BURST_BYTES	SZ_64K
/* Not a dmaengine_tx_result: a burst that did not start, the channel paused */
#define SWDMA_STOPPED		(-1)

static unsigned int nr_channels = 4;
module_param(nr_channels, uint, 0444);
MODULE_PARM_DESC(nr_channels, "Channels of the swdma device (1-64, default 4)");

static bool private = true;
module_param(private, bool, 0444);
MODULE_PARM_DESC(private, "Register with DMA_PRIVATE (default); 0: public channels, which dma_find_channel() and async_tx may pick");

static bool config_prep = true;
module_param(config_prep, bool, 0444);
MODULE_PARM_DESC(config_prep, "Offer device_prep_config_sg (default); 0: only device_config and device_prep_slave_sg");

static bool terminate = true;
module_param(terminate, bool, 0444);
MODULE_PARM_DESC(terminate, "Offer device_terminate_all and device_synchronize (default); 0: neither, like idxd and ioat");

static struct platform_driver swdma_driver;

/* Each device starts with fault injection's defaults: nothing fails. */
static DECLARE_FAULT_ATTR(swdma_fail_copy_default);

static const char * const swdma_knob_names[SWDMA_NR_KNOBS] = {
	[SWDMA_FAIL_SEED]	= "fail_seed",
	[SWDMA_FAIL_DIR]	= "fail_dir",
	[SWDMA_LATENCY_US]	= "latency_us",
	[SWDMA_MAX_SEG_LEN]	= "max_seg_len",
	[SWDMA_OUT_OF_ORDER]	= "out_of_order",
};

static const u64 swdma_knob_max[SWDMA_NR_KNOBS] = {
	[SWDMA_FAIL_SEED]	= U64_MAX,
	[SWDMA_FAIL_DIR]	= SWDMA_FAIL_WRITE,
	[SWDMA_LATENCY_US]	= SWDMA_MAX_LATENCY_US,
	[SWDMA_MAX_SEG_LEN]	= U32_MAX,
	[SWDMA_OUT_OF_ORDER]	= 1,
};

static void swdma_desc_free(struct virt_dma_desc *vd)
{
	struct swdma_chan *sc = to_swdma_chan(vd->tx.chan);
	struct swdma_desc *d = to_swdma_desc(vd);

	/*
	 * virt-dma frees a completed descriptor once its callback has run,
	 * whether or not the client acked it.  Pool-based providers hand a
	 * slot back only when async_tx_test_ack() says so: count what they
	 * would have leaked.  Terminated descriptors do not count: those
	 * providers free them whatever their flags.
	 */
	if (d->retired && !async_tx_test_ack(&vd->tx))
		atomic_long_inc(&sc->sd->unacked_descs);
	kfree(d);
	atomic_dec(&sc->sd->live_descs);
}

struct swdma_desc *swdma_alloc_desc(struct swdma_chan *sc,
				    unsigned int dst_nents,
				    unsigned int src_nents)
{
	struct swdma_desc *d;

	/*
	 * Clients prep from reclaim and compaction too (page migration, with
	 * PF_MEMALLOC): a failed prep they can handle, an emptied reserve
	 * the reclaim they serve cannot.
	 */
	d = kzalloc(struct_size(d, sg, size_add(dst_nents, src_nents)),
		    GFP_NOWAIT | __GFP_NOWARN | __GFP_NOMEMALLOC);
	if (!d)
		return NULL;

	sg_init_table(d->sg, dst_nents + src_nents);
	d->dst = d->sg;
	d->dst_nents = dst_nents;
	d->src = d->sg + dst_nents;
	d->src_nents = src_nents;
	d->max_seg = swdma_knob(sc->sd, SWDMA_MAX_SEG_LEN);
	atomic_inc(&sc->sd->live_descs);
	return d;
}

void swdma_sg_copy(struct scatterlist *to, struct scatterlist *from,
		   unsigned int nents)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(from, sg, nents, i) {
		sg_dma_address(&to[i]) = sg_dma_address(sg);
		sg_dma_len(&to[i]) = sg_dma_len(sg);
	}
}

/*
 * Ask fault injection whether @d fails, in the context of the client that
 * prepares it (so that task-filter and fail-nth apply to that client), and
 * with its length as the size (for space); if so, choose how many bytes it
 * moves first and which side fails, as a bus error half way would.
 */
static void swdma_inject(struct swdma_dev *sd, struct swdma_desc *d)
{
	u64 dir = swdma_knob(sd, SWDMA_FAIL_DIR);
	unsigned long flags;

	if (!should_fail(&sd->fail_copy, d->total))
		return;

	spin_lock_irqsave(&sd->fault_lock, flags);
	d->fault_at = prandom_u32_state(&sd->rnd) % d->total;
	if (dir == SWDMA_FAIL_EITHER)
		dir = prandom_u32_state(&sd->rnd) & 1 ? SWDMA_FAIL_READ :
							 SWDMA_FAIL_WRITE;
	spin_unlock_irqrestore(&sd->fault_lock, flags);
	d->fault = dir == SWDMA_FAIL_READ ? DMA_TRANS_READ_FAILED :
					    DMA_TRANS_WRITE_FAILED;
}

/* @d is complete: decide its fate and hand it to virt-dma. */
struct dma_async_tx_descriptor *swdma_tx_prep(struct swdma_chan *sc,
					      struct swdma_desc *d,
					      unsigned long flags)
{
	swdma_inject(sc->sd, d);
	return vchan_tx_prep(&sc->vc, &d->vd, flags);
}

static struct dma_async_tx_descriptor *
swdma_prep_memcpy(struct dma_chan *chan, dma_addr_t dst, dma_addr_t src,
		  size_t len, unsigned long flags)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	struct swdma_desc *d;

	/* Like a hardware length field, a segment holds 32 bits. */
	if (!len || len > UINT_MAX || (flags & DMA_CTRL_REUSE))
		return NULL;

	d = swdma_alloc_desc(sc, 1, 1);
	if (!d)
		return NULL;

	sg_dma_address(d->dst) = dst;
	sg_dma_len(d->dst) = len;
	sg_dma_address(d->src) = src;
	sg_dma_len(d->src) = len;
	d->total = len;
	return swdma_tx_prep(sc, d, flags);
}

static struct dma_async_tx_descriptor *
swdma_prep_memcpy_sg(struct dma_chan *chan,
		     struct scatterlist *dst_sg, unsigned int dst_nents,
		     struct scatterlist *src_sg, unsigned int src_nents,
		     unsigned long flags)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	struct swdma_desc *d;
	size_t total;

	if (!dst_sg || !src_sg || !dst_nents || !src_nents ||
	    (flags & DMA_CTRL_REUSE))
		return NULL;

	/* The residue a client sees holds 32 bits. */
	total = dma_sg_pair_len(dst_sg, dst_nents, src_sg, src_nents);
	if (!total || total > UINT_MAX)
		return NULL;

	d = swdma_alloc_desc(sc, dst_nents, src_nents);
	if (!d)
		return NULL;

	swdma_sg_copy(d->dst, dst_sg, dst_nents);
	swdma_sg_copy(d->src, src_sg, src_nents);
	d->total = total;
	return swdma_tx_prep(sc, d, flags);
}

/*
 * Is [@phys, @phys + @len) system RAM, which the direct map covers?
 * Anything else is a bus error on real hardware; a failed descriptor here.
 */
static bool swdma_phys_ok(phys_addr_t phys, size_t len)
{
	if (phys + len - 1 < phys)
		return false;
	return region_intersects(phys, len, IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) == REGION_INTERSECTS;
}

/*
 * Copy @len bytes: 0, or the dmaengine_tx_result of a bus error, with
 * *@moved the bytes copied before it.  The copy is machine-check safe, as
 * a DMA engine reports a poisoned source as a read error instead of taking
 * the machine down: a source that raises one ends the copy there.
 */
int swdma_copy(struct swdma_dev *sd, dma_addr_t dst, dma_addr_t src,
	       size_t len, size_t *moved)
{
	phys_addr_t dp = dma_to_phys(sd->dev, dst);
	phys_addr_t sp = dma_to_phys(sd->dev, src);
	size_t done = 0;

	*moved = 0;
	if (!swdma_phys_ok(sp, len))
		return DMA_TRANS_READ_FAILED;
	if (!swdma_phys_ok(dp, len))
		return DMA_TRANS_WRITE_FAILED;

	while (done < len) {
		size_t n = len - done;
		unsigned long left;
		void *to, *from;

		if (IS_ENABLED(CONFIG_HIGHMEM)) {
			n = min3(n, PAGE_SIZE - offset_in_page(dp + done),
				 PAGE_SIZE - offset_in_page(sp + done));
			to = kmap_local_pfn(PHYS_PFN(dp + done)) +
			     offset_in_page(dp + done);
			from = kmap_local_pfn(PHYS_PFN(sp + done)) +
			       offset_in_page(sp + done);
			left = copy_mc_to_kernel(to, from, n);
			kunmap_local(from);
			kunmap_local(to);
		} else {
			left = copy_mc_to_kernel(phys_to_virt(dp + done),
						 phys_to_virt(sp + done), n);
		}
		done += n - left;
		if (left) {
			*moved = done;
			return DMA_TRANS_READ_FAILED;
		}
	}
	*moved = done;
	return 0;
}

static u32 swdma_random_below(struct swdma_dev *sd, u32 n)
{
	unsigned long flags;
	u32 r;

	spin_lock_irqsave(&sd->fault_lock, flags);
	r = prandom_u32_state(&sd->rnd) % n;
	spin_unlock_irqrestore(&sd->fault_lock, flags);
	return r;
}

/* Should the worker stop moving data for @d?  Waits while paused. */
static bool swdma_stopped(struct swdma_chan *sc, struct swdma_desc *d)
{
	wait_event_interruptible(sc->work_wq, !READ_ONCE(sc->paused) ||
				 READ_ONCE(d->aborted) ||
				 kthread_should_stop());
	return READ_ONCE(d->aborted) || kthread_should_stop();
}

static void swdma_delay(struct swdma_chan *sc, struct swdma_desc *d)
{
	u64 us = swdma_knob(sc->sd, SWDMA_LATENCY_US);

	if (!us)
		return;
	if (us < 20000)
		usleep_range(us, us + us / 8 + 1);
	else
		wait_event_interruptible_timeout(sc->work_wq,
						 READ_ONCE(d->aborted) ||
						 kthread_should_stop(),
						 usecs_to_jiffies(us));
}

/*
 * Move the next burst of @d, of @len bytes at most, unless the channel is
 * paused or @d aborted: then nothing moves and the result is SWDMA_STOPPED.
 * device_pause() sets sc->paused and then takes run_lock, so once it
 * returns no burst is moving and none starts; @d->done counts the burst
 * before run_lock is released, so that a paused residue is exact.  Returns
 * 0 or a dmaengine_tx_result, with *@moved the bytes moved.
 */
static int swdma_burst(struct swdma_chan *sc, struct swdma_desc *d,
		       dma_addr_t dst, dma_addr_t src, size_t len,
		       size_t *moved)
{
	unsigned long flags;
	int ret;

	*moved = 0;
	spin_lock_irqsave(&sc->run_lock, flags);
	if (READ_ONCE(sc->paused) || READ_ONCE(d->aborted)) {
		spin_unlock_irqrestore(&sc->run_lock, flags);
		return SWDMA_STOPPED;
	}
	if (d->dir == DMA_MEM_TO_MEM) {
		ret = swdma_copy(sc->sd, dst, src, len, moved);
	} else {
		ret = swdma_port_burst(sc, d, dst, src, len);
		*moved = ret ? 0 : len;
	}
	spin_lock(&sc->vc.lock);
	d->done += *moved;
	spin_unlock(&sc->vc.lock);
	spin_unlock_irqrestore(&sc->run_lock, flags);
	return ret;
}

/* Move the data of @d; returns its dmaengine_tx_result. */
static int swdma_execute(struct swdma_chan *sc, struct swdma_desc *d)
{
	size_t max_len = d->max_seg ? d->max_seg : SIZE_MAX;
	size_t limit = d->fault ? d->fault_at : d->total;
	int result = d->fault;
	struct dma_sg_pair_iter it;
	size_t copied = 0;
	dma_addr_t dst, src;
	size_t len;

	max_len = min_t(size_t, max_len, SWDMA_BURST_BYTES);
	/* A slave transfer moves whole beats, at most one burst at a time. */
	if (d->dir != DMA_MEM_TO_MEM) {
		limit = rounddown(limit, d->width);
		max_len = min_t(size_t, rounddown(max_len, d->width) ?: d->width,
				(size_t)d->width * d->burst);
		swdma_port_start(sc, d);
	}

	/* Segments longer than a burst come out of the walk in bursts. */
	dma_sg_pair_iter_init(&it, d->dst, d->dst_nents, d->src, d->src_nents,
			      max_len);
	while (copied < limit && dma_sg_pair_iter_next(&it, &dst, &src, &len)) {
		size_t moved;
		int err;

		len = min(len, limit - copied);
		while ((err = swdma_burst(sc, d, dst, src, len, &moved)) ==
		       SWDMA_STOPPED) {
			if (swdma_stopped(sc, d))
				return result;
		}
		copied += moved;
		if (err) {
			result = err;
			break;
		}
		cond_resched();
	}
	/* A paused channel does not retire the descriptor either. */
	if (!swdma_stopped(sc, d))
		swdma_delay(sc, d);
	return result;
}

/* Take the next descriptor to execute (vc.lock held). */
static struct swdma_desc *swdma_pick(struct swdma_chan *sc)
{
	struct virt_dma_desc *vd;
	unsigned int n = 0;

	if (sc->paused)
		return NULL;

	if (!swdma_knob(sc->sd, SWDMA_OUT_OF_ORDER) && list_empty(&sc->window)) {
		vd = vchan_next_desc(&sc->vc);
		if (vd)
			list_del(&vd->node);
		return vd ? to_swdma_desc(vd) : NULL;
	}

	list_for_each_entry(vd, &sc->window, node)
		n++;
	while (n < SWDMA_OOO_WINDOW && (vd = vchan_next_desc(&sc->vc))) {
		list_move_tail(&vd->node, &sc->window);
		n++;
	}
	if (!n)
		return NULL;

	n = swdma_random_below(sc->sd, n);
	list_for_each_entry(vd, &sc->window, node)
		if (!n--)
			break;
	list_del(&vd->node);
	return to_swdma_desc(vd);
}

static bool swdma_has_work(struct swdma_chan *sc)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&sc->vc.lock, flags);
	ret = !sc->paused && (!list_empty(&sc->vc.desc_issued) ||
			      !list_empty(&sc->window));
	spin_unlock_irqrestore(&sc->vc.lock, flags);
	return ret || kthread_should_stop();
}

/*
 * Complete @d with @result, or free it if it was aborted.  False, with
 * nothing done, if the channel is paused: a descriptor does not complete
 * while device_pause() is in force.
 */
static bool swdma_retire(struct swdma_chan *sc, struct swdma_desc *d,
			 int result)
{
	unsigned long flags;
	bool aborted;

	spin_lock_irqsave(&sc->vc.lock, flags);
	/* A worker being stopped aborts what it was executing. */
	aborted = d->aborted || kthread_should_stop();
	if (!aborted && sc->paused) {
		spin_unlock_irqrestore(&sc->vc.lock, flags);
		return false;
	}
	sc->active = NULL;
	if (aborted) {
		/* Freed before synchronize can see the channel idle. */
		swdma_desc_free(&d->vd);
	} else {
		d->retired = true;
		d->vd.tx_result.result = result;
		d->vd.tx_result.residue = d->total - d->done;
		sc->cnt.descs++;
		sc->cnt.bytes += d->done;
		if (result != DMA_TRANS_NOERROR) {
			sc->cnt.errors++;
			sc->err_cookies[sc->err_next] = d->vd.tx.cookie;
			sc->err_next = (sc->err_next + 1) % SWDMA_ERR_COOKIES;
		}
		vchan_cookie_complete(&d->vd);
	}
	spin_unlock_irqrestore(&sc->vc.lock, flags);

	if (aborted)
		wake_up_all(&sc->idle_wq);
	return true;
}

/* @sc starts executing a descriptor: one more busy channel. */
static void swdma_busy_start(struct swdma_chan *sc)
{
	int n = atomic_inc_return(&sc->sd->busy);
	int peak = atomic_read(&sc->sd->busy_peak);

	while (n > peak && !atomic_try_cmpxchg(&sc->sd->busy_peak, &peak, n))
		;
}

static int swdma_worker(void *data)
{
	struct swdma_chan *sc = data;

	while (!kthread_should_stop()) {
		struct swdma_desc *d;
		unsigned long flags;

		/* Interruptible: an idle channel is not a hung task. */
		wait_event_interruptible(sc->work_wq, swdma_has_work(sc));

		spin_lock_irqsave(&sc->vc.lock, flags);
		d = swdma_pick(sc);
		sc->active = d;
		spin_unlock_irqrestore(&sc->vc.lock, flags);
		if (d) {
			int result;

			swdma_busy_start(sc);
			result = swdma_execute(sc, d);
			while (!swdma_retire(sc, d, result))
				swdma_stopped(sc, d);
			atomic_dec(&sc->sd->busy);
		}
		cond_resched();
	}
	return 0;
}

static void swdma_issue_pending(struct dma_chan *chan)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	unsigned long flags;
	bool work;

	spin_lock_irqsave(&sc->vc.lock, flags);
	work = vchan_issue_pending(&sc->vc);
	spin_unlock_irqrestore(&sc->vc.lock, flags);
	if (work)
		wake_up(&sc->work_wq);
}

/* Residue of a pending @cookie, or -1 if it is not pending (vc.lock). */
static ssize_t swdma_pending_residue(struct swdma_chan *sc, dma_cookie_t cookie)
{
	struct list_head *lists[] = {
		&sc->window, &sc->vc.desc_issued, &sc->vc.desc_submitted,
	};
	struct virt_dma_desc *vd;
	unsigned int i;

	if (sc->active && sc->active->vd.tx.cookie == cookie)
		return sc->active->total - sc->active->done;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each_entry(vd, lists[i], node)
			if (vd->tx.cookie == cookie)
				return to_swdma_desc(vd)->total;
	return -1;
}

/* Did @cookie complete with an error, recently enough to be remembered? */
static bool swdma_failed_cookie(struct swdma_chan *sc, dma_cookie_t cookie)
{
	unsigned int i;

	for (i = 0; i < SWDMA_ERR_COOKIES; i++)
		if (sc->err_cookies[i] == cookie)
			return true;
	return false;
}

static enum dma_status swdma_tx_status(struct dma_chan *chan,
				       dma_cookie_t cookie,
				       struct dma_tx_state *state)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	enum dma_status status;
	unsigned long flags;
	ssize_t residue;

	/*
	 * provider.rst: a device advertising DMA_COMPLETION_NO_ORDER answers
	 * DMA_OUT_OF_ORDER, and cookies say nothing; completions are known
	 * from callbacks only.  swdma answers so too, that a client which
	 * relies on cookies fails here as it would on idxd.  The order only
	 * changes while no channel is in use.
	 */
	if (swdma_knob(sc->sd, SWDMA_OUT_OF_ORDER)) {
		dma_set_tx_state(state, 0, 0, 0);
		return DMA_OUT_OF_ORDER;
	}

	spin_lock_irqsave(&sc->vc.lock, flags);
	status = dma_cookie_status(chan, cookie, state);
	if (status == DMA_COMPLETE) {
		if (sc->cnt.errors && swdma_failed_cookie(sc, cookie))
			status = DMA_ERROR;
	} else {
		residue = swdma_pending_residue(sc, cookie);
		if (residue >= 0) {
			status = sc->paused ? DMA_PAUSED : DMA_IN_PROGRESS;
			dma_set_residue(state, residue);
		}
	}
	spin_unlock_irqrestore(&sc->vc.lock, flags);
	return status;
}

/*
 * Pause or resume.  A pause is synchronous: once the flag is set under
 * vc.lock (which the worker checks before retiring a descriptor), taking
 * run_lock waits for the burst in flight, and the worker checks the flag
 * under run_lock before each burst.  So when swdma_pause() returns, no data
 * moves and nothing completes until swdma_resume().  Atomic-safe: the
 * wait is one burst.
 */
static void swdma_set_paused(struct swdma_chan *sc, bool paused)
{
	unsigned long flags;

	spin_lock_irqsave(&sc->vc.lock, flags);
	WRITE_ONCE(sc->paused, paused);
	spin_unlock_irqrestore(&sc->vc.lock, flags);
	if (paused) {
		spin_lock_irqsave(&sc->run_lock, flags);
		spin_unlock_irqrestore(&sc->run_lock, flags);
	} else {
		wake_up(&sc->work_wq);
	}
}

static int swdma_pause(struct dma_chan *chan)
{
	swdma_set_paused(to_swdma_chan(chan), true);
	return 0;
}

static int swdma_resume(struct dma_chan *chan)
{
	swdma_set_paused(to_swdma_chan(chan), false);
	return 0;
}

/*
 * Abort everything: descriptors prepared, submitted, issued, or completed
 * but not yet called back are freed without their callbacks; the one
 * executing is flagged and freed by the worker as soon as it stops, which
 * device_synchronize() waits for.  Atomic-safe.
 */
static int swdma_terminate_all(struct dma_chan *chan)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	unsigned long flags;
	LIST_HEAD(head);

	spin_lock_irqsave(&sc->vc.lock, flags);
	if (sc->active)
		WRITE_ONCE(sc->active->aborted, true);
	list_splice_tail_init(&sc->window, &head);
	vchan_get_all_descriptors(&sc->vc, &head);
	WRITE_ONCE(sc->paused, false);
	spin_unlock_irqrestore(&sc->vc.lock, flags);

	vchan_dma_desc_free_list(&sc->vc, &head);
	wake_up(&sc->work_wq);
	return 0;
}

static bool swdma_aborted_done(struct swdma_chan *sc)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&sc->vc.lock, flags);
	ret = !sc->active || !sc->active->aborted;
	spin_unlock_irqrestore(&sc->vc.lock, flags);
	return ret;
}

static void swdma_synchronize(struct dma_chan *chan)
{
	struct swdma_chan *sc = to_swdma_chan(chan);

	wait_event(sc->idle_wq, swdma_aborted_done(sc));
	vchan_synchronize(&sc->vc);
}

static int swdma_alloc_chan_resources(struct dma_chan *chan)
{
	struct swdma_chan *sc = to_swdma_chan(chan);

	mutex_lock(&sc->sd->mode_lock);
	sc->in_use = true;
	mutex_unlock(&sc->sd->mode_lock);
	return 0;
}

static void swdma_free_chan_resources(struct dma_chan *chan)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	unsigned long flags;

	swdma_terminate_all(chan);
	swdma_synchronize(chan);
	vchan_free_chan_resources(&sc->vc);

	spin_lock_irqsave(&sc->vc.lock, flags);
	memset(sc->err_cookies, 0, sizeof(sc->err_cookies));
	/* The next client starts unconfigured; the ports keep their data. */
	memset(&sc->cfg, 0, sizeof(sc->cfg));
	spin_unlock_irqrestore(&sc->vc.lock, flags);

	mutex_lock(&sc->sd->mode_lock);
	sc->in_use = false;
	mutex_unlock(&sc->sd->mode_lock);
}

/**
 * swdma_get_dev() - the swdma device behind a platform device
 * @dev: device of a bound "swdma" platform device
 *
 * Return: the swdma device, or NULL if @dev is not bound to swdma.
 */
struct swdma_dev *swdma_get_dev(struct device *dev)
{
	if (dev->driver != &swdma_driver.driver)
		return NULL;
	return dev_get_drvdata(dev);
}
EXPORT_SYMBOL_IF_KUNIT(swdma_get_dev);

/**
 * swdma_set_knob() - change a test knob
 * @sd: swdma device
 * @knob: which knob
 * @val: new value, see enum swdma_knob for the valid ranges
 *
 * Return: 0, -EINVAL for an unknown knob or an out-of-range value, or
 * -EBUSY when the completion order changes while a channel is in use.
 * On error the knob keeps its value.
 */
int swdma_set_knob(struct swdma_dev *sd, enum swdma_knob knob, u64 val)
{
	unsigned long flags;
	unsigned int i;
	int ret = 0;

	if (knob >= SWDMA_NR_KNOBS || val > swdma_knob_max[knob])
		return -EINVAL;

	mutex_lock(&sd->mode_lock);
	if (knob == SWDMA_OUT_OF_ORDER && val != swdma_knob(sd, knob)) {
		for (i = 0; i < sd->nr_chans; i++) {
			if (sd->chans[i].in_use) {
				ret = -EBUSY;
				goto out;
			}
		}
		if (val)
			dma_cap_set(DMA_COMPLETION_NO_ORDER, sd->dma.cap_mask);
		else
			dma_cap_clear(DMA_COMPLETION_NO_ORDER,
				      sd->dma.cap_mask);
	}

	spin_lock_irqsave(&sd->fault_lock, flags);
	WRITE_ONCE(sd->knob[knob], val);
	if (knob == SWDMA_FAIL_SEED)
		prandom_seed_state(&sd->rnd, val);
	spin_unlock_irqrestore(&sd->fault_lock, flags);
out:
	mutex_unlock(&sd->mode_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(swdma_set_knob);

/**
 * swdma_get_knob() - read a test knob
 * @sd: swdma device
 * @knob: which knob
 *
 * Return: the knob's value, 0 for an unknown knob.
 */
u64 swdma_get_knob(struct swdma_dev *sd, enum swdma_knob knob)
{
	return knob < SWDMA_NR_KNOBS ? swdma_knob(sd, knob) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(swdma_get_knob);

/**
 * swdma_fault_attr() - the fault-injection attributes of a device
 * @sd: swdma device
 *
 * Which descriptors of @sd fail: lib/fault-inject asks them once per
 * descriptor, when it is prepared, with its length as the size.  They are
 * also the fail_copy directory of the device's debugfs directory.
 *
 * Return: the attributes, for a test to set.
 */
struct fault_attr *swdma_fault_attr(struct swdma_dev *sd)
{
	return &sd->fail_copy;
}
EXPORT_SYMBOL_IF_KUNIT(swdma_fault_attr);

/**
 * swdma_get_counters() - read the counters of a channel
 * @chan: a channel of an swdma device
 * @cnt: where to store them
 */
void swdma_get_counters(struct dma_chan *chan, struct swdma_counters *cnt)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	unsigned long flags;

	spin_lock_irqsave(&sc->vc.lock, flags);
	*cnt = sc->cnt;
	spin_unlock_irqrestore(&sc->vc.lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(swdma_get_counters);

/**
 * swdma_live_descs() - descriptors of a device not yet freed
 * @sd: swdma device
 *
 * Return: the number of descriptors prepared and not yet freed.
 */
int swdma_live_descs(struct swdma_dev *sd)
{
	return atomic_read(&sd->live_descs);
}
EXPORT_SYMBOL_IF_KUNIT(swdma_live_descs);

/**
 * swdma_unacked_descs() - completed descriptors freed without DMA_CTRL_ACK
 * @sd: the device
 *
 * Return: how many descriptors of @sd completed and were freed without
 * DMA_CTRL_ACK since it was probed: each one a descriptor that a provider
 * recycling only acked descriptors would never have given back.
 */
long swdma_unacked_descs(struct swdma_dev *sd)
{
	return atomic_long_read(&sd->unacked_descs);
}
EXPORT_SYMBOL_IF_KUNIT(swdma_unacked_descs);

static ssize_t swdma_knob_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct swdma_knob_file *f = file->private_data;
	char buf[24];
	int len;

	len = scnprintf(buf, sizeof(buf), "%llu\n",
			swdma_get_knob(f->sd, f->knob));
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

/*
 * One number (decimal, or 0x hex) and an optional newline, written at
 * once; anything else, overflow included, is -EINVAL.
 */
static ssize_t swdma_knob_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct swdma_knob_file *f = file->private_data;
	char buf[24];
	u64 val;
	int ret;

	if (*ppos || !count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X'))
		ret = buf[2] == '+' ? -EINVAL : kstrtou64(buf + 2, 16, &val);
	else
		ret = buf[0] == '+' ? -EINVAL : kstrtou64(buf, 10, &val);
	if (ret)
		return -EINVAL;

	ret = swdma_set_knob(f->sd, f->knob, val);
	return ret ? ret : count;
}

static const struct file_operations swdma_knob_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = swdma_knob_read,
	.write = swdma_knob_write,
	.llseek = default_llseek,
};

static int swdma_counters_show(struct seq_file *s, void *unused)
{
	struct swdma_dev *sd = s->private;
	struct swdma_counters cnt;
	unsigned int i;

	seq_puts(s, "chan descs bytes errors\n");
	for (i = 0; i < sd->nr_chans; i++) {
		swdma_get_counters(&sd->chans[i].vc.chan, &cnt);
		seq_printf(s, "%s %llu %llu %llu\n",
			   dma_chan_name(&sd->chans[i].vc.chan),
			   cnt.descs, cnt.bytes, cnt.errors);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(swdma_counters);

static int swdma_live_get(void *data, u64 *val)
{
	*val = swdma_live_descs(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(swdma_live_fops, swdma_live_get, NULL, "%llu\n");

static int swdma_unacked_get(void *data, u64 *val)
{
	*val = swdma_unacked_descs(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(swdma_unacked_fops, swdma_unacked_get, NULL,
			 "%llu\n");

static int swdma_busy_peak_get(void *data, u64 *val)
{
	struct swdma_dev *sd = data;

	*val = atomic_read(&sd->busy_peak);
	return 0;
}

/* Only 0, which restarts the peak from the channels busy now. */
static int swdma_busy_peak_set(void *data, u64 val)
{
	struct swdma_dev *sd = data;

	if (val)
		return -EINVAL;
	atomic_set(&sd->busy_peak, atomic_read(&sd->busy));
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(swdma_busy_peak_fops, swdma_busy_peak_get,
			 swdma_busy_peak_set, "%llu\n");

static void swdma_debugfs_init(struct swdma_dev *sd)
{
	struct dentry *root = sd->dma.dbg_dev_root;
	unsigned int i;

	if (!root)
		return;

	for (i = 0; i < SWDMA_NR_KNOBS; i++) {
		sd->files[i].sd = sd;
		sd->files[i].knob = i;
		debugfs_create_file(swdma_knob_names[i], 0600, root,
				    &sd->files[i], &swdma_knob_fops);
	}
	/* Without CONFIG_FAULT_INJECTION_DEBUG_FS, no directory and no failure. */
	fault_create_debugfs_attr("fail_copy", root, &sd->fail_copy);
	debugfs_create_file("counters", 0400, root, sd, &swdma_counters_fops);
	debugfs_create_file_unsafe("live_descs", 0400, root, sd,
				   &swdma_live_fops);
	debugfs_create_file_unsafe("unacked_descs", 0400, root, sd,
				   &swdma_unacked_fops);
	debugfs_create_file_unsafe("busy_peak", 0600, root, sd,
				   &swdma_busy_peak_fops);
}

/*
 * swdma reaches memory through the DMA address a client mapped, so that
 * address must be the memory's physical address (direct mapping) and the
 * CPU's view must be coherent with the device's.
 */
static int swdma_check_dma(struct device *dev)
{
	struct page *page;
	dma_addr_t addr;
	int ret = 0;

	if (device_iommu_mapped(dev))
		return dev_err_probe(dev, -ENODEV,
				     "DMA addresses are translated by an IOMMU; swdma needs direct mapping\n");
	if (is_swiotlb_force_bounce(dev))
		return dev_err_probe(dev, -ENODEV,
				     "DMA is bounced through swiotlb; swdma needs direct mapping\n");
	if (!dev_is_dma_coherent(dev))
		return dev_err_probe(dev, -ENODEV,
				     "DMA is not cache-coherent; swdma needs coherent DMA\n");

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	addr = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, addr)) {
		ret = dev_err_probe(dev, -ENODEV, "cannot map a test page\n");
	} else {
		if (dma_to_phys(dev, addr) != page_to_phys(page))
			ret = dev_err_probe(dev, -ENODEV,
					    "DMA address %pad does not name the page it maps; swdma needs direct mapping\n",
					    &addr);
		dma_unmap_page(dev, addr, PAGE_SIZE, DMA_BIDIRECTIONAL);
	}
	__free_page(page);
	return ret;
}

static void swdma_teardown_chans(struct swdma_dev *sd)
{
	unsigned int i;

	for (i = 0; i < sd->nr_chans; i++) {
		struct swdma_chan *sc = &sd->chans[i];

		if (sc->task)
			kthread_stop(sc->task);
		sc->task = NULL;
		tasklet_kill(&sc->vc.task);
		list_del(&sc->vc.chan.device_node);
		swdma_ports_free(sc);
	}
}

static void swdma_init_dma_device(struct swdma_dev *sd,
				  const struct swdma_platform_data *pdata)
{
	struct dma_device *dma = &sd->dma;

	dma_cap_zero(dma->cap_mask);
	dma_cap_set(DMA_MEMCPY, dma->cap_mask);
	dma_cap_set(DMA_MEMCPY_SG, dma->cap_mask);
	if (pdata->private)
		dma_cap_set(DMA_PRIVATE, dma->cap_mask);

	INIT_LIST_HEAD(&dma->channels);
	dma->dev = sd->dev;
	dma->copy_align = DMAENGINE_ALIGN_1_BYTE;
	dma->directions = BIT(DMA_MEM_TO_MEM);
	dma->residue_granularity = DMA_RESIDUE_GRANULARITY_BURST;
	dma->device_alloc_chan_resources = swdma_alloc_chan_resources;
	dma->device_free_chan_resources = swdma_free_chan_resources;
	dma->device_prep_dma_memcpy = swdma_prep_memcpy;
	dma->device_prep_dma_memcpy_sg = swdma_prep_memcpy_sg;
	dma->device_issue_pending = swdma_issue_pending;
	dma->device_tx_status = swdma_tx_status;
	dma->device_pause = swdma_pause;
	dma->device_resume = swdma_resume;
	/* The driver itself still stops its channels when they are freed. */
	if (!pdata->no_terminate) {
		dma->device_terminate_all = swdma_terminate_all;
		dma->device_synchronize = swdma_synchronize;
	}
}

/* Fault injection's defaults, with a rate limit of the device's own. */
static void swdma_fail_copy_init(struct swdma_dev *sd)
{
	sd->fail_copy = swdma_fail_copy_default;
#ifdef CONFIG_FAULT_INJECTION
	/* A copied static lock would be a lockdep key outside static memory. */
	ratelimit_state_init(&sd->fail_copy.ratelimit_state, 0,
			     DEFAULT_RATELIMIT_BURST);
#endif
}

static const char * const swdma_slave_modes[] = {
	[SWDMA_SLAVE_CONFIG_PREP]	= ", slave with config+prep",
	[SWDMA_SLAVE_SPLIT]		= ", slave without config+prep",
	[SWDMA_SLAVE_NONE]		= "",
};

static int swdma_probe(struct platform_device *pdev)
{
	const struct swdma_platform_data *pdata = dev_get_platdata(&pdev->dev);
	struct device *dev = &pdev->dev;
	struct swdma_dev *sd;
	unsigned int i;
	int ret;

	if (!pdata)
		return dev_err_probe(dev, -EINVAL, "no platform data\n");
	if (!pdata->nr_channels || pdata->nr_channels > SWDMA_MAX_CHANNELS)
		return dev_err_probe(dev, -EINVAL,
				     "nr_channels %u out of range 1-%u\n",
				     pdata->nr_channels, SWDMA_MAX_CHANNELS);
	if (pdata->slave >= ARRAY_SIZE(swdma_slave_modes))
		return dev_err_probe(dev, -EINVAL, "unknown slave mode %u\n",
				     pdata->slave);

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "cannot set a 64-bit DMA mask\n");
	dma_set_max_seg_size(dev, UINT_MAX);
	ret = swdma_check_dma(dev);
	if (ret)
		return ret;

	sd = devm_kzalloc(dev, sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	sd->chans = devm_kcalloc(dev, pdata->nr_channels, sizeof(*sd->chans),
				 GFP_KERNEL);
	if (!sd->chans)
		return -ENOMEM;

	sd->dev = dev;
	sd->nr_chans = pdata->nr_channels;
	mutex_init(&sd->mode_lock);
	spin_lock_init(&sd->fault_lock);
	prandom_seed_state(&sd->rnd, 0);
	swdma_fail_copy_init(sd);
	swdma_init_dma_device(sd, pdata);

	for (i = 0; i < sd->nr_chans; i++) {
		struct swdma_chan *sc = &sd->chans[i];

		sc->sd = sd;
		init_waitqueue_head(&sc->work_wq);
		init_waitqueue_head(&sc->idle_wq);
		INIT_LIST_HEAD(&sc->window);
		spin_lock_init(&sc->port_lock);
		spin_lock_init(&sc->run_lock);
		sc->vc.desc_free = swdma_desc_free;
		vchan_init(&sc->vc, &sd->dma);
	}
	ret = swdma_ports_init(sd, pdata->slave);
	if (ret)
		goto err_workers;
	for (i = 0; i < sd->nr_chans; i++) {
		struct task_struct *t;

		t = kthread_run(swdma_worker, &sd->chans[i], "%s/%u",
				dev_name(dev), i);
		if (IS_ERR(t)) {
			ret = dev_err_probe(dev, PTR_ERR(t),
					    "cannot start channel %u\n", i);
			goto err_workers;
		}
		sd->chans[i].task = t;
	}

	platform_set_drvdata(pdev, sd);
	ret = dma_async_device_register(&sd->dma);
	if (ret) {
		dev_err_probe(dev, ret, "cannot register the DMA device\n");
		goto err_workers;
	}
	swdma_debugfs_init(sd);

	dev_info(dev, "%u channels%s%s%s\n", sd->nr_chans,
		 pdata->private ? ", private" : "",
		 swdma_slave_modes[pdata->slave],
		 pdata->no_terminate ? ", no terminate_all/synchronize" : "");
	return 0;

err_workers:
	platform_set_drvdata(pdev, NULL);
	swdma_teardown_chans(sd);
	mutex_destroy(&sd->mode_lock);
	return ret;
}

static void swdma_remove(struct platform_device *pdev)
{
	struct swdma_dev *sd = platform_get_drvdata(pdev);

	/*
	 * No channel is in use: clients hold a module reference, the bind
	 * attributes are suppressed, and KUnit releases before removing.
	 */
	dma_async_device_unregister(&sd->dma);
	swdma_teardown_chans(sd);
	WARN_ON(atomic_read(&sd->live_descs));
	mutex_destroy(&sd->mode_lock);
}

static struct platform_driver swdma_driver = {
	.probe = swdma_probe,
	.remove = swdma_remove,
	.driver = {
		.name = "swdma",
		/* Unbinding under a client would free its channels. */
		.suppress_bind_attrs = true,
		/* swdma_init() looks at the probe's outcome. */
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

static struct platform_device *swdma_pdev;

static int __init swdma_init(void)
{
	struct swdma_platform_data pdata = {
		.nr_channels = nr_channels,
		.private = private,
		.slave = config_prep ? SWDMA_SLAVE_CONFIG_PREP :
				       SWDMA_SLAVE_SPLIT,
		.no_terminate = !terminate,
	};
	int ret;

	if (!nr_channels || nr_channels > SWDMA_MAX_CHANNELS) {
		pr_err("nr_channels=%u out of range 1-%u\n", nr_channels,
		       SWDMA_MAX_CHANNELS);
		return -EINVAL;
	}

	ret = platform_driver_register(&swdma_driver);
	if (ret)
		return ret;

	swdma_pdev = platform_device_register_data(NULL, "swdma", 0, &pdata,
						   sizeof(pdata));
	if (IS_ERR(swdma_pdev)) {
		platform_driver_unregister(&swdma_driver);
		return PTR_ERR(swdma_pdev);
	}
	if (!platform_get_drvdata(swdma_pdev)) {
		/* The probe said why. */
		platform_device_unregister(swdma_pdev);
		platform_driver_unregister(&swdma_driver);
		return -ENODEV;
	}
	return 0;
}
module_init(swdma_init);

static void __exit swdma_exit(void)
{
	platform_device_unregister(swdma_pdev);
	platform_driver_unregister(&swdma_driver);
}
module_exit(swdma_exit);

MODULE_DESCRIPTION("Software memcpy DMA engine");
MODULE_LICENSE("GPL");
