// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lockstep walk over a destination and a source scatterlist.
 *
 * DMA_MEMCPY_SG copies between two DMA-mapped lists whose entries need not
 * line up: the mapping may have merged entries on one side and not on the
 * other, and the two totals may differ.  Every provider has to cut the pair
 * into chunks that lie inside one entry of each list, and no longer than
 * what one hardware descriptor can carry.  This file does that once, so a
 * provider's device_prep_dma_memcpy_sg() is a loop over
 * dma_sg_pair_iter_next() turning each chunk into a hardware descriptor.
 */

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/minmax.h>

#include <linux/dma/sg-pair.h>

/**
 * dma_sg_pair_iter_init() - start a lockstep walk over two scatterlists
 * @iter: iterator to initialise
 * @dst_sg: destination scatterlist, DMA-mapped
 * @dst_nents: number of mapped entries of @dst_sg to walk
 * @src_sg: source scatterlist, DMA-mapped
 * @src_nents: number of mapped entries of @src_sg to walk
 * @max_len: longest chunk dma_sg_pair_iter_next() may return, in bytes
 *
 * Only the DMA address and DMA length of each entry are used
 * (sg_dma_address() and sg_dma_len()), so both lists must have been mapped
 * by the caller.  Chained lists are followed with sg_next().  Either count
 * may be zero, in which case the walk yields nothing.
 *
 * Context: any context.
 * Return: 0 on success.  -EINVAL if @max_len is zero or a list with a
 * non-zero count is NULL; @iter then yields nothing.
 */
int dma_sg_pair_iter_init(struct dma_sg_pair_iter *iter,
			  struct scatterlist *dst_sg, unsigned int dst_nents,
			  struct scatterlist *src_sg, unsigned int src_nents,
			  size_t max_len)
{
	*iter = (struct dma_sg_pair_iter){ };

	if (!max_len || (dst_nents && !dst_sg) || (src_nents && !src_sg))
		return -EINVAL;

	iter->dst_sg = dst_sg;
	iter->dst_nents = dst_nents;
	iter->src_sg = src_sg;
	iter->src_nents = src_nents;
	iter->max_len = max_len;
	return 0;
}
EXPORT_SYMBOL_GPL(dma_sg_pair_iter_init);

/*
 * Move @sg past entries that have been used up (offset at their length),
 * which also skips zero-length entries.  Returns false once the list is
 * exhausted, including when a chain ends before @nents says it should.
 */
static bool dma_sg_pair_settle(struct scatterlist **sg, unsigned int *nents,
			       unsigned int *off)
{
	while (*nents && *off >= sg_dma_len(*sg)) {
		*off = 0;
		if (!--*nents)
			break;
		*sg = sg_next(*sg);
		if (!*sg)
			*nents = 0;
	}
	return *nents != 0;
}

/**
 * dma_sg_pair_iter_next() - next chunk of a lockstep scatterlist walk
 * @iter: iterator set up by dma_sg_pair_iter_init()
 * @dst: returns the destination DMA address of the chunk
 * @src: returns the source DMA address of the chunk
 * @len: returns the length of the chunk, at most the walk's max_len
 *
 * Each chunk is the longest run that fits in the remainder of the current
 * entry of both lists and in max_len.  The list whose entry is used up moves
 * to its next non-empty entry (both do when they end together).  Zero-length
 * entries are skipped wherever they appear.  The walk ends when either list
 * is exhausted, so the chunks add up to the smaller of the two list totals,
 * as returned by dma_sg_pair_len().
 *
 * Context: any context.
 * Return: true and a chunk in @dst, @src and @len, or false when the walk is
 * over (@dst, @src and @len are then left untouched).
 */
bool dma_sg_pair_iter_next(struct dma_sg_pair_iter *iter, dma_addr_t *dst,
			   dma_addr_t *src, size_t *len)
{
	size_t n;

	if (!dma_sg_pair_settle(&iter->dst_sg, &iter->dst_nents, &iter->dst_off) ||
	    !dma_sg_pair_settle(&iter->src_sg, &iter->src_nents, &iter->src_off))
		return false;

	n = min3((size_t)(sg_dma_len(iter->dst_sg) - iter->dst_off),
		 (size_t)(sg_dma_len(iter->src_sg) - iter->src_off),
		 iter->max_len);

	*dst = sg_dma_address(iter->dst_sg) + iter->dst_off;
	*src = sg_dma_address(iter->src_sg) + iter->src_off;
	*len = n;
	iter->dst_off += n;
	iter->src_off += n;
	return true;
}
EXPORT_SYMBOL_GPL(dma_sg_pair_iter_next);

static size_t dma_sg_total(struct scatterlist *sg, unsigned int nents)
{
	size_t total = 0;

	for (; sg && nents; nents--, sg = sg_next(sg))
		total += sg_dma_len(sg);
	return total;
}

/**
 * dma_sg_pair_len() - number of bytes a DMA_MEMCPY_SG transfer copies
 * @dst_sg: destination scatterlist, DMA-mapped
 * @dst_nents: number of mapped entries of @dst_sg
 * @src_sg: source scatterlist, DMA-mapped
 * @src_nents: number of mapped entries of @src_sg
 *
 * Useful to a provider for residue reporting and to reject empty transfers.
 *
 * Context: any context.
 * Return: the smaller of the two lists' total DMA lengths.
 */
size_t dma_sg_pair_len(struct scatterlist *dst_sg, unsigned int dst_nents,
		       struct scatterlist *src_sg, unsigned int src_nents)
{
	return min(dma_sg_total(dst_sg, dst_nents),
		   dma_sg_total(src_sg, src_nents));
}
EXPORT_SYMBOL_GPL(dma_sg_pair_len);
