// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of DMA_MEMCPY_SG as a client sees it, on a real channel of
 * whichever provider offers the capability: copies between two mapped
 * scatterlists of different shapes must move exactly min(total source,
 * total destination) bytes, in stream order, touch nothing else, and
 * complete as one transaction with one callback.
 *
 * The channel is the one named by the "channel" parameter (dma0chan0...)
 * or, by default, the first the dmaengine core hands out for
 * DMA_MEMCPY_SG; the suite is skipped when there is none.  A provider may
 * bound the chunks of one transaction (a descriptor pool): the largest
 * layout here needs 255 descriptors.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#define CHAN_TEST_MAX_ENTS	128
#define CHAN_TEST_GUARD		64	/* bytes checked on each side of an entry */
#define CHAN_TEST_TIMEOUT_MS	10000
#define CHAN_TEST_POISON	0xa5
#define CHAN_TEST_TXS		8	/* transactions in flight at once */

static char *channel;
module_param(channel, charp, 0444);
MODULE_PARM_DESC(channel,
		 "DMA channel to test (e.g. dma0chan0); default: any with DMA_MEMCPY_SG");

struct chan_layout {
	const char *name;
	unsigned int dst[CHAN_TEST_MAX_ENTS];
	unsigned int src[CHAN_TEST_MAX_ENTS];
	unsigned int dst_n, src_n;
	unsigned int reps;	/* >0: dst[0] and src[0] repeated this often */
};

static const struct chan_layout chan_layouts[] = {
	{ "equal pages", { 4096, 4096, 4096 }, { 4096, 4096, 4096 }, 3, 3 },
	{ "uneven, destination splits first", { 1000, 3000, 8192 },
	  { 4096, 4096, 4096 }, 3, 3 },
	{ "uneven, source splits first", { 4096, 4096, 4096 },
	  { 1000, 3000, 8192 }, 3, 3 },
	{ "odd lengths", { 1, 4095, 333, 7777 }, { 513, 511, 9000, 3 }, 4, 4 },
	{ "one destination, many sources", { 16384 },
	  { 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024,
	    1024, 1024, 1024, 1024, 1024 }, 1, 16 },
	{ "many destinations, one source",
	  { 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024,
	    1024, 1024, 1024, 1024, 1024 }, { 16384 }, 16, 1 },
	{ "zero-length entries", { 0, 2048, 0, 2048, 0 }, { 4096, 0 }, 5, 2 },
	{ "source shorter", { 8192, 8192 }, { 4096, 100 }, 2, 2 },
	{ "destination shorter", { 100, 4096 }, { 8192, 8192 }, 2, 2 },
	{ "single entries", { 65536 }, { 65536 }, 1, 1 },
	/* 128 x 4000 against 128 x 4096: 255 chunks in one transaction */
	{ "128 entries a side", { 4000 }, { 4096 }, 1, 1, 128 },
};

static void chan_layout_desc(const struct chan_layout *l, char *desc)
{
	strscpy(desc, l->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(chan_layout, chan_layouts, chan_layout_desc);

/* One side of a transfer: entries in buffers of their own, with guards. */
struct chan_side {
	unsigned int n;
	unsigned int len[CHAN_TEST_MAX_ENTS];
	u8 *buf[CHAN_TEST_MAX_ENTS];	/* guard, entry, guard */
	struct scatterlist sgl[CHAN_TEST_MAX_ENTS];
	int mapped;
	size_t total;
};

struct chan_tx {
	struct chan_side dst, src;
	struct completion done;
	atomic_t callbacks;
	enum dmaengine_tx_result result;
	dma_cookie_t cookie;
};

static struct dma_chan *chan_test_chan;

static bool chan_filter(struct dma_chan *chan, void *param)
{
	return !strcmp(dma_chan_name(chan), param);
}

static u8 chan_pattern(unsigned int tx, size_t pos)
{
	return (u8)(pos * 7 + pos / 251 + tx * 13 + 1);
}

static int chan_side_init(struct kunit *test, struct chan_side *s,
			  const unsigned int *len, unsigned int n,
			  unsigned int reps, bool src, unsigned int tx)
{
	unsigned int i;
	size_t pos = 0;

	s->n = reps ? reps : n;
	sg_init_table(s->sgl, s->n);
	for (i = 0; i < s->n; i++) {
		unsigned int l = reps ? len[0] : len[i];
		/* entries start at odd offsets in their buffers */
		unsigned int off = CHAN_TEST_GUARD + (i * 5) % 16;
		size_t b;

		s->len[i] = l;
		s->buf[i] = kunit_kmalloc(test, l + off + CHAN_TEST_GUARD,
					  GFP_KERNEL);
		if (!s->buf[i])
			return -ENOMEM;
		memset(s->buf[i], CHAN_TEST_POISON, l + off + CHAN_TEST_GUARD);
		if (src)
			for (b = 0; b < l; b++)
				s->buf[i][off + b] = chan_pattern(tx, pos + b);
		sg_set_buf(&s->sgl[i], s->buf[i] + off, l);
		pos += l;
	}
	s->total = pos;
	return 0;
}

static void chan_side_unmap(struct device *dev, struct chan_side *s,
			    enum dma_data_direction dir)
{
	if (s->mapped > 0)
		dma_unmap_sg(dev, s->sgl, s->n, dir);
	s->mapped = 0;
}

/*
 * Check one side after the copy: every byte of the destination stream up
 * to @copied is the source pattern and every other byte, guards included,
 * is untouched; the source is unchanged.  Returns the bad bytes.
 */
static size_t chan_side_check(struct kunit *test, const struct chan_side *s,
			      bool src, size_t copied, unsigned int tx)
{
	size_t pos = 0, bad = 0;
	unsigned int i;

	for (i = 0; i < s->n; i++) {
		unsigned int off = CHAN_TEST_GUARD + (i * 5) % 16;
		size_t b, all = s->len[i] + off + CHAN_TEST_GUARD;

		for (b = 0; b < all; b++) {
			bool in = b >= off && b < off + s->len[i];
			size_t at = pos + b - off;
			u8 want = in && (src || at < copied) ?
				  chan_pattern(tx, at) : CHAN_TEST_POISON;

			if (s->buf[i][b] != want && bad++ < 4)
				kunit_err(test, "%s entry %u byte %zu (stream %zd): %#x, not %#x\n",
					  src ? "source" : "destination", i, b,
					  in ? (ssize_t)at : -1, s->buf[i][b],
					  want);
		}
		pos += s->len[i];
	}
	return bad;
}

static void chan_callback(void *param, const struct dmaengine_result *res)
{
	struct chan_tx *t = param;

	t->result = res ? res->result : DMA_TRANS_NOERROR;
	atomic_inc(&t->callbacks);
	complete(&t->done);
}

/* Prepare and submit @t on the channel; false if the provider refused. */
static bool chan_tx_submit(struct kunit *test, struct chan_tx *t)
{
	struct device *dev = dmaengine_get_dma_device(chan_test_chan);
	struct dma_async_tx_descriptor *tx;

	t->src.mapped = dma_map_sg(dev, t->src.sgl, t->src.n, DMA_TO_DEVICE);
	t->dst.mapped = dma_map_sg(dev, t->dst.sgl, t->dst.n, DMA_FROM_DEVICE);
	KUNIT_ASSERT_GT(test, t->src.mapped, 0);
	KUNIT_ASSERT_GT(test, t->dst.mapped, 0);
	init_completion(&t->done);
	atomic_set(&t->callbacks, 0);
	tx = dmaengine_prep_dma_memcpy_sg(chan_test_chan, t->dst.sgl,
					  t->dst.mapped, t->src.sgl,
					  t->src.mapped,
					  DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx)
		return false;
	tx->callback_result = chan_callback;
	tx->callback_param = t;
	t->cookie = dmaengine_submit(tx);
	KUNIT_EXPECT_FALSE(test, dma_submit_error(t->cookie));
	return !dma_submit_error(t->cookie);
}

/* Wait for @t, unmap it and check its result and every byte. */
static void chan_tx_finish(struct kunit *test, struct chan_tx *t,
			   unsigned int idx)
{
	struct device *dev = dmaengine_get_dma_device(chan_test_chan);
	size_t copied = min(t->src.total, t->dst.total);
	unsigned long left;

	left = wait_for_completion_timeout(&t->done,
					   msecs_to_jiffies(CHAN_TEST_TIMEOUT_MS));
	if (!left) {
		/* Nothing may touch the buffers once the test gives them back */
		dmaengine_terminate_sync(chan_test_chan);
		KUNIT_FAIL(test, "transaction %u not complete after %d ms",
			   idx, CHAN_TEST_TIMEOUT_MS);
	}
	chan_side_unmap(dev, &t->src, DMA_TO_DEVICE);
	chan_side_unmap(dev, &t->dst, DMA_FROM_DEVICE);
	KUNIT_ASSERT_NE(test, left, 0);
	KUNIT_EXPECT_EQ(test, t->result, DMA_TRANS_NOERROR);
	KUNIT_EXPECT_EQ(test, dma_async_is_tx_complete(chan_test_chan,
						       t->cookie, NULL, NULL),
			DMA_COMPLETE);
	KUNIT_EXPECT_EQ(test, chan_side_check(test, &t->dst, false, copied, idx),
			0);
	KUNIT_EXPECT_EQ(test, chan_side_check(test, &t->src, true, copied, idx),
			0);
	/* One transaction, one callback, however many chunks it had */
	KUNIT_EXPECT_EQ(test, atomic_read(&t->callbacks), 1);
}

static struct chan_tx *chan_tx_alloc(struct kunit *test,
				     const struct chan_layout *l,
				     unsigned int idx)
{
	struct chan_tx *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, chan_side_init(test, &t->dst, l->dst, l->dst_n,
					     l->reps, false, idx), 0);
	KUNIT_ASSERT_EQ(test, chan_side_init(test, &t->src, l->src, l->src_n,
					     l->reps, true, idx), 0);
	return t;
}

/* One transaction of each layout, alone on the channel */
static void chan_layout_test(struct kunit *test)
{
	const struct chan_layout *l = test->param_value;
	struct chan_tx *t = chan_tx_alloc(test, l, 0);

	if (!chan_tx_submit(test, t)) {
		chan_side_unmap(dmaengine_get_dma_device(chan_test_chan),
				&t->src, DMA_TO_DEVICE);
		chan_side_unmap(dmaengine_get_dma_device(chan_test_chan),
				&t->dst, DMA_FROM_DEVICE);
		KUNIT_FAIL(test, "%s refused to prepare the transaction",
			   dma_chan_name(chan_test_chan));
		return;
	}
	dma_async_issue_pending(chan_test_chan);
	chan_tx_finish(test, t, 0);
}

/*
 * Several transactions submitted before one issue_pending: the provider
 * queues them behind each other and completes each on its own.
 */
static void chan_queued_test(struct kunit *test)
{
	struct chan_tx *t[CHAN_TEST_TXS];
	unsigned int i, n;

	for (n = 0; n < CHAN_TEST_TXS; n++) {
		t[n] = chan_tx_alloc(test, &chan_layouts[n % 5], n);
		if (!chan_tx_submit(test, t[n])) {
			struct device *dev =
				dmaengine_get_dma_device(chan_test_chan);

			chan_side_unmap(dev, &t[n]->src, DMA_TO_DEVICE);
			chan_side_unmap(dev, &t[n]->dst, DMA_FROM_DEVICE);
			KUNIT_FAIL(test, "transaction %u refused", n);
			break;
		}
	}
	dma_async_issue_pending(chan_test_chan);
	for (i = 0; i < n; i++)
		chan_tx_finish(test, t[i], i);
}

static int chan_suite_init(struct kunit_suite *suite)
{
	dma_cap_mask_t mask;
	struct dma_chan *chan;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY_SG, mask);
	if (channel && *channel)
		chan = dma_request_channel(mask, chan_filter, channel);
	else
		chan = dma_request_chan_by_mask(&mask);
	chan_test_chan = IS_ERR_OR_NULL(chan) ? NULL : chan;
	if (chan_test_chan)
		pr_info("%s: testing %s (%s)\n", suite->name,
			dma_chan_name(chan_test_chan),
			dev_name(chan_test_chan->device->dev));
	return 0;
}

static void chan_suite_exit(struct kunit_suite *suite)
{
	if (chan_test_chan)
		dma_release_channel(chan_test_chan);
	chan_test_chan = NULL;
}

static int chan_test_init(struct kunit *test)
{
	if (!chan_test_chan)
		kunit_skip(test, "no DMA_MEMCPY_SG channel%s%s",
			   channel ? " named " : "", channel ? channel : "");
	return 0;
}

static struct kunit_case chan_test_cases[] = {
	KUNIT_CASE_PARAM(chan_layout_test, chan_layout_gen_params),
	KUNIT_CASE(chan_queued_test),
	{}
};

static struct kunit_suite chan_test_suite = {
	.name = "dma_memcpy_sg_chan",
	.suite_init = chan_suite_init,
	.suite_exit = chan_suite_exit,
	.init = chan_test_init,
	.test_cases = chan_test_cases,
};

kunit_test_suite(chan_test_suite);

MODULE_DESCRIPTION("KUnit tests of DMA_MEMCPY_SG on a provider's channel");
MODULE_LICENSE("GPL");
