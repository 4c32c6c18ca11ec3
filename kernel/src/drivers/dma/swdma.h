/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swdma - a software memcpy DMA engine: platform data and test interface
 *
 * The knob and counter accessors are what the debugfs files of each swdma
 * device use; they are exported only to KUnit tests.
 */
#ifndef _DMA_SWDMA_H
#define _DMA_SWDMA_H

#include <linux/types.h>

struct device;
struct dma_chan;
struct swdma_dev;

/**
 * struct swdma_platform_data - how to set up one swdma device
 * @nr_channels: number of channels, 1 to SWDMA_MAX_CHANNELS
 * @private: register the device with DMA_PRIVATE, so that its channels
 *	are only handed out by dma_request_channel() and friends
 */
struct swdma_platform_data {
	unsigned int nr_channels;
	bool private;
};

#define SWDMA_MAX_CHANNELS	64

/**
 * enum swdma_knob - run-time test knobs of an swdma device
 * @SWDMA_FAIL_EVERY: fail every Nth descriptor executed on the device
 *	(0: never); writing it restarts the count
 * @SWDMA_FAIL_PPM: fail each descriptor with this probability, in parts
 *	per million (0 to 1000000)
 * @SWDMA_FAIL_SEED: seed of the pseudo-random generator behind
 *	%SWDMA_FAIL_PPM, the length of failed prefixes and the retirement
 *	order; writing it restarts the sequence
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
	SWDMA_FAIL_EVERY,
	SWDMA_FAIL_PPM,
	SWDMA_FAIL_SEED,
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

struct swdma_dev *swdma_get_dev(struct device *dev);
int swdma_set_knob(struct swdma_dev *sd, enum swdma_knob knob, u64 val);
u64 swdma_get_knob(struct swdma_dev *sd, enum swdma_knob knob);
void swdma_get_counters(struct dma_chan *chan, struct swdma_counters *cnt);
int swdma_live_descs(struct swdma_dev *sd);

#endif /* _DMA_SWDMA_H */
