// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the DMA_MEMCPY_SG lockstep scatterlist walker.
 *
 * The lists are never mapped: each entry gets a made-up DMA address and
 * length, which is all the walker reads.  Entry i of the destination list
 * sits at DST_BASE + i * ENTRY_STRIDE (likewise for the source), so every
 * expected chunk is written as (entry, offset) on both sides.
 */

#include <kunit/test.h>
#include <linux/dma/sg-pair.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>

#define DST_BASE	0x10000000ULL
#define SRC_BASE	0x80000000ULL
#define ENTRY_STRIDE	0x00100000ULL
#define MAX_ENTRIES	8
#define MAX_CHUNKS	12

struct sg_pair_chunk {
	unsigned int di, doff;	/* destination entry and offset in it */
	unsigned int si, soff;	/* source entry and offset in it */
	size_t len;
};

struct sg_pair_case {
	const char *name;
	unsigned int dst[MAX_ENTRIES];
	unsigned int dst_n;
	unsigned int src[MAX_ENTRIES];
	unsigned int src_n;
	size_t max_len;
	struct sg_pair_chunk want[MAX_CHUNKS];
	unsigned int want_n;
};

#define NOLIMIT SIZE_MAX

static const struct sg_pair_case sg_pair_cases[] = {
	{
		.name = "equal lists",
		.dst = { SZ_4K, SZ_4K, SZ_4K }, .dst_n = 3,
		.src = { SZ_4K, SZ_4K, SZ_4K }, .src_n = 3,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, SZ_4K }, { 1, 0, 1, 0, SZ_4K },
			  { 2, 0, 2, 0, SZ_4K } },
		.want_n = 3,
	}, {
		.name = "uneven, destination splits first",
		.dst = { SZ_4K, SZ_8K }, .dst_n = 2,
		.src = { SZ_8K, SZ_4K }, .src_n = 2,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, SZ_4K }, { 1, 0, 0, SZ_4K, SZ_4K },
			  { 1, SZ_4K, 1, 0, SZ_4K } },
		.want_n = 3,
	}, {
		.name = "uneven, source splits first",
		.dst = { SZ_8K, SZ_4K }, .dst_n = 2,
		.src = { SZ_4K, SZ_8K }, .src_n = 2,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, SZ_4K }, { 0, SZ_4K, 1, 0, SZ_4K },
			  { 1, 0, 1, SZ_4K, SZ_4K } },
		.want_n = 3,
	}, {
		.name = "uneven, unaligned sizes",
		.dst = { 1000, 3000, 96 }, .dst_n = 3,
		.src = { 2500, 1596 }, .src_n = 2,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, 1000 }, { 1, 0, 0, 1000, 1500 },
			  { 1, 1500, 1, 0, 1500 }, { 2, 0, 1, 1500, 96 } },
		.want_n = 4,
	}, {
		.name = "one destination, many sources",
		.dst = { SZ_16K }, .dst_n = 1,
		.src = { SZ_4K, SZ_4K, SZ_8K }, .src_n = 3,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, SZ_4K }, { 0, SZ_4K, 1, 0, SZ_4K },
			  { 0, SZ_8K, 2, 0, SZ_8K } },
		.want_n = 3,
	}, {
		.name = "many destinations, one source",
		.dst = { SZ_8K, SZ_4K, SZ_4K }, .dst_n = 3,
		.src = { SZ_16K }, .src_n = 1,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, SZ_8K }, { 1, 0, 0, SZ_8K, SZ_4K },
			  { 2, 0, 0, SZ_8K + SZ_4K, SZ_4K } },
		.want_n = 3,
	}, {
		.name = "zero-length entries at start, middle and end",
		.dst = { 0, SZ_4K, 0, 0, SZ_4K, 0 }, .dst_n = 6,
		.src = { 0, 0, SZ_4K, 0, SZ_4K, 0 }, .src_n = 6,
		.max_len = NOLIMIT,
		.want = { { 1, 0, 2, 0, SZ_4K }, { 4, 0, 4, 0, SZ_4K } },
		.want_n = 2,
	}, {
		.name = "zero-length entries inside an uneven walk",
		.dst = { SZ_8K, 0, SZ_4K }, .dst_n = 3,
		.src = { SZ_4K, 0, SZ_8K }, .src_n = 3,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, SZ_4K }, { 0, SZ_4K, 2, 0, SZ_4K },
			  { 2, 0, 2, SZ_4K, SZ_4K } },
		.want_n = 3,
	}, {
		.name = "only zero-length entries",
		.dst = { 0, 0 }, .dst_n = 2,
		.src = { SZ_4K }, .src_n = 1,
		.max_len = NOLIMIT,
		.want_n = 0,
	}, {
		.name = "split at the maximum length",
		.dst = { 10000 }, .dst_n = 1,
		.src = { 10000 }, .src_n = 1,
		.max_len = SZ_4K,
		.want = { { 0, 0, 0, 0, SZ_4K }, { 0, SZ_4K, 0, SZ_4K, SZ_4K },
			  { 0, SZ_8K, 0, SZ_8K, 10000 - SZ_8K } },
		.want_n = 3,
	}, {
		.name = "maximum length inside an uneven walk",
		.dst = { SZ_8K, SZ_4K }, .dst_n = 2,
		.src = { SZ_4K, SZ_8K }, .src_n = 2,
		.max_len = 3000,
		.want = { { 0, 0, 0, 0, 3000 }, { 0, 3000, 0, 3000, SZ_4K - 3000 },
			  { 0, SZ_4K, 1, 0, 3000 },
			  { 0, SZ_4K + 3000, 1, 3000, SZ_4K - 3000 },
			  { 1, 0, 1, SZ_4K, 3000 },
			  { 1, 3000, 1, SZ_4K + 3000, SZ_4K - 3000 } },
		.want_n = 6,
	}, {
		.name = "maximum length of one byte",
		.dst = { 2, 1 }, .dst_n = 2,
		.src = { 3 }, .src_n = 1,
		.max_len = 1,
		.want = { { 0, 0, 0, 0, 1 }, { 0, 1, 0, 1, 1 }, { 1, 0, 0, 2, 1 } },
		.want_n = 3,
	}, {
		.name = "source total smaller",
		.dst = { SZ_4K, SZ_4K, SZ_4K }, .dst_n = 3,
		.src = { SZ_4K, 100 }, .src_n = 2,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, SZ_4K }, { 1, 0, 1, 0, 100 } },
		.want_n = 2,
	}, {
		.name = "destination total smaller",
		.dst = { 1000 }, .dst_n = 1,
		.src = { SZ_4K, SZ_4K }, .src_n = 2,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, 1000 } },
		.want_n = 1,
	}, {
		.name = "single-entry lists",
		.dst = { 5000 }, .dst_n = 1,
		.src = { 5000 }, .src_n = 1,
		.max_len = NOLIMIT,
		.want = { { 0, 0, 0, 0, 5000 } },
		.want_n = 1,
	}, {
		.name = "zero destination entries",
		.dst_n = 0,
		.src = { SZ_4K }, .src_n = 1,
		.max_len = NOLIMIT,
		.want_n = 0,
	}, {
		.name = "zero source entries",
		.dst = { SZ_4K }, .dst_n = 1,
		.src_n = 0,
		.max_len = NOLIMIT,
		.want_n = 0,
	}, {
		.name = "zero entries on both sides",
		.max_len = NOLIMIT,
		.want_n = 0,
	},
};

static void sg_pair_case_desc(const struct sg_pair_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sg_pair, sg_pair_cases, sg_pair_case_desc);

/* Fill @sgl with @n entries of the given lengths at @base + i * stride. */
static void sg_pair_fill(struct scatterlist *sgl, const unsigned int *lens,
			 unsigned int n, u64 base)
{
	unsigned int i;

	sg_init_table(sgl, MAX_ENTRIES);
	for (i = 0; i < n; i++) {
		sg_dma_address(&sgl[i]) = base + i * ENTRY_STRIDE;
		sg_dma_len(&sgl[i]) = lens[i];
	}
}

static size_t sg_pair_sum(const unsigned int *lens, unsigned int n)
{
	size_t sum = 0;

	while (n--)
		sum += lens[n];
	return sum;
}

static void sg_pair_walk_test(struct kunit *test)
{
	const struct sg_pair_case *c = test->param_value;
	struct scatterlist *dst, *src;
	struct dma_sg_pair_iter iter;
	dma_addr_t d, s;
	size_t len, total = 0;
	unsigned int n = 0;

	dst = kunit_kcalloc(test, MAX_ENTRIES, sizeof(*dst), GFP_KERNEL);
	src = kunit_kcalloc(test, MAX_ENTRIES, sizeof(*src), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	KUNIT_ASSERT_NOT_NULL(test, src);
	sg_pair_fill(dst, c->dst, c->dst_n, DST_BASE);
	sg_pair_fill(src, c->src, c->src_n, SRC_BASE);

	KUNIT_ASSERT_EQ(test, 0, dma_sg_pair_iter_init(&iter, dst, c->dst_n,
						       src, c->src_n,
						       c->max_len));
	while (dma_sg_pair_iter_next(&iter, &d, &s, &len)) {
		const struct sg_pair_chunk *w = &c->want[n];

		KUNIT_ASSERT_LT_MSG(test, n, c->want_n,
				    "extra chunk dst %pad src %pad len %zu",
				    &d, &s, len);
		KUNIT_EXPECT_EQ_MSG(test, d, DST_BASE + w->di * ENTRY_STRIDE + w->doff,
				    "chunk %u destination", n);
		KUNIT_EXPECT_EQ_MSG(test, s, SRC_BASE + w->si * ENTRY_STRIDE + w->soff,
				    "chunk %u source", n);
		KUNIT_EXPECT_EQ_MSG(test, len, w->len, "chunk %u length", n);
		KUNIT_EXPECT_LE(test, len, c->max_len);
		KUNIT_EXPECT_GT(test, len, 0);
		total += len;
		n++;
	}
	KUNIT_EXPECT_EQ_MSG(test, n, c->want_n, "number of chunks");

	/* The chunks add up to the smaller total, as dma_sg_pair_len() says. */
	KUNIT_EXPECT_EQ(test, total, min(sg_pair_sum(c->dst, c->dst_n),
					 sg_pair_sum(c->src, c->src_n)));
	KUNIT_EXPECT_EQ(test, total, dma_sg_pair_len(dst, c->dst_n, src, c->src_n));

	/* An exhausted walk stays exhausted and leaves the outputs alone. */
	d = 1;
	s = 2;
	len = 3;
	KUNIT_EXPECT_FALSE(test, dma_sg_pair_iter_next(&iter, &d, &s, &len));
	KUNIT_EXPECT_EQ(test, d, 1);
	KUNIT_EXPECT_EQ(test, s, 2);
	KUNIT_EXPECT_EQ(test, len, 3);
}

/* Entries beyond the mapped count must not be walked. */
static void sg_pair_nents_bound_test(struct kunit *test)
{
	static const unsigned int lens[] = { SZ_4K, SZ_4K, SZ_4K, SZ_4K };
	struct scatterlist dst[MAX_ENTRIES], src[MAX_ENTRIES];
	struct dma_sg_pair_iter iter;
	dma_addr_t d, s;
	size_t len, total = 0;

	sg_pair_fill(dst, lens, ARRAY_SIZE(lens), DST_BASE);
	sg_pair_fill(src, lens, ARRAY_SIZE(lens), SRC_BASE);
	KUNIT_ASSERT_EQ(test, 0, dma_sg_pair_iter_init(&iter, dst, 2, src, 4,
						       SIZE_MAX));
	while (dma_sg_pair_iter_next(&iter, &d, &s, &len)) {
		KUNIT_EXPECT_LT(test, d, DST_BASE + 2 * ENTRY_STRIDE);
		total += len;
	}
	KUNIT_EXPECT_EQ(test, total, 2 * SZ_4K);
	KUNIT_EXPECT_EQ(test, dma_sg_pair_len(dst, 2, src, 4), 2 * SZ_4K);
}

/* Chained tables are followed through sg_next(). */
static void sg_pair_chained_test(struct kunit *test)
{
	struct scatterlist a[3], b[2], src[1];
	struct dma_sg_pair_iter iter;
	dma_addr_t d, s;
	size_t len;

	sg_init_table(a, 3);
	sg_init_table(b, 2);
	sg_chain(a, 3, b);	/* a[2] becomes the link to b */
	sg_dma_address(&a[0]) = DST_BASE;
	sg_dma_len(&a[0]) = SZ_4K;
	sg_dma_address(&a[1]) = DST_BASE + ENTRY_STRIDE;
	sg_dma_len(&a[1]) = SZ_4K;
	sg_dma_address(&b[0]) = DST_BASE + 2 * ENTRY_STRIDE;
	sg_dma_len(&b[0]) = SZ_4K;
	sg_dma_address(&b[1]) = DST_BASE + 3 * ENTRY_STRIDE;
	sg_dma_len(&b[1]) = SZ_4K;

	sg_init_table(src, 1);
	sg_dma_address(&src[0]) = SRC_BASE;
	sg_dma_len(&src[0]) = SZ_16K;

	KUNIT_ASSERT_EQ(test, 0, dma_sg_pair_iter_init(&iter, a, 4, src, 1,
						       SIZE_MAX));
	for (int i = 0; i < 4; i++) {
		KUNIT_ASSERT_TRUE(test, dma_sg_pair_iter_next(&iter, &d, &s, &len));
		KUNIT_EXPECT_EQ(test, d, DST_BASE + i * ENTRY_STRIDE);
		KUNIT_EXPECT_EQ(test, s, SRC_BASE + i * SZ_4K);
		KUNIT_EXPECT_EQ(test, len, SZ_4K);
	}
	KUNIT_EXPECT_FALSE(test, dma_sg_pair_iter_next(&iter, &d, &s, &len));
}

/* A count larger than the chain ends the walk at the end of the chain. */
static void sg_pair_short_chain_test(struct kunit *test)
{
	static const unsigned int lens[] = { SZ_4K, SZ_4K };
	struct scatterlist dst[2], src[2];
	struct dma_sg_pair_iter iter;
	dma_addr_t d, s;
	size_t len;
	unsigned int n = 0;

	sg_init_table(dst, 2);
	sg_init_table(src, 2);
	for (int i = 0; i < 2; i++) {
		sg_dma_address(&dst[i]) = DST_BASE + i * ENTRY_STRIDE;
		sg_dma_len(&dst[i]) = lens[i];
		sg_dma_address(&src[i]) = SRC_BASE + i * ENTRY_STRIDE;
		sg_dma_len(&src[i]) = lens[i];
	}
	KUNIT_ASSERT_EQ(test, 0, dma_sg_pair_iter_init(&iter, dst, 5, src, 5,
						       SIZE_MAX));
	while (dma_sg_pair_iter_next(&iter, &d, &s, &len))
		n++;
	KUNIT_EXPECT_EQ(test, n, 2);
}

static void sg_pair_invalid_test(struct kunit *test)
{
	struct scatterlist sg[1];
	struct dma_sg_pair_iter iter;
	dma_addr_t d, s;
	size_t len;

	sg_init_table(sg, 1);
	sg_dma_address(&sg[0]) = DST_BASE;
	sg_dma_len(&sg[0]) = SZ_4K;

	KUNIT_EXPECT_EQ(test, -EINVAL,
			dma_sg_pair_iter_init(&iter, sg, 1, sg, 1, 0));
	KUNIT_EXPECT_FALSE(test, dma_sg_pair_iter_next(&iter, &d, &s, &len));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			dma_sg_pair_iter_init(&iter, NULL, 1, sg, 1, SZ_4K));
	KUNIT_EXPECT_FALSE(test, dma_sg_pair_iter_next(&iter, &d, &s, &len));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			dma_sg_pair_iter_init(&iter, sg, 1, NULL, 1, SZ_4K));
	KUNIT_EXPECT_FALSE(test, dma_sg_pair_iter_next(&iter, &d, &s, &len));
	/* NULL with a zero count is an empty list, not an error. */
	KUNIT_EXPECT_EQ(test, 0,
			dma_sg_pair_iter_init(&iter, NULL, 0, sg, 1, SZ_4K));
	KUNIT_EXPECT_FALSE(test, dma_sg_pair_iter_next(&iter, &d, &s, &len));
}

static struct kunit_case sg_pair_test_cases[] = {
	KUNIT_CASE_PARAM(sg_pair_walk_test, sg_pair_gen_params),
	KUNIT_CASE(sg_pair_nents_bound_test),
	KUNIT_CASE(sg_pair_chained_test),
	KUNIT_CASE(sg_pair_short_chain_test),
	KUNIT_CASE(sg_pair_invalid_test),
	{}
};

static struct kunit_suite sg_pair_test_suite = {
	.name = "dma_sg_pair",
	.test_cases = sg_pair_test_cases,
};

kunit_test_suite(sg_pair_test_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA_MEMCPY_SG scatterlist pair walker");
MODULE_LICENSE("GPL");
