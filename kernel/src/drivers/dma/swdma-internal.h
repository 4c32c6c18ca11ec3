/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swdma - what its memcpy engine (swdma-engine.c) and its emulated device
 * ports (swdma-ports.c) share: the device, channel and descriptor
 * structures, and the few functions each half calls in the other.
 */
#ifndef _DMA_SWDMA_INTERNAL_H
#define _DMA_SWDMA_INTERNAL_H

#include <linux/atomic.h>
#include <linux/dmaengine.h>
#include <linux/fault-inject.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "swdma.h"
#include "virt-dma.h"

/* Cookies per channel remembered as failed, for device_tx_status() */
#define SWDMA_ERR_COOKIES	64
#define SWDMA_ADDR_WIDTHS	(BIT(DMA_SLAVE_BUSWIDTH_1_BYTE) | \
				 BIT(DMA_SLAVE_BUSWIDTH_2_BYTES) | \
				 BIT(DMA_SLAVE_BUSWIDTH_4_BYTES) | \
				 BIT(DMA_SLAVE_BUSWIDTH_8_BYTES))
#define SWDMA_PORTS_BYTES	(SWDMA_NR_PORTS * SWDMA_PORT_SIZE)

/**
 * struct swdma_desc - one transaction
 * @vd: virt-dma descriptor
 * @total: bytes the transaction moves, min(total dst, total src)
 * @done: bytes moved so far, at burst granularity (vc.lock)
 * @max_seg: longest segment, from %SWDMA_MAX_SEG_LEN at prep time
 * @fault: DMA_TRANS_NOERROR, or the error fault injection chose at prep
 *	time: the descriptor then moves @fault_at bytes and fails with it
 * @fault_at: bytes moved before an injected failure, below @total
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
	int fault;
	size_t fault_at;
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
 * @paused: device_pause() in force (written under vc.lock; the worker
 *	reads it under @run_lock before each burst)
 * @run_lock: held by the worker while it moves one burst, so that
 *	device_pause() can wait for the burst in flight
 * @in_use: a client holds the channel (sd->mode_lock)
 * @err_cookies: the last SWDMA_ERR_COOKIES cookies that completed with an
 *	error, so that tx_status can report DMA_ERROR for them (vc.lock)
 * @err_next: next slot of @err_cookies to fill (vc.lock)
 * @cnt: counters (vc.lock)
 * @cfg: slave configuration for descriptors prepared without one (vc.lock)
 * @ports_mem: the FIFOs of the device ports, SWDMA_PORT_SIZE bytes each, or
 *	NULL on a device without slave transfers
 * @ports_dma: bus address of @ports_mem, that of port 0
 * @port_lock: serializes access to the ports and their state; nests in
 *	@run_lock
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
	spinlock_t run_lock;		/* one burst moving */
	bool in_use;
	dma_cookie_t err_cookies[SWDMA_ERR_COOKIES];
	unsigned int err_next;
	struct swdma_counters cnt;
	struct dma_slave_config cfg;
	u8 *ports_mem;
	dma_addr_t ports_dma;
	spinlock_t port_lock;		/* the ports and their state */
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
 * @knob: knob values, see enum swdma_knob (written under fault_lock)
 * @fail_copy: which descriptors fail: lib/fault-inject, asked once per
 *	descriptor at prep time, with its length as the size
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
	spinlock_t fault_lock;		/* rnd, knob writes */
	struct rnd_state rnd;
	u64 knob[SWDMA_NR_KNOBS];
	struct fault_attr fail_copy;
	struct swdma_knob_file files[SWDMA_NR_KNOBS];
};

static inline struct swdma_chan *to_swdma_chan(struct dma_chan *chan)
{
	return container_of(chan, struct swdma_chan, vc.chan);
}

static inline struct swdma_desc *to_swdma_desc(struct virt_dma_desc *vd)
{
	return container_of(vd, struct swdma_desc, vd);
}

static inline u64 swdma_knob(struct swdma_dev *sd, enum swdma_knob knob)
{
	return READ_ONCE(sd->knob[knob]);
}

/* The engine, for the ports */
struct swdma_desc *swdma_alloc_desc(struct swdma_chan *sc,
				    unsigned int dst_nents,
				    unsigned int src_nents);
void swdma_sg_copy(struct scatterlist *to, struct scatterlist *from,
		   unsigned int nents);
struct dma_async_tx_descriptor *swdma_tx_prep(struct swdma_chan *sc,
					      struct swdma_desc *d,
					      unsigned long flags);
int swdma_copy(struct swdma_dev *sd, dma_addr_t dst, dma_addr_t src,
	       size_t len, size_t *moved);

/* The ports, for the engine */
int swdma_ports_init(struct swdma_dev *sd, enum swdma_slave_mode mode);
void swdma_ports_free(struct swdma_chan *sc);
void swdma_port_start(struct swdma_chan *sc, struct swdma_desc *d);
int swdma_port_burst(struct swdma_chan *sc, struct swdma_desc *d,
		     dma_addr_t dst, dma_addr_t src, size_t len);

#endif /* _DMA_SWDMA_INTERNAL_H */
