// SPDX-License-Identifier: GPL-2.0-only
/*
 * swdma - emulated device ports, for slave transfers
 *
 * Each channel of a device with slave transfers owns memory holding the
 * FIFOs of SWDMA_NR_PORTS ports, and the bus address of a FIFO is what a
 * client puts in its dma_slave_config.  A MEM_TO_DEV descriptor appends
 * to a FIFO and a DEV_TO_MEM one drains it, a burst at a time, while the
 * test plays the peripheral through the accessors below.  Depending on
 * the device's mode, the combined config+prep operation is offered too,
 * so that both paths of dmaengine's config+prep helpers can be tested on
 * the same engine.  The engine (swdma-engine.c) executes the bursts.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-direct.h>
#include <linux/dmaengine.h>
#include <linux/gfp.h>
#include <linux/scatterlist.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "swdma-internal.h"

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
	return swdma_tx_prep(sc, d, flags);
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
void swdma_port_start(struct swdma_chan *sc, struct swdma_desc *d)
{
	struct swdma_port_stats *st = &sc->ports[d->port].stats;

	spin_lock(&sc->port_lock);
	st->descs++;
	st->widths |= BIT(d->width);
	st->min_burst = st->min_burst ? min(st->min_burst, d->burst) : d->burst;
	st->max_burst = max(st->max_burst, d->burst);
	spin_unlock(&sc->port_lock);
}

/*
 * Move one burst of a slave descriptor between memory and its port's FIFO:
 * 0, or the dmaengine_tx_result of a bus error, an overrun (no room for
 * the burst) or an underrun (not enough data for it).  The FIFO changes
 * only if the whole burst moves.  run_lock held.
 */
int swdma_port_burst(struct swdma_chan *sc, struct swdma_desc *d,
		     dma_addr_t dst, dma_addr_t src, size_t len)
{
	struct swdma_port *p = &sc->ports[d->port];
	dma_addr_t fifo = sc->ports_dma + d->port * SWDMA_PORT_SIZE;
	bool in = d->dir == DMA_MEM_TO_DEV;
	unsigned int off[2];
	size_t n[2], moved;
	int i, ret = 0;

	spin_lock(&sc->port_lock);
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
			ret = swdma_copy(sc->sd, fifo + off[i], src, n[i],
					 &moved);
			src += n[i];
		} else {
			ret = swdma_copy(sc->sd, dst, fifo + off[i], n[i],
					 &moved);
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
	spin_unlock(&sc->port_lock);
	return ret;
}

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

	spin_lock(&sc->port_lock);
	if (!swdma_fifo_spans(p, len, in, off, n)) {
		spin_unlock(&sc->port_lock);
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
	spin_unlock(&sc->port_lock);
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
	spin_lock(&sc->port_lock);
	*st = sc->ports[port].stats;
	spin_unlock(&sc->port_lock);
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

/* Free the FIFOs of @sc, if it has any. */
void swdma_ports_free(struct swdma_chan *sc)
{
	if (sc->ports_mem)
		free_pages_exact(sc->ports_mem, SWDMA_PORTS_BYTES);
	sc->ports_mem = NULL;
}

/*
 * Offer slave transfers as @mode says: the capability and operations, and
 * the FIFOs of every channel.  0 or -ENOMEM; the caller frees the FIFOs
 * allocated so far with swdma_ports_free().
 */
int swdma_ports_init(struct swdma_dev *sd, enum swdma_slave_mode mode)
{
	struct dma_device *dma = &sd->dma;
	unsigned int i;

	if (mode == SWDMA_SLAVE_NONE)
		return 0;
	for (i = 0; i < sd->nr_chans; i++) {
		struct swdma_chan *sc = &sd->chans[i];

		sc->ports_mem = alloc_pages_exact(SWDMA_PORTS_BYTES,
						  GFP_KERNEL | __GFP_ZERO);
		if (!sc->ports_mem)
			return -ENOMEM;
		/* Direct mapping, checked at probe: the bus address is physical. */
		sc->ports_dma = phys_to_dma(sd->dev,
					    virt_to_phys(sc->ports_mem));
	}
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
	return 0;
}
