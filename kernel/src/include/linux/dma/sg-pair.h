/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Lockstep walk over a destination and a source scatterlist: for providers
 * of DMA_MEMCPY_SG, which turn each chunk into a hardware descriptor, and
 * for clients that copy a pair of mapped lists with one DMA_MEMCPY per
 * chunk on channels without DMA_MEMCPY_SG.
 */
#ifndef _LINUX_DMA_SG_PAIR_H
#define _LINUX_DMA_SG_PAIR_H

#include <linux/scatterlist.h>
#include <linux/types.h>

/**
 * struct dma_sg_pair_iter - position of a lockstep walk over two scatterlists
 * @dst_sg: current destination entry
 * @src_sg: current source entry
 * @dst_nents: destination entries not yet finished, @dst_sg included
 * @src_nents: source entries not yet finished, @src_sg included
 * @dst_off: bytes of @dst_sg already handed out
 * @src_off: bytes of @src_sg already handed out
 * @max_len: upper bound on the length of one chunk
 *
 * Set up with dma_sg_pair_iter_init() and advanced with
 * dma_sg_pair_iter_next(); the fields are private to those two functions.
 * The structure holds no references and may be copied, for instance to
 * count the chunks of a transfer before walking it again to program them.
 */
struct dma_sg_pair_iter {
	struct scatterlist *dst_sg;
	struct scatterlist *src_sg;
	unsigned int dst_nents;
	unsigned int src_nents;
	unsigned int dst_off;
	unsigned int src_off;
	size_t max_len;
};

int dma_sg_pair_iter_init(struct dma_sg_pair_iter *iter,
			  struct scatterlist *dst_sg, unsigned int dst_nents,
			  struct scatterlist *src_sg, unsigned int src_nents,
			  size_t max_len);
bool dma_sg_pair_iter_next(struct dma_sg_pair_iter *iter, dma_addr_t *dst,
			   dma_addr_t *src, size_t *len);
size_t dma_sg_pair_len(struct scatterlist *dst_sg, unsigned int dst_nents,
		       struct scatterlist *src_sg, unsigned int src_nents);

#endif /* _LINUX_DMA_SG_PAIR_H */
