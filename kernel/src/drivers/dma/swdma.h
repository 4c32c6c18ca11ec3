/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swdma - a software memcpy DMA engine: platform data and test interface
 *
 * The knob and counter accessors are what the debugfs files of each swdma
 * device use; they, and the accessors of the emulated device ports, are
 * exported only to KUnit tests.
 */
#ifndef _DMA_SWDMA_H
#define _DMA_SWDMA_H

#include <linux/types.h>

struct device;
struct dma_async_tx_descriptor;
struct dma_chan;
struct dma_slave_config;
struct fault_attr;
struct swdma_dev;

/**
 * enum swdma_slave_mode - how an swdma device offers slave transfers
 * @SWDMA_SLAVE_CONFIG_PREP: device_prep_config_sg(), besides device_config()
 *	and device_prep_slave_sg()
 * @SWDMA_SLAVE_SPLIT: device_config() and device_prep_slave_sg() only, so
 *	that the dmaengine config+prep helpers take their fallback path
 * @SWDMA_SLAVE_NONE: no slave transfers (no DMA_SLAVE capability)
 */
enum swdma_slave_mode {
	SWDMA_SLAVE_CONFIG_PREP,
	SWDMA_SLAVE_SPLIT,
	SWDMA_SLAVE_NONE,
};

/**
 * struct swdma_platform_data - how to set up one swdma device
 * @nr_channels: number of channels, 1 to SWDMA_MAX_CHANNELS
 * @private: register the device with DMA_PRIVATE, so that its channels
 *	are only handed out by dma_request_channel() and friends, never by
 *	dma_find_channel() to async_tx clients such as md RAID
 * @slave: how the device offers slave transfers
 * @no_terminate: offer neither device_terminate_all nor device_synchronize,
 *	as some memcpy engines do not (idxd and ioat in 6.12): a client then
 *	cannot stop a descriptor it submitted and must wait for it
 */
struct swdma_platform_data {
	unsigned int nr_channels;
	bool private;
	enum swdma_slave_mode slave;
	bool no_terminate;
};

#define SWDMA_MAX_CHANNELS	64

/*
 * Each channel has SWDMA_NR_PORTS emulated device ports, FIFOs of
 * SWDMA_PORT_SIZE bytes, for slave transfers; bursts hold at most
 * SWDMA_MAX_BURST beats.
 */
#define SWDMA_NR_PORTS		8
#define SWDMA_PORT_SIZE		4096
#define SWDMA_MAX_BURST		64

/**
 * enum swdma_fail_dir - which side of a descriptor an injected failure hits
 * @SWDMA_FAIL_EITHER: the source or the destination, pseudo-randomly
 * @SWDMA_FAIL_READ: the source: DMA_TRANS_READ_FAILED
 * @SWDMA_FAIL_WRITE: the destination: DMA_TRANS_WRITE_FAILED
 */
enum swdma_fail_dir {
	SWDMA_FAIL_EITHER,
	SWDMA_FAIL_READ,
	SWDMA_FAIL_WRITE,
};

/**
 * enum swdma_knob - run-time test knobs of an swdma device
 * @SWDMA_FAIL_SEED: seed of the pseudo-random generator behind the length
 *	of the prefix a failed descriptor moves, the side that fails under
 *	%SWDMA_FAIL_EITHER and the retirement order; writing it restarts the
 *	sequence.  Which descriptors fail is fault injection's choice
 *	(swdma_fault_attr()).
 * @SWDMA_FAIL_DIR: enum swdma_fail_dir, for descriptors prepared afterwards
 * @SWDMA_LATENCY_US: time each descriptor spends on the engine after its
 *	data has moved, in microseconds (0 to 10000000)
 * @SWDMA_MAX_SEG_LEN: longest segment the engine moves at once, applied to
 *	descriptors prepared afterwards (0: no limit)
 * @SWDMA_OUT_OF_ORDER: 1 to retire issued descriptors in a non-FIFO order
 *	and advertise DMA_COMPLETION_NO_ORDER; only changes while no channel
 *	of the device is in use
 * @SWDMA_NR_KNOBS: number of knobs
 */
enum swdma_knob {
	SWDMA_FAIL_SEED,
	SWDMA_FAIL_DIR,
	SWDMA_LATENCY_US,
	SWDMA_MAX_SEG_LEN,
	SWDMA_OUT_OF_ORDER,
	SWDMA_NR_KNOBS
};

/**
 * struct swdma_counters - what one channel has executed
 * @descs: descriptors retired (completed or failed, not aborted)
 * @bytes: bytes moved by those descriptors
 * @errors: descriptors that completed with an error result
 */
struct swdma_counters {
	u64 descs;
	u64 bytes;
	u64 errors;
};

/**
 * struct swdma_port_stats - what one device port of a channel has seen
 * @descs: slave descriptors executed on the port
 * @bytes_in: bytes MEM_TO_DEV descriptors wrote into its FIFO
 * @bytes_out: bytes DEV_TO_MEM descriptors read from its FIFO
 * @bursts: bursts moved, each of at most maxburst beats of the address width
 * @widths: BIT(w) for each address width w, in bytes, descriptors used
 * @min_burst: smallest maxburst descriptors used (0 before the first one;
 *	a maxburst of 0 counts as 1)
 * @max_burst: largest maxburst descriptors used
 * @overruns: bursts refused because the FIFO had no room for them
 * @underruns: bursts refused because the FIFO held less than they needed
 * @fill: bytes in the FIFO
 */
struct swdma_port_stats {
	u64 descs;
	u64 bytes_in;
	u64 bytes_out;
	u64 bursts;
	u32 widths;
	u32 min_burst;
	u32 max_burst;
	u64 overruns;
	u64 underruns;
	unsigned int fill;
};

struct swdma_dev *swdma_get_dev(struct device *dev);
int swdma_set_knob(struct swdma_dev *sd, enum swdma_knob knob, u64 val);
u64 swdma_get_knob(struct swdma_dev *sd, enum swdma_knob knob);
struct fault_attr *swdma_fault_attr(struct swdma_dev *sd);
void swdma_get_counters(struct dma_chan *chan, struct swdma_counters *cnt);
int swdma_live_descs(struct swdma_dev *sd);
long swdma_unacked_descs(struct swdma_dev *sd);
int swdma_port_addr(struct dma_chan *chan, unsigned int port,
		    dma_addr_t *addr);
int swdma_port_write(struct dma_chan *chan, unsigned int port,
		     const void *buf, size_t len);
int swdma_port_read(struct dma_chan *chan, unsigned int port, void *buf,
		    size_t len);
int swdma_port_get_stats(struct dma_chan *chan, unsigned int port,
			 struct swdma_port_stats *st);
int swdma_tx_config(struct dma_async_tx_descriptor *tx,
		    struct dma_slave_config *cfg);

#endif /* _DMA_SWDMA_H */
