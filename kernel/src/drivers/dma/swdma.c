// SPDX-License-Identifier: GPL-2.0-only
/*
 * swdma - a software memcpy DMA engine
 *
 * swdma registers a DMA engine whose channels are kernel threads: each one
 * executes the descriptors issued to it by copying the memory that their
 * DMA addresses name, then completes them through virt-dma like a hardware
 * interrupt would.  It offers DMA_MEMCPY and DMA_MEMCPY_SG, so DMA clients
 * (dmatest, page-migration offload) can be developed and tested on any
 * machine.  Test knobs in debugfs inject failures, latency, out-of-order
 * retirement and short segments.
 *
 * It also offers slave transfers to and from emulated device ports: each
 * channel owns memory holding the FIFOs of SWDMA_NR_PORTS ports, and the
 * bus address of a FIFO is what a client puts in its dma_slave_config.
 * Depending on the device's mode, the combined config+prep operation is
 * offered too, so that both paths of dmaengine's config+prep helpers can
 * be tested on the same engine.
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
#include "swdma.h"
#include "virt-dma.h"

#define SWDMA_OOO_WINDOW	8
#define SWDMA_MAX_LATENCY_US	10000000
#define SWDMA_PPM		1000000
#define SWDMA_COPY_CHUNK	SZ_1M
#define SWDMA_ERR_COOKIES	64

static unsigned int nr_channels = 4;
module_param(nr_channels, uint, 0444);
MODULE_PARM_DESC(nr_channels, "Channels of the swdma device (1-64, default 4)");

static bool private;
module_param(private, bool, 0444);
MODULE_PARM_DESC(private, "Register with DMA_PRIVATE (default: public channels)");

static bool config_prep = true;
module_param(config_prep, bool, 0444);
MODULE_PARM_DESC(config_prep, "Offer device_prep_config_sg (default); 0: only device_config and device_prep_slave_sg");

static bool terminate = true;
module_param(terminate, bool, 0444);
MODULE_PARM_DESC(terminate, "Offer device_terminate_all and device_synchronize (default); 0: neither, like idxd and ioat");

#define SWDMA_ADDR_WIDTHS	(BIT(DMA_SLAVE_BUSWIDTH_1_BYTE) | \
				 BIT(DMA_SLAVE_BUSWIDTH_2_BYTES) | \
				 BIT(DMA_SLAVE_BUSWIDTH_4_BYTES) | \
				 BIT(DMA_SLAVE_BUSWIDTH_8_BYTES))
#define SWDMA_PORTS_BYTES	(SWDMA_NR_PORTS * SWDMA_PORT_SIZE)

/**
 * struct swdma_desc - one transaction
 * @vd: virt-dma descriptor
 * @total: bytes the transaction moves, min(total dst, total src)
 * @done: bytes moved so far, at segment granularity (vc.lock)
 * @max_seg: longest segment, from %SWDMA_MAX_SEG_LEN at prep time
 * @aborted: terminated while the worker executes it (written under vc.lock,
 *	read locklessly by the worker as a hint)
 * @retired: executed to its end and completed, not aborted (vc.lock)
 * @dir: DMA_MEM_TO_MEM, or the direction of a slave transfer
 * @port: the device port of a slave transfer
 * @width: address width of the port side of a slave transfer, in bytes
 * @burst: beats per burst of a slave transfer
 * @cfg: slave configuration in force when a slave transfer was prepared
 * @dst_nents: entries of @dst
 * @src_nents: entries of @src
 * @dst: copy of the destination list
 * @src: copy of the source list
 * @sg: storage of @dst and @src
 *
 * The lists are copied at prep time: hardware reads its descriptors, not
 * the client's scatterlists, and a client may free those once prepared.
 * A slave transfer has one list of memory and one entry for its port.
 */
struct swdma_desc {
	struct virt_dma_desc vd;
	size_t total;
	size_t done;
	u32 max_seg;
	bool aborted;
	bool retired;
	enum dma_transfer_direction dir;
	unsigned int port;
	u32 width;
	u32 burst;
	struct dma_slave_config cfg;
	unsigned int dst_nents;
	unsigned int src_nents;
	struct scatterlist *dst;
	struct scatterlist *src;
	struct scatterlist sg[];
};

/**
 * struct swdma_port - an emulated device port: a FIFO and what it has seen
 * @head: offset in the FIFO of its oldest byte
 * @stats: what the port has seen; @stats.fill is the FIFO's byte count
 */
struct swdma_port {
	unsigned int head;
	struct swdma_port_stats stats;
};

/**
 * struct swdma_chan - one channel and its execution thread
 * @vc: virt-dma channel; its lock protects the fields marked (vc.lock)
 * @sd: the device
 * @task: thread that executes the issued descriptors
 * @work_wq: where @task waits for work, resume or abort
 * @idle_wq: where synchronize waits for @task to drop an aborted descriptor
 * @window: descriptors taken from desc_issued in out-of-order mode,
 *	retired in a pseudo-random order (vc.lock)
 * @active: descriptor @task is executing, on no list (vc.lock)
 * @paused: device_pause() in force (written under vc.lock, read locklessly
 *	by the worker as a hint)
 * @in_use: a client holds the channel (sd->mode_lock)
 * @err_cookies: the last SWDMA_ERR_COOKIES cookies that completed with an
 *	error, so that tx_status can report DMA_ERROR for them (vc.lock)
 * @err_next: next slot of @err_cookies to fill (vc.lock)
 * @cnt: counters (vc.lock)
 * @cfg: slave configuration for descriptors prepared without one (vc.lock)
 * @ports_mem: the FIFOs of the device ports, SWDMA_PORT_SIZE bytes each, or
 *	NULL on a device without slave transfers
 * @ports_dma: bus address of @ports_mem, that of port 0
 * @port_lock: serializes access to the ports and their state
 * @ports: state of the device ports (port_lock)
 */
struct swdma_chan {
	struct virt_dma_chan vc;
	struct swdma_dev *sd;
	struct task_struct *task;
	wait_queue_head_t work_wq;
	wait_queue_head_t idle_wq;
	struct list_head window;
	struct swdma_desc *active;
	bool paused;
	bool in_use;
	dma_cookie_t err_cookies[SWDMA_ERR_COOKIES];
	unsigned int err_next;
	struct swdma_counters cnt;
	struct dma_slave_config cfg;
	u8 *ports_mem;
	dma_addr_t ports_dma;
	struct mutex port_lock;		/* the ports and their state */
	struct swdma_port ports[SWDMA_NR_PORTS];
};

/**
 * struct swdma_knob_file - debugfs private data of one knob
 * @sd: the device
 * @knob: which knob
 */
struct swdma_knob_file {
	struct swdma_dev *sd;
	enum swdma_knob knob;
};

/**
 * struct swdma_dev - one swdma DMA device
 * @dma: the DMA device
 * @dev: the platform device's device
 * @chans: channels
 * @nr_chans: number of @chans
 * @live_descs: descriptors allocated and not yet freed
 * @unacked_descs: descriptors that completed and were freed without
 *	DMA_CTRL_ACK: a provider that recycles only acked descriptors (mv_xor,
 *	fsldma, shdma, ...) would have kept each of them, until its pool ran dry
 * @busy: channels executing a descriptor now, its latency included
 * @busy_peak: the most channels that were executing at once, since the
 *	probe or the last reset through debugfs
 * @mode_lock: serializes ordering changes against channel allocation
 * @fault_lock: protects the fault state below
 * @rnd: pseudo-random state (fault_lock)
 * @until_fail: descriptors still to execute before the next fail_every
 *	failure (fault_lock)
 * @knob: knob values, see enum swdma_knob (written under fault_lock)
 * @files: debugfs private data of the knobs
 */
struct swdma_dev {
	struct dma_device dma;
	struct device *dev;
	struct swdma_chan *chans;
	unsigned int nr_chans;
	atomic_t live_descs;
	atomic_long_t unacked_descs;
	atomic_t busy;
	atomic_t busy_peak;
	struct mutex mode_lock;		/* ordering vs. channel allocation */
	spinlock_t fault_lock;		/* rnd, until_fail, knob writes */
	struct rnd_state rnd;
	u32 until_fail;
	u64 knob[SWDMA_NR_KNOBS];
	struct swdma_knob_file files[SWDMA_NR_KNOBS];
};

static struct platform_driver swdma_driver;

static const char * const swdma_knob_names[SWDMA_NR_KNOBS] = {
	[SWDMA_FAIL_EVERY]	= "fail_every",
	[SWDMA_FAIL_PPM]	= "fail_ppm",
	[SWDMA_FAIL_SEED]	= "fail_seed",
	[SWDMA_LATENCY_US]	= "latency_us",
	[SWDMA_MAX_SEG_LEN]	= "max_seg_len",
	[SWDMA_OUT_OF_ORDER]	= "out_of_order",
};

static const u64 swdma_knob_max[SWDMA_NR_KNOBS] = {
	[SWDMA_FAIL_EVERY]	= U32_MAX,
	[SWDMA_FAIL_PPM]	= SWDMA_PPM,
	[SWDMA_FAIL_SEED]	= U64_MAX,
	[SWDMA_LATENCY_US]	= SWDMA_MAX_LATENCY_US,
	[SWDMA_MAX_SEG_LEN]	= U32_MAX,
	[SWDMA_OUT_OF_ORDER]	= 1,
};

static struct swdma_chan *to_swdma_chan(struct dma_chan *chan)
{
	return container_of(chan, struct swdma_chan, vc.chan);
}

static struct swdma_desc *to_swdma_desc(struct virt_dma_desc *vd)
{
	return container_of(vd, struct swdma_desc, vd);
}

static u64 swdma_knob(struct swdma_dev *sd, enum swdma_knob knob)
{
	return READ_ONCE(sd->knob[knob]);
}

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

static struct swdma_desc *swdma_alloc_desc(struct swdma_chan *sc,
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

static void swdma_sg_copy(struct scatterlist *to, struct scatterlist *from,
			  unsigned int nents)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sg(from, sg, nents, i) {
		sg_dma_address(&to[i]) = sg_dma_address(sg);
		sg_dma_len(&to[i]) = sg_dma_len(sg);
	}
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
	return vchan_tx_prep(&sc->vc, &d->vd, flags);
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
	return vchan_tx_prep(&sc->vc, &d->vd, flags);
}

/* The port whose FIFO @addr names, or -1 if it names none of @sc's. */
static int swdma_port_index(struct swdma_chan *sc, dma_addr_t addr)
{
	dma_addr_t off = addr - sc->ports_dma;

	if (!sc->ports_mem || addr < sc->ports_dma || off >= SWDMA_PORTS_BYTES ||
	    off % SWDMA_PORT_SIZE)
		return -1;
	return off / SWDMA_PORT_SIZE;
}

/* Check the device side of one direction of a slave configuration. */
static int swdma_check_side(struct swdma_chan *sc, const char *side,
			    dma_addr_t addr, enum dma_slave_buswidth width,
			    u32 maxburst, u32 window_size)
{
	struct device *dev = &sc->vc.chan.dev->device;

	if (width > DMA_SLAVE_BUSWIDTH_8_BYTES ||
	    (width && !(SWDMA_ADDR_WIDTHS & BIT(width)))) {
		dev_dbg(dev, "%s_addr_width %u not supported\n", side, width);
		return -EINVAL;
	}
	if (maxburst > SWDMA_MAX_BURST) {
		dev_dbg(dev, "%s_maxburst %u above %u\n", side, maxburst,
			SWDMA_MAX_BURST);
		return -EINVAL;
	}
	if (window_size) {
		dev_dbg(dev, "%s_port_window_size not supported\n", side);
		return -EINVAL;
	}
	if (addr && swdma_port_index(sc, addr) < 0) {
		dev_dbg(dev, "%s_addr %pad is no port of this channel\n", side,
			&addr);
		return -EINVAL;
	}
	if (addr && !width) {
		dev_dbg(dev, "%s_addr without %s_addr_width\n", side, side);
		return -EINVAL;
	}
	return 0;
}

/*
 * A side whose address is 0 is left unconfigured: transfers in its
 * direction are refused until a configuration sets it.
 */
static int swdma_check_config(struct swdma_chan *sc,
			      const struct dma_slave_config *cfg)
{
	if (cfg->device_fc) {
		dev_dbg(&sc->vc.chan.dev->device,
			"no flow control by the peripheral\n");
		return -EINVAL;
	}
	return swdma_check_side(sc, "src", cfg->src_addr, cfg->src_addr_width,
				cfg->src_maxburst, cfg->src_port_window_size) ?:
	       swdma_check_side(sc, "dst", cfg->dst_addr, cfg->dst_addr_width,
				cfg->dst_maxburst, cfg->dst_port_window_size);
}

static void swdma_set_config(struct swdma_chan *sc,
			     const struct dma_slave_config *cfg)
{
	unsigned long flags;

	spin_lock_irqsave(&sc->vc.lock, flags);
	sc->cfg = *cfg;
	spin_unlock_irqrestore(&sc->vc.lock, flags);
}

/* Atomic-safe: the config+prep helpers call it under a spinlock. */
static int swdma_config(struct dma_chan *chan, struct dma_slave_config *cfg)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	int ret;

	ret = swdma_check_config(sc, cfg);
	if (!ret)
		swdma_set_config(sc, cfg);
	return ret;
}

/* Prepare a slave transfer with @cfg, which has passed the checks. */
static struct dma_async_tx_descriptor *
swdma_prep_slave(struct swdma_chan *sc, struct scatterlist *sgl,
		 unsigned int sg_len, enum dma_transfer_direction dir,
		 unsigned long flags, const struct dma_slave_config *cfg)
{
	bool to_dev = dir == DMA_MEM_TO_DEV;
	dma_addr_t port = to_dev ? cfg->dst_addr : cfg->src_addr;
	u32 width = to_dev ? cfg->dst_addr_width : cfg->src_addr_width;
	u32 burst = to_dev ? cfg->dst_maxburst : cfg->src_maxburst;
	struct scatterlist *sg, *port_sg;
	struct swdma_desc *d;
	size_t total = 0;
	unsigned int i;

	if ((!to_dev && dir != DMA_DEV_TO_MEM) || !port || !sgl || !sg_len ||
	    (flags & DMA_CTRL_REUSE))
		return NULL;
	/* Whole beats only, and a residue that holds 32 bits. */
	for_each_sg(sgl, sg, sg_len, i) {
		if (sg_dma_len(sg) % width || sg_dma_len(sg) > UINT_MAX - total)
			return NULL;
		total += sg_dma_len(sg);
	}
	if (!total)
		return NULL;

	if (to_dev) {
		d = swdma_alloc_desc(sc, 1, sg_len);
		if (!d)
			return NULL;
		swdma_sg_copy(d->src, sgl, sg_len);
		port_sg = d->dst;
	} else {
		d = swdma_alloc_desc(sc, sg_len, 1);
		if (!d)
			return NULL;
		swdma_sg_copy(d->dst, sgl, sg_len);
		port_sg = d->src;
	}
	sg_dma_address(port_sg) = port;
	sg_dma_len(port_sg) = total;
	d->total = total;
	d->dir = dir;
	d->port = swdma_port_index(sc, port);
	d->width = width;
	d->burst = max(burst, 1U);
	d->cfg = *cfg;
	return vchan_tx_prep(&sc->vc, &d->vd, flags);
}

/* With the channel's configuration; atomic-safe. */
static struct dma_async_tx_descriptor *
swdma_prep_slave_sg(struct dma_chan *chan, struct scatterlist *sgl,
		    unsigned int sg_len, enum dma_transfer_direction dir,
		    unsigned long flags, void *context)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	struct dma_slave_config cfg;
	unsigned long irqflags;

	spin_lock_irqsave(&sc->vc.lock, irqflags);
	cfg = sc->cfg;
	spin_unlock_irqrestore(&sc->vc.lock, irqflags);
	return swdma_prep_slave(sc, sgl, sg_len, dir, flags, &cfg);
}

/*
 * The descriptor takes @cfg, not the channel's configuration, so that
 * concurrent callers need no lock; @cfg becomes the channel's only once
 * the descriptor exists, so a refusal changes nothing.
 */
static struct dma_async_tx_descriptor *
swdma_prep_config_sg(struct dma_chan *chan, struct scatterlist *sgl,
		     unsigned int sg_len, enum dma_transfer_direction dir,
		     unsigned long flags, struct dma_slave_config *cfg)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	struct dma_async_tx_descriptor *tx;

	if (!cfg)
		return swdma_prep_slave_sg(chan, sgl, sg_len, dir, flags, NULL);
	if (swdma_check_config(sc, cfg))
		return NULL;
	tx = swdma_prep_slave(sc, sgl, sg_len, dir, flags, cfg);
	if (tx)
		swdma_set_config(sc, cfg);
	return tx;
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

/* Copy one segment: 0 or the dmaengine_tx_result of a bus error. */
static int swdma_copy(struct swdma_dev *sd, dma_addr_t dst, dma_addr_t src,
		      size_t len)
{
	phys_addr_t dp = dma_to_phys(sd->dev, dst);
	phys_addr_t sp = dma_to_phys(sd->dev, src);

	if (!swdma_phys_ok(sp, len))
		return DMA_TRANS_READ_FAILED;
	if (!swdma_phys_ok(dp, len))
		return DMA_TRANS_WRITE_FAILED;

	while (len) {
		size_t n = min_t(size_t, len, SWDMA_COPY_CHUNK);
		void *to, *from;

		if (IS_ENABLED(CONFIG_HIGHMEM)) {
			n = min3(n, PAGE_SIZE - offset_in_page(dp),
				 PAGE_SIZE - offset_in_page(sp));
			to = kmap_local_pfn(PHYS_PFN(dp)) + offset_in_page(dp);
			from = kmap_local_pfn(PHYS_PFN(sp)) +
			       offset_in_page(sp);
			memcpy(to, from, n);
			kunmap_local(from);
			kunmap_local(to);
		} else {
			memcpy(phys_to_virt(dp), phys_to_virt(sp), n);
		}
		dp += n;
		sp += n;
		len -= n;
		cond_resched();
	}
	return 0;
}

/*
 * Where @len bytes go into (@in) or come out of a port's FIFO: at most two
 * spans of the ring, @off[i] and @n[i].  False if the FIFO has no room for
 * them, or does not hold them.  port_lock held.
 */
static bool swdma_fifo_spans(const struct swdma_port *p, size_t len, bool in,
			     unsigned int off[2], size_t n[2])
{
	unsigned int fill = p->stats.fill;

	if (in ? len > SWDMA_PORT_SIZE - fill : len > fill)
		return false;
	off[0] = in ? (p->head + fill) % SWDMA_PORT_SIZE : p->head;
	n[0] = min_t(size_t, len, SWDMA_PORT_SIZE - off[0]);
	off[1] = 0;
	n[1] = len - n[0];
	return true;
}

/* The spans of swdma_fifo_spans() have been moved.  port_lock held. */
static void swdma_fifo_commit(struct swdma_port *p, size_t len, bool in)
{
	if (in) {
		p->stats.fill += len;
	} else {
		p->head = (p->head + len) % SWDMA_PORT_SIZE;
		p->stats.fill -= len;
	}
}

/* Account for a slave descriptor that starts on its port. */
static void swdma_port_start(struct swdma_chan *sc, struct swdma_desc *d)
{
	struct swdma_port_stats *st = &sc->ports[d->port].stats;

	mutex_lock(&sc->port_lock);
	st->descs++;
	st->widths |= BIT(d->width);
	st->min_burst = st->min_burst ? min(st->min_burst, d->burst) : d->burst;
	st->max_burst = max(st->max_burst, d->burst);
	mutex_unlock(&sc->port_lock);
}

/*
 * Move one burst of a slave descriptor between memory and its port's FIFO:
 * 0, or the dmaengine_tx_result of a bus error, an overrun (no room for
 * the burst) or an underrun (not enough data for it).  The FIFO changes
 * only if the whole burst moves.
 */
static int swdma_port_burst(struct swdma_chan *sc, struct swdma_desc *d,
			    dma_addr_t dst, dma_addr_t src, size_t len)
{
	struct swdma_port *p = &sc->ports[d->port];
	dma_addr_t fifo = sc->ports_dma + d->port * SWDMA_PORT_SIZE;
	bool in = d->dir == DMA_MEM_TO_DEV;
	unsigned int off[2];
	size_t n[2];
	int i, ret = 0;

	mutex_lock(&sc->port_lock);
	if (!swdma_fifo_spans(p, len, in, off, n)) {
		if (in)
			p->stats.overruns++;
		else
			p->stats.underruns++;
		ret = in ? DMA_TRANS_WRITE_FAILED : DMA_TRANS_READ_FAILED;
		goto out;
	}
	for (i = 0; i < 2 && n[i] && !ret; i++) {
		if (in) {
			ret = swdma_copy(sc->sd, fifo + off[i], src, n[i]);
			src += n[i];
		} else {
			ret = swdma_copy(sc->sd, dst, fifo + off[i], n[i]);
			dst += n[i];
		}
	}
	if (!ret) {
		swdma_fifo_commit(p, len, in);
		p->stats.bursts++;
		if (in)
			p->stats.bytes_in += len;
		else
			p->stats.bytes_out += len;
	}
out:
	mutex_unlock(&sc->port_lock);
	return ret;
}

/* Decide whether a descriptor fails, and how much of it gets copied. */
static bool swdma_inject(struct swdma_dev *sd, size_t total, size_t *prefix,
			 int *result)
{
	u64 every = swdma_knob(sd, SWDMA_FAIL_EVERY);
	u64 ppm = swdma_knob(sd, SWDMA_FAIL_PPM);
	unsigned long flags;
	bool fail = false;

	if (!every && !ppm)
		return false;

	spin_lock_irqsave(&sd->fault_lock, flags);
	if (every && --sd->until_fail == 0) {
		sd->until_fail = every;
		fail = true;
	}
	if (ppm && prandom_u32_state(&sd->rnd) % SWDMA_PPM < ppm)
		fail = true;
	if (fail) {
		*prefix = prandom_u32_state(&sd->rnd) % total;
		*result = prandom_u32_state(&sd->rnd) & 1 ?
			  DMA_TRANS_READ_FAILED : DMA_TRANS_WRITE_FAILED;
	}
	spin_unlock_irqrestore(&sd->fault_lock, flags);
	return fail;
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

/* Move the data of @d; returns its dmaengine_tx_result. */
static int swdma_execute(struct swdma_chan *sc, struct swdma_desc *d)
{
	struct swdma_dev *sd = sc->sd;
	struct dma_sg_pair_iter it;
	size_t limit = d->total;
	size_t copied = 0;
	dma_addr_t dst, src;
	unsigned long flags;
	int result = DMA_TRANS_NOERROR;
	int fault = DMA_TRANS_NOERROR;
	size_t max_len = d->max_seg ? d->max_seg : SIZE_MAX;
	size_t len;

	if (swdma_inject(sd, d->total, &limit, &fault))
		result = fault;
	/* A slave transfer moves whole beats, at most one burst at a time. */
	if (d->dir != DMA_MEM_TO_MEM) {
		limit = rounddown(limit, d->width);
		max_len = min_t(size_t, rounddown(max_len, d->width) ?: d->width,
				(size_t)d->width * d->burst);
		swdma_port_start(sc, d);
	}

	dma_sg_pair_iter_init(&it, d->dst, d->dst_nents, d->src, d->src_nents,
			      max_len);
	while (copied < limit && dma_sg_pair_iter_next(&it, &dst, &src, &len)) {
		int err;

		if (swdma_stopped(sc, d))
			break;
		len = min(len, limit - copied);
		if (d->dir == DMA_MEM_TO_MEM)
			err = swdma_copy(sd, dst, src, len);
		else
			err = swdma_port_burst(sc, d, dst, src, len);
		if (err) {
			result = err;
			break;
		}
		copied += len;
		spin_lock_irqsave(&sc->vc.lock, flags);
		d->done = copied;
		spin_unlock_irqrestore(&sc->vc.lock, flags);
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

static void swdma_retire(struct swdma_chan *sc, struct swdma_desc *d,
			 int result)
{
	unsigned long flags;
	bool aborted;

	spin_lock_irqsave(&sc->vc.lock, flags);
	sc->active = NULL;
	/* A worker being stopped aborts what it was executing. */
	aborted = d->aborted || kthread_should_stop();
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
			swdma_busy_start(sc);
			swdma_retire(sc, d, swdma_execute(sc, d));
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
	bool in_order = !swdma_knob(sc->sd, SWDMA_OUT_OF_ORDER);
	enum dma_status status;
	unsigned long flags;
	ssize_t residue;

	spin_lock_irqsave(&sc->vc.lock, flags);
	/* In order, the cookie counter answers most queries without a walk. */
	status = dma_cookie_status(chan, cookie, state);
	if (in_order && status == DMA_COMPLETE)
		goto out;

	residue = swdma_pending_residue(sc, cookie);
	if (residue >= 0) {
		status = sc->paused ? DMA_PAUSED : DMA_IN_PROGRESS;
		dma_set_residue(state, residue);
	} else if (!in_order && cookie >= DMA_MIN_COOKIE &&
		   cookie <= chan->cookie) {
		/*
		 * Cookies retire in any order, so the cookie counter says
		 * nothing; an assigned cookie that is no longer pending has
		 * retired (or was aborted).
		 */
		status = DMA_COMPLETE;
		dma_set_residue(state, 0);
	}
out:
	if (status == DMA_COMPLETE && sc->cnt.errors &&
	    swdma_failed_cookie(sc, cookie))
		status = DMA_ERROR;
	spin_unlock_irqrestore(&sc->vc.lock, flags);
	return status;
}

/* Pause or resume: the worker checks between segments and before retiring. */
static void swdma_set_paused(struct swdma_chan *sc, bool paused)
{
	unsigned long flags;

	spin_lock_irqsave(&sc->vc.lock, flags);
	WRITE_ONCE(sc->paused, paused);
	spin_unlock_irqrestore(&sc->vc.lock, flags);
	if (!paused)
		wake_up(&sc->work_wq);
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
	if (knob == SWDMA_FAIL_EVERY)
		sd->until_fail = val;
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

/**
 * swdma_port_addr() - the bus address of a device port
 * @chan: a channel of an swdma device with slave transfers
 * @port: the port, below %SWDMA_NR_PORTS
 * @addr: where to store the address, for dma_slave_config.src_addr or
 *	dst_addr
 *
 * Return: 0, or -EINVAL if @chan has no such port.
 */
int swdma_port_addr(struct dma_chan *chan, unsigned int port,
		    dma_addr_t *addr)
{
	struct swdma_chan *sc = to_swdma_chan(chan);

	if (!sc->ports_mem || port >= SWDMA_NR_PORTS)
		return -EINVAL;
	*addr = sc->ports_dma + port * SWDMA_PORT_SIZE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swdma_port_addr);

/* The device side of a port: fill its FIFO from @from or drain it to @to. */
static int swdma_port_io(struct dma_chan *chan, unsigned int port,
			 const void *from, void *to, size_t len)
{
	struct swdma_chan *sc = to_swdma_chan(chan);
	bool in = from;
	struct swdma_port *p;
	unsigned int off[2];
	u8 *fifo;
	size_t n[2];
	int i;

	if (!sc->ports_mem || port >= SWDMA_NR_PORTS)
		return -EINVAL;
	p = &sc->ports[port];
	fifo = sc->ports_mem + port * SWDMA_PORT_SIZE;

	mutex_lock(&sc->port_lock);
	if (!swdma_fifo_spans(p, len, in, off, n)) {
		mutex_unlock(&sc->port_lock);
		return in ? -ENOSPC : -ENODATA;
	}
	for (i = 0; i < 2; i++) {
		if (in) {
			memcpy(fifo + off[i], from, n[i]);
			from += n[i];
		} else {
			memcpy(to, fifo + off[i], n[i]);
			to += n[i];
		}
	}
	swdma_fifo_commit(p, len, in);
	mutex_unlock(&sc->port_lock);
	return 0;
}

/**
 * swdma_port_write() - what the device puts into a port's FIFO
 * @chan: a channel of an swdma device with slave transfers
 * @port: the port, below %SWDMA_NR_PORTS
 * @buf: the data
 * @len: its length in bytes
 *
 * Return: 0, -EINVAL if @chan has no such port, or -ENOSPC if the FIFO has
 * no room for @len bytes (then nothing is written).
 */
int swdma_port_write(struct dma_chan *chan, unsigned int port,
		     const void *buf, size_t len)
{
	return swdma_port_io(chan, port, buf, NULL, len);
}
EXPORT_SYMBOL_IF_KUNIT(swdma_port_write);

/**
 * swdma_port_read() - what the device takes out of a port's FIFO
 * @chan: a channel of an swdma device with slave transfers
 * @port: the port, below %SWDMA_NR_PORTS
 * @buf: where to store the data
 * @len: bytes to take, oldest first
 *
 * Return: 0, -EINVAL if @chan has no such port, or -ENODATA if the FIFO
 * holds fewer than @len bytes (then nothing is taken).
 */
int swdma_port_read(struct dma_chan *chan, unsigned int port, void *buf,
		    size_t len)
{
	return swdma_port_io(chan, port, NULL, buf, len);
}
EXPORT_SYMBOL_IF_KUNIT(swdma_port_read);

/**
 * swdma_port_get_stats() - what a device port has seen
 * @chan: a channel of an swdma device with slave transfers
 * @port: the port, below %SWDMA_NR_PORTS
 * @st: where to store it
 *
 * Return: 0, or -EINVAL if @chan has no such port.
 */
int swdma_port_get_stats(struct dma_chan *chan, unsigned int port,
			 struct swdma_port_stats *st)
{
	struct swdma_chan *sc = to_swdma_chan(chan);

	if (!sc->ports_mem || port >= SWDMA_NR_PORTS)
		return -EINVAL;
	mutex_lock(&sc->port_lock);
	*st = sc->ports[port].stats;
	mutex_unlock(&sc->port_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swdma_port_get_stats);

/**
 * swdma_tx_config() - the slave configuration a descriptor was prepared with
 * @tx: a prepared swdma descriptor, not yet freed
 * @cfg: where to store the configuration
 *
 * Return: 0, or -EINVAL if @tx is not a slave transfer.
 */
int swdma_tx_config(struct dma_async_tx_descriptor *tx,
		    struct dma_slave_config *cfg)
{
	struct swdma_desc *d = to_swdma_desc(container_of(tx,
							  struct virt_dma_desc,
							  tx));

	if (d->dir == DMA_MEM_TO_MEM)
		return -EINVAL;
	*cfg = d->cfg;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(swdma_tx_config);

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
		if (sc->ports_mem)
			free_pages_exact(sc->ports_mem, SWDMA_PORTS_BYTES);
		sc->ports_mem = NULL;
		mutex_destroy(&sc->port_lock);
	}
}

static void swdma_init_slave(struct dma_device *dma,
			     enum swdma_slave_mode mode)
{
	if (mode == SWDMA_SLAVE_NONE)
		return;
	dma_cap_set(DMA_SLAVE, dma->cap_mask);
	dma->directions |= BIT(DMA_MEM_TO_DEV) | BIT(DMA_DEV_TO_MEM);
	dma->src_addr_widths = SWDMA_ADDR_WIDTHS;
	dma->dst_addr_widths = SWDMA_ADDR_WIDTHS;
	dma->min_burst = 1;
	dma->max_burst = SWDMA_MAX_BURST;
	dma->device_config = swdma_config;
	dma->device_prep_slave_sg = swdma_prep_slave_sg;
	if (mode == SWDMA_SLAVE_CONFIG_PREP)
		dma->device_prep_config_sg = swdma_prep_config_sg;
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
	dma->residue_granularity = DMA_RESIDUE_GRANULARITY_SEGMENT;
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
	swdma_init_slave(dma, pdata->slave);
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
	swdma_init_dma_device(sd, pdata);

	for (i = 0; i < sd->nr_chans; i++) {
		struct swdma_chan *sc = &sd->chans[i];

		sc->sd = sd;
		init_waitqueue_head(&sc->work_wq);
		init_waitqueue_head(&sc->idle_wq);
		INIT_LIST_HEAD(&sc->window);
		mutex_init(&sc->port_lock);
		sc->vc.desc_free = swdma_desc_free;
		vchan_init(&sc->vc, &sd->dma);
	}
	for (i = 0; pdata->slave != SWDMA_SLAVE_NONE && i < sd->nr_chans; i++) {
		struct swdma_chan *sc = &sd->chans[i];

		sc->ports_mem = alloc_pages_exact(SWDMA_PORTS_BYTES,
						  GFP_KERNEL | __GFP_ZERO);
		if (!sc->ports_mem) {
			ret = -ENOMEM;
			goto err_workers;
		}
		/* Direct mapping, checked above: the bus address is physical. */
		sc->ports_dma = phys_to_dma(dev, virt_to_phys(sc->ports_mem));
	}
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
