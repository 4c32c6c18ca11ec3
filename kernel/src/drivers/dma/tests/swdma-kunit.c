// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for swdma, the software memcpy DMA engine: what a client can
 * observe of a provider (cookies, status, residue, callback results,
 * injected failures, terminate/synchronize, synchronous pause,
 * out-of-order retirement, private channels, memcpy_sg semantics,
 * concurrent submitters, bad input, removal with work in flight).
 *
 * Each test creates its own private swdma device, so the module's device
 * and its users are left alone, and drives the knobs through the same
 * accessors as debugfs.  Teardown is done by KUnit actions in reverse
 * order of setup, so that on an assertion failure the channel is stopped
 * before the buffers and records its callbacks write to are freed.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/kthread.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "swdma-test.h"

#define NR_TEST_CHANS	2
#define BUF_LEN		4096
#define MAX_DESCS	16
#define DST_FILL	0xa5	/* what the engine must not leave behind */

/* One descriptor's buffers, mapping and completion record. */
struct test_xfer {
	struct swdma_test *t;
	u8 *src, *dst;
	dma_addr_t src_dma, dst_dma;
	size_t len;
	dma_cookie_t cookie;
	struct dmaengine_result res;
	int calls;
	int order;		/* position in completion order */
	struct completion done;
	struct cb_log *log;
	bool mapped;
};

/* What a quiesce action needs: the test and one set of transfers. */
struct xfer_set {
	struct swdma_test *t;
	struct test_xfer *x;
	int n;
};

struct cb_log {
	spinlock_t lock;	/* protects the fields below */
	int completed;
	struct test_xfer *seen[MAX_DESCS];
	bool bad_status;	/* a cookie reported complete before its data */
	struct test_xfer *x;	/* the set to check from callbacks, or NULL */
	int nr;
	atomic_t calls;
};

static int swdma_test_init(struct kunit *test)
{
	struct swdma_platform_data pdata = {
		.nr_channels = NR_TEST_CHANS,
	};

	swdma_test_setup(test, &pdata, DMA_MEMCPY_SG);
	return 0;
}

/* Runs before the actions: the device is still there. */
static void swdma_test_exit(struct kunit *test)
{
	struct swdma_test *t = test->priv;

	if (t && t->sd && t->chan)
		KUNIT_EXPECT_EQ(test, swdma_live_descs(t->sd), 0);
}

static struct cb_log *log_alloc(struct kunit *test)
{
	struct cb_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, log);
	spin_lock_init(&log->lock);
	return log;
}

static void fill(u8 *buf, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7 + (i >> 8);
}

static void xfer_cb(void *param, const struct dmaengine_result *res)
{
	struct test_xfer *x = param;
	struct cb_log *log = x->log;
	unsigned long flags;
	int i;

	spin_lock_irqsave(&log->lock, flags);
	x->res = *res;
	x->calls++;
	x->order = log->completed;
	if (log->completed < MAX_DESCS)
		log->seen[log->completed] = x;
	log->completed++;

	/*
	 * A cookie the engine reports complete must have all its data in
	 * place, whether or not its own callback has run yet.
	 */
	for (i = 0; log->x && i < log->nr; i++) {
		struct test_xfer *o = &log->x[i];

		if (dmaengine_tx_status(x->t->chan, o->cookie, NULL) ==
		    DMA_COMPLETE && memcmp(o->dst, o->src, o->len))
			log->bad_status = true;
	}
	spin_unlock_irqrestore(&log->lock, flags);

	atomic_inc(&log->calls);
	complete(&x->done);
}

static void xfers_unmap(struct test_xfer *x, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!x[i].mapped)
			continue;
		dma_unmap_single(x[i].t->dma_dev, x[i].src_dma, x[i].len,
				 DMA_TO_DEVICE);
		dma_unmap_single(x[i].t->dma_dev, x[i].dst_dma, x[i].len,
				 DMA_FROM_DEVICE);
		x[i].mapped = false;
	}
}

/* Stop the engine touching a set, then unmap it (an assertion failed). */
static void xfers_quiesce(void *data)
{
	struct xfer_set *set = data;

	if (set->t->chan)
		dmaengine_terminate_sync(set->t->chan);
	xfers_unmap(set->x, set->n);
}

/*
 * Allocate and map @n transfers of @len bytes each, sources filled with a
 * pattern, destinations with @dst_fill.
 */
static struct test_xfer *xfers_alloc(struct kunit *test, struct cb_log *log,
				     int n, size_t len, u8 dst_fill)
{
	struct swdma_test *t = test->priv;
	struct xfer_set *set;
	struct test_xfer *x;
	int i;

	x = kunit_kcalloc(test, n, sizeof(*x), GFP_KERNEL);
	set = kunit_kzalloc(test, sizeof(*set), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, set);
	for (i = 0; i < n; i++) {
		x[i].t = t;
		x[i].log = log;
		x[i].len = len;
		x[i].order = -1;
		init_completion(&x[i].done);
		x[i].src = kunit_kmalloc(test, len, GFP_KERNEL);
		x[i].dst = kunit_kmalloc(test, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, x[i].src);
		KUNIT_ASSERT_NOT_NULL(test, x[i].dst);
		fill(x[i].src, len, i + 1);
		memset(x[i].dst, dst_fill, len);
	}

	set->t = t;
	set->x = x;
	set->n = n;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xfers_quiesce,
							set), 0);
	for (i = 0; i < n; i++) {
		x[i].src_dma = dma_map_single(t->dma_dev, x[i].src, len,
					      DMA_TO_DEVICE);
		if (dma_mapping_error(t->dma_dev, x[i].src_dma))
			break;
		x[i].dst_dma = dma_map_single(t->dma_dev, x[i].dst, len,
					      DMA_FROM_DEVICE);
		if (dma_mapping_error(t->dma_dev, x[i].dst_dma)) {
			dma_unmap_single(t->dma_dev, x[i].src_dma, len,
					 DMA_TO_DEVICE);
			break;
		}
		x[i].mapped = true;
	}
	KUNIT_ASSERT_EQ_MSG(test, i, n, "DMA mapping failed");
	return x;
}

static struct dma_async_tx_descriptor *
xfer_submit_flags(struct kunit *test, struct test_xfer *x, unsigned long flags)
{
	struct swdma_test *t = test->priv;
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(t->chan, x->dst_dma, x->src_dma, x->len,
				       flags);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	tx->callback_result = xfer_cb;
	tx->callback_param = x;
	x->cookie = dmaengine_submit(tx);
	KUNIT_ASSERT_GT(test, x->cookie, 0);
	return tx;
}

static void xfer_submit(struct kunit *test, struct test_xfer *x)
{
	xfer_submit_flags(test, x, DMA_PREP_INTERRUPT);
}

static void xfers_wait(struct kunit *test, struct test_xfer *x, int n)
{
	int i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_GT_MSG(test,
				    wait_for_completion_timeout(&x[i].done,
								10 * HZ), 0UL,
				    "descriptor %d never completed", i);
}

static void set_knob(struct kunit *test, enum swdma_knob knob, u64 val)
{
	struct swdma_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, swdma_set_knob(t->sd, knob, val), 0);
}

/* In order: cookies grow, pending ones report their residue, FIFO retire. */
static void swdma_test_in_order(struct kunit *test)
{
	struct swdma_test *t = test->priv;
	struct dma_tx_state state;
	struct test_xfer *x;
	struct cb_log *log;
	int i, n = 8;

	log = log_alloc(test);
	x = xfers_alloc(test, log, n, BUF_LEN, 0);
	log->x = x;
	log->nr = n;
	set_knob(test, SWDMA_LATENCY_US, 20000);
	for (i = 0; i < n; i++) {
		xfer_submit(test, &x[i]);
		if (i)
			KUNIT_EXPECT_GT(test, x[i].cookie, x[i - 1].cookie);
	}

	/* Submitted, not issued: in progress with the full residue. */
	KUNIT_EXPECT_EQ(test, dmaengine_tx_status(t->chan, x[n - 1].cookie,
						  &state), DMA_IN_PROGRESS);
	KUNIT_EXPECT_EQ(test, state.residue, (u32)BUF_LEN);

	dma_async_issue_pending(t->chan);
	xfers_wait(test, x, n);
	xfers_unmap(x, n);

	KUNIT_EXPECT_FALSE(test, log->bad_status);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, x[i].calls, 1);
		KUNIT_EXPECT_EQ(test, x[i].order, i);
		KUNIT_EXPECT_EQ(test, x[i].res.result, DMA_TRANS_NOERROR);
		KUNIT_EXPECT_EQ(test, x[i].res.residue, 0U);
		KUNIT_EXPECT_EQ(test, dmaengine_tx_status(t->chan, x[i].cookie,
							  &state), DMA_COMPLETE);
		KUNIT_EXPECT_EQ(test, state.residue, 0U);
		KUNIT_EXPECT_MEMEQ(test, x[i].dst, x[i].src, BUF_LEN);
	}
}

/*
 * Completed descriptors freed without DMA_CTRL_ACK are counted, as a
 * provider that recycles only acked ones would have kept them: one
 * prepared with the flag and one acked after prep do not count, one
 * without does, and one terminated before it ran does not either.
 */
static void swdma_test_unacked(struct kunit *test)
{
	struct swdma_test *t = test->priv;
	struct dma_async_tx_descriptor *tx;
	struct test_xfer *x;
	struct cb_log *log;
	long before;
	int i;

	log = log_alloc(test);
	x = xfers_alloc(test, log, 4, BUF_LEN, 0);
	log->x = x;
	log->nr = 3;
	before = swdma_unacked_descs(t->sd);
	xfer_submit_flags(test, &x[0], DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	tx = xfer_submit_flags(test, &x[1], DMA_PREP_INTERRUPT);
	async_tx_ack(tx);
	xfer_submit_flags(test, &x[2], DMA_PREP_INTERRUPT);
	dma_async_issue_pending(t->chan);
	xfers_wait(test, x, 3);
	/* virt-dma frees them after their callbacks, in its tasklet. */
	dmaengine_synchronize(t->chan);
	KUNIT_EXPECT_EQ(test, swdma_unacked_descs(t->sd) - before, 1L);

	xfer_submit_flags(test, &x[3], DMA_PREP_INTERRUPT);
	KUNIT_ASSERT_EQ(test, dmaengine_terminate_sync(t->chan), 0);
	KUNIT_EXPECT_EQ(test, swdma_unacked_descs(t->sd) - before, 1L);
	xfers_unmap(x, 4);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_MEMEQ(test, x[i].dst, x[i].src, BUF_LEN);
}

/* Injected failures: error result, residue, and only a prefix copied. */
static void swdma_test_errors(struct kunit *test)
{
	struct swdma_test *t = test->priv;
	struct swdma_counters cnt;
	struct test_xfer *x;
	struct cb_log *log;
	int i, n = 8, failed = 0;

	log = log_alloc(test);
	x = xfers_alloc(test, log, n, BUF_LEN, 0);
	set_knob(test, SWDMA_FAIL_SEED, 7);
	swdma_test_fail(test, t->sd, 2, SWDMA_FAIL_EITHER);
	for (i = 0; i < n; i++)
		xfer_submit(test, &x[i]);
	dma_async_issue_pending(t->chan);
	xfers_wait(test, x, n);
	xfers_unmap(x, n);

	for (i = 0; i < n; i++) {
		size_t copied = BUF_LEN - x[i].res.residue;

		if (i % 2 == 0) {
			KUNIT_EXPECT_EQ(test, x[i].res.result,
					DMA_TRANS_NOERROR);
			KUNIT_EXPECT_MEMEQ(test, x[i].dst, x[i].src, BUF_LEN);
			continue;
		}
		failed++;
		KUNIT_EXPECT_TRUE(test,
				  x[i].res.result == DMA_TRANS_READ_FAILED ||
				  x[i].res.result == DMA_TRANS_WRITE_FAILED);
		KUNIT_EXPECT_GT(test, x[i].res.residue, 0U);
		KUNIT_EXPECT_LE(test, x[i].res.residue, (u32)BUF_LEN);
		KUNIT_EXPECT_MEMEQ(test, x[i].dst, x[i].src, copied);
		KUNIT_EXPECT_TRUE(test, !memchr_inv(x[i].dst + copied, 0,
						    BUF_LEN - copied));
	}
	/* The last failure is visible to a polling client too. */
	KUNIT_EXPECT_EQ(test, dmaengine_tx_status(t->chan, x[n - 1].cookie,
						  NULL), DMA_ERROR);

	swdma_get_counters(t->chan, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.descs, (u64)n);
	KUNIT_EXPECT_EQ(test, cnt.errors, (u64)failed);
}

/*
 * Fault injection decides at prep time, in the preparing task's context:
 * fail_dir picks the side, times caps the failures, space lets that many
 * bytes pass first, and task-filter fails only tasks with make-it-fail.
 */
static void swdma_test_fault_attr(struct kunit *test)
{
	static const int expect[] = {
		DMA_TRANS_READ_FAILED, DMA_TRANS_WRITE_FAILED,	/* fail_dir */
		DMA_TRANS_WRITE_FAILED, DMA_TRANS_WRITE_FAILED,	/* times 2 */
		DMA_TRANS_NOERROR,
		DMA_TRANS_NOERROR, DMA_TRANS_NOERROR,		/* space */
		DMA_TRANS_WRITE_FAILED,
		DMA_TRANS_NOERROR, DMA_TRANS_WRITE_FAILED,	/* task-filter */
	};
	struct swdma_test *t = test->priv;
	int i = 0, n = ARRAY_SIZE(expect);
	struct test_xfer *x;
	struct cb_log *log;

	log = log_alloc(test);
	x = xfers_alloc(test, log, n, BUF_LEN, 0);
	swdma_test_fail(test, t->sd, 1, SWDMA_FAIL_READ);
#ifdef CONFIG_FAULT_INJECTION
	{
		struct fault_attr *attr = swdma_fault_attr(t->sd);
		unsigned int make_it_fail = current->make_it_fail;

		xfer_submit(test, &x[i++]);
		swdma_test_fail(test, t->sd, 1, SWDMA_FAIL_WRITE);
		xfer_submit(test, &x[i++]);
		atomic_set(&attr->times, 2);
		while (i < 5)
			xfer_submit(test, &x[i++]);
		swdma_test_fail(test, t->sd, 1, SWDMA_FAIL_WRITE);
		atomic_set(&attr->space, 2 * BUF_LEN + 1);
		while (i < 8)
			xfer_submit(test, &x[i++]);
		swdma_test_fail(test, t->sd, 1, SWDMA_FAIL_WRITE);
		attr->task_filter = true;
		current->make_it_fail = 0;
		xfer_submit(test, &x[i++]);
		current->make_it_fail = 1;
		xfer_submit(test, &x[i++]);
		current->make_it_fail = make_it_fail;
		swdma_test_fail(test, t->sd, 0, SWDMA_FAIL_EITHER);
	}
#endif
	dma_async_issue_pending(t->chan);
	xfers_wait(test, x, n);
	xfers_unmap(x, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, x[i].res.result, expect[i],
				    "descriptor %d", i);
		if (expect[i] == DMA_TRANS_NOERROR)
			KUNIT_EXPECT_MEMEQ(test, x[i].dst, x[i].src, BUF_LEN);
		else
			KUNIT_EXPECT_GT(test, x[i].res.residue, 0U);
	}
}

/* terminate_all + synchronize: no callback afterwards, nothing leaked. */
static void swdma_test_terminate(struct kunit *test)
{
	struct swdma_test *t = test->priv;
	struct test_xfer *x;
	struct cb_log *log;
	int i, n = 8, calls;

	log = log_alloc(test);
	x = xfers_alloc(test, log, n, BUF_LEN, 0);
	/* Long enough that nothing else retires while we look. */
	set_knob(test, SWDMA_LATENCY_US, 1000000);
	for (i = 0; i < n; i++)
		xfer_submit(test, &x[i]);
	dma_async_issue_pending(t->chan);

	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&x[0].done, 10 * HZ),
			0UL);
	KUNIT_ASSERT_EQ(test, dmaengine_terminate_sync(t->chan), 0);
	calls = atomic_read(&log->calls);
	KUNIT_EXPECT_LT(test, calls, n);
	KUNIT_EXPECT_EQ(test, swdma_live_descs(t->sd), 0);

	msleep(300);
	KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), calls);
	xfers_unmap(x, n);

	/* The channel still works afterwards. */
	log = log_alloc(test);
	set_knob(test, SWDMA_LATENCY_US, 0);
	x = xfers_alloc(test, log, 1, BUF_LEN, 0);
	xfer_submit(test, x);
	dma_async_issue_pending(t->chan);
	xfers_wait(test, x, 1);
	xfers_unmap(x, 1);
	KUNIT_EXPECT_MEMEQ(test, x->dst, x->src, BUF_LEN);
}

static void terminate_from_cb(void *param, const struct dmaengine_result *res)
{
	struct test_xfer *x = param;

	dmaengine_terminate_async(x->t->chan);
	xfer_cb(param, res);
}

/* terminate_all from a completion callback: the rest never calls back. */
static void swdma_test_terminate_in_callback(struct kunit *test)
{
	struct swdma_test *t = test->priv;
	struct dma_async_tx_descriptor *tx;
	struct test_xfer *x;
	struct cb_log *log;
	int i, n = 6;

	log = log_alloc(test);
	x = xfers_alloc(test, log, n, BUF_LEN, 0);
	set_knob(test, SWDMA_LATENCY_US, 1000000);
	for (i = 0; i < n; i++) {
		tx = dmaengine_prep_dma_memcpy(t->chan, x[i].dst_dma,
					       x[i].src_dma, BUF_LEN,
					       DMA_PREP_INTERRUPT);
		KUNIT_ASSERT_NOT_NULL(test, tx);
		tx->callback_result = i ? xfer_cb : terminate_from_cb;
		tx->callback_param = &x[i];
		x[i].cookie = dmaengine_submit(tx);
	}
	dma_async_issue_pending(t->chan);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&x[0].done, 10 * HZ),
			0UL);
	dmaengine_synchronize(t->chan);
	msleep(200);
	KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), 1);
	KUNIT_EXPECT_EQ(test, swdma_live_descs(t->sd), 0);
	xfers_unmap(x, n);
}

/*
 * Out of order: non-FIFO retirement, and DMA_OUT_OF_ORDER for every cookie,
 * pending or retired, as provider.rst asks of DMA_COMPLETION_NO_ORDER.
 */
static void swdma_test_out_of_order(struct kunit *test)
{
	struct swdma_test *t = test->priv;
	struct test_xfer *x;
	struct cb_log *log;
	int i, n = 8, inversions = 0;

	/* Only while no channel is in use. */
	KUNIT_EXPECT_EQ(test, swdma_set_knob(t->sd, SWDMA_OUT_OF_ORDER, 1),
			-EBUSY);
	dma_release_channel(t->chan);
	t->chan = NULL;
	set_knob(test, SWDMA_OUT_OF_ORDER, 1);
	set_knob(test, SWDMA_FAIL_SEED, 1);
	set_knob(test, SWDMA_LATENCY_US, 20000);
	{
		dma_cap_mask_t mask;

		dma_cap_zero(mask);
		dma_cap_set(DMA_MEMCPY, mask);
		t->chan = dma_request_channel(mask, swdma_test_filter,
					      &t->pdev->dev);
		KUNIT_ASSERT_NOT_NULL(test, t->chan);
	}
	KUNIT_EXPECT_TRUE(test, dma_has_cap(DMA_COMPLETION_NO_ORDER,
					    t->chan->device->cap_mask));

	log = log_alloc(test);
	x = xfers_alloc(test, log, n, BUF_LEN, 0);
	for (i = 0; i < n; i++)
		xfer_submit(test, &x[i]);
	KUNIT_EXPECT_EQ(test, dmaengine_tx_status(t->chan, x[0].cookie, NULL),
			DMA_OUT_OF_ORDER);
	dma_async_issue_pending(t->chan);
	xfers_wait(test, x, n);
	xfers_unmap(x, n);

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, x[i].calls, 1);
		KUNIT_EXPECT_EQ(test, x[i].res.result, DMA_TRANS_NOERROR);
		KUNIT_EXPECT_EQ(test, dmaengine_tx_status(t->chan, x[i].cookie,
							  NULL),
				DMA_OUT_OF_ORDER);
		KUNIT_EXPECT_MEMEQ(test, x[i].dst, x[i].src, BUF_LEN);
		if (i && x[i].order < x[i - 1].order)
			inversions++;
	}
	KUNIT_EXPECT_GT_MSG(test, inversions, 0,
			    "descriptors retired in issue order");
	KUNIT_EXPECT_PTR_NE(test, log->seen[0], &x[0]);
}

static void fill_sg(struct scatterlist *sgl, dma_addr_t base,
		    const unsigned int *lens, int n)
{
	int i;

	sg_init_table(sgl, n);
	for (i = 0; i < n; i++) {
		sg_dma_address(&sgl[i]) = base;
		sg_dma_len(&sgl[i]) = lens[i];
		base += lens[i] + 16;	/* gaps that must stay untouched */
	}
}

/* memcpy_sg: min(total src, total dst) in stream order, split segments. */
static void swdma_test_memcpy_sg(struct kunit *test)
{
	static const unsigned int src_lens[] = { 300, 1, 0, 1000, 77 };
	static const unsigned int dst_lens[] = { 10, 500, 999, 3 };
	struct swdma_test *t = test->priv;
	struct scatterlist src_sg[ARRAY_SIZE(src_lens)];
	struct scatterlist dst_sg[ARRAY_SIZE(dst_lens)];
	struct dma_async_tx_descriptor *tx;
	struct swdma_counters cnt;
	struct test_xfer *x;
	struct cb_log *log;
	size_t copied = 0, total_src = 0, total_dst = 0;
	size_t s_off = 0, d_off = 0, expect;
	int i, si = 0, di = 0;

	for (i = 0; i < ARRAY_SIZE(src_lens); i++)
		total_src += src_lens[i];
	for (i = 0; i < ARRAY_SIZE(dst_lens); i++)
		total_dst += dst_lens[i];
	expect = min(total_src, total_dst);

	log = log_alloc(test);
	x = xfers_alloc(test, log, 1, BUF_LEN, DST_FILL);
	fill_sg(src_sg, x->src_dma, src_lens, ARRAY_SIZE(src_lens));
	fill_sg(dst_sg, x->dst_dma, dst_lens, ARRAY_SIZE(dst_lens));
	set_knob(test, SWDMA_MAX_SEG_LEN, 7);

	tx = dmaengine_prep_dma_memcpy_sg(t->chan, dst_sg, ARRAY_SIZE(dst_lens),
					  src_sg, ARRAY_SIZE(src_lens),
					  DMA_PREP_INTERRUPT);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	tx->callback_result = xfer_cb;
	tx->callback_param = x;
	x->cookie = dmaengine_submit(tx);
	dma_async_issue_pending(t->chan);
	xfers_wait(test, x, 1);
	xfers_unmap(x, 1);
	KUNIT_EXPECT_EQ(test, x->res.result, DMA_TRANS_NOERROR);
	KUNIT_EXPECT_EQ(test, x->res.residue, 0U);

	/* Replay the stream: byte k of the src stream is byte k of dst. */
	{
		size_t s_pos = 0, d_pos = 0;

		while (copied < expect) {
			while (s_off == src_lens[si]) {
				s_pos += src_lens[si] + 16;
				si++;
				s_off = 0;
			}
			while (d_off == dst_lens[di]) {
				d_pos += dst_lens[di] + 16;
				di++;
				d_off = 0;
			}
			if (x->dst[d_pos + d_off] != x->src[s_pos + s_off])
				break;
			/* Mark the byte as accounted for. */
			x->dst[d_pos + d_off] = DST_FILL;
			s_off++;
			d_off++;
			copied++;
		}
	}
	KUNIT_EXPECT_EQ(test, copied, expect);
	/* Everything else in the destination, gaps included, is untouched. */
	KUNIT_EXPECT_TRUE(test, !memchr_inv(x->dst, DST_FILL, BUF_LEN));

	swdma_get_counters(t->chan, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.bytes, (u64)expect);
	KUNIT_EXPECT_LT(test, expect, total_dst);
}

struct submitter {
	struct kunit *test;
	struct test_xfer *x;
	int n;
	struct completion done;
};

static int submitter_fn(void *data)
{
	struct submitter *s = data;
	struct swdma_test *t = s->test->priv;
	int i;

	for (i = 0; i < s->n; i++) {
		struct dma_async_tx_descriptor *tx;

		tx = dmaengine_prep_dma_memcpy(t->chan, s->x[i].dst_dma,
					       s->x[i].src_dma, s->x[i].len,
					       DMA_PREP_INTERRUPT);
		if (!tx)
			break;
		tx->callback_result = xfer_cb;
		tx->callback_param = &s->x[i];
		s->x[i].cookie = dmaengine_submit(tx);
		dma_async_issue_pending(t->chan);
		if (i % 8 == 0)
			cond_resched();
	}
	s->n = i;
	complete(&s->done);
	return 0;
}

/* Concurrent submitters on one channel: every descriptor, once. */
static void swdma_test_concurrent(struct kunit *test)
{
	enum { THREADS = 4, PER_THREAD = 64 };
	struct swdma_test *t = test->priv;
	struct submitter s[THREADS];
	struct swdma_counters cnt;
	struct cb_log *log;
	int i, j;

	log = log_alloc(test);
	for (i = 0; i < THREADS; i++) {
		s[i].test = test;
		s[i].n = PER_THREAD;
		s[i].x = xfers_alloc(test, log, PER_THREAD, 512, 0);
		init_completion(&s[i].done);
	}
	/* No assertion until every submitter is done with s[]. */
	for (i = 0; i < THREADS; i++) {
		struct task_struct *task;

		task = kthread_run(submitter_fn, &s[i], "swdma-kunit/%d", i);
		if (IS_ERR(task)) {
			s[i].n = 0;
			complete(&s[i].done);
		}
	}
	for (i = 0; i < THREADS; i++)
		wait_for_completion(&s[i].done);
	for (i = 0; i < THREADS; i++) {
		KUNIT_EXPECT_EQ(test, s[i].n, PER_THREAD);
		xfers_wait(test, s[i].x, s[i].n);
		xfers_unmap(s[i].x, PER_THREAD);
		for (j = 0; j < s[i].n; j++) {
			KUNIT_EXPECT_EQ(test, s[i].x[j].calls, 1);
			KUNIT_EXPECT_MEMEQ(test, s[i].x[j].dst, s[i].x[j].src,
					   512);
		}
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), THREADS * PER_THREAD);
	swdma_get_counters(t->chan, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.descs, (u64)THREADS * PER_THREAD);
	KUNIT_EXPECT_EQ(test, cnt.bytes, (u64)THREADS * PER_THREAD * 512);
}

/* Bad input to prep: NULL, nothing allocated. */
static void swdma_test_bad_prep(struct kunit *test)
{
	static const unsigned int zero[] = { 0, 0 };
	static const unsigned int one[] = { 64 };
	struct swdma_test *t = test->priv;
	struct scatterlist a[2], b[1];

	fill_sg(a, 0x100000, zero, 2);
	fill_sg(b, 0x200000, one, 1);

	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy_sg(t->chan, NULL, 1,
							     b, 1, 0));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy_sg(t->chan, b, 1,
							     NULL, 1, 0));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy_sg(t->chan, b, 0,
							     b, 1, 0));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy_sg(t->chan, b, 1,
							     b, 0, 0));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy_sg(t->chan, a, 2,
							     b, 1, 0));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy(t->chan, 0x100000,
							  0x200000, 0, 0));
	KUNIT_EXPECT_EQ(test, swdma_live_descs(t->sd), 0);

	/* Knobs: out of range is -EINVAL and changes nothing. */
	set_knob(test, SWDMA_LATENCY_US, 5);
	KUNIT_EXPECT_EQ(test, swdma_set_knob(t->sd, SWDMA_LATENCY_US,
					     10000001), -EINVAL);
	KUNIT_EXPECT_EQ(test, swdma_get_knob(t->sd, SWDMA_LATENCY_US), 5ULL);
	KUNIT_EXPECT_EQ(test, swdma_set_knob(t->sd, SWDMA_FAIL_DIR,
					     SWDMA_FAIL_WRITE + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, swdma_set_knob(t->sd, SWDMA_OUT_OF_ORDER, 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, swdma_set_knob(t->sd, SWDMA_MAX_SEG_LEN,
					     1ULL << 32), -EINVAL);
	KUNIT_EXPECT_EQ(test, swdma_set_knob(t->sd, SWDMA_NR_KNOBS, 0),
			-EINVAL);
	set_knob(test, SWDMA_LATENCY_US, 0);
}

/*
 * Module unload with work in flight: the client releases its channel while
 * descriptors are prepared, submitted, issued and executing (a client must
 * release before the provider can go), then the device is removed.
 * Nothing calls back, nothing leaks.
 */
static void swdma_test_remove_in_flight(struct kunit *test)
{
	struct swdma_test *t = test->priv;
	struct test_xfer *x;
	struct cb_log *log;
	int i, n = 8;

	log = log_alloc(test);
	x = xfers_alloc(test, log, n, BUF_LEN, 0);
	set_knob(test, SWDMA_LATENCY_US, 1000000);
	for (i = 0; i < n - 1; i++) {
		xfer_submit(test, &x[i]);
		if (i == n / 2)
			dma_async_issue_pending(t->chan);
	}
	KUNIT_ASSERT_NOT_NULL(test, dmaengine_prep_dma_memcpy(t->chan,
							      x[n - 1].dst_dma,
							      x[n - 1].src_dma,
							      BUF_LEN, 0));
	msleep(20);
	KUNIT_EXPECT_EQ(test, swdma_live_descs(t->sd), n);

	kunit_release_action(test, swdma_test_release, t);
	KUNIT_EXPECT_EQ(test, swdma_live_descs(t->sd), 0);
	/* Released means stopped: the buffers may go now. */
	xfers_unmap(x, n);
	kunit_release_action(test, swdma_test_unregister, t->pdev);
	t->sd = NULL;
	msleep(200);
	KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), 0);
}

/* Pause holds descriptors back (DMA_PAUSED, full residue); resume runs them. */
static void swdma_test_pause(struct kunit *test)
{
	struct swdma_test *t = test->priv;
	struct dma_tx_state state;
	struct test_xfer *x;
	struct cb_log *log;
	int i, n = 3;

	log = log_alloc(test);
	x = xfers_alloc(test, log, n, BUF_LEN, 0);
	KUNIT_ASSERT_EQ(test, dmaengine_pause(t->chan), 0);
	for (i = 0; i < n; i++)
		xfer_submit(test, &x[i]);
	dma_async_issue_pending(t->chan);
	msleep(100);

	KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), 0);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, dmaengine_tx_status(t->chan,
							  x[i].cookie, &state),
				DMA_PAUSED);
		KUNIT_EXPECT_EQ(test, state.residue, (u32)BUF_LEN);
	}

	KUNIT_ASSERT_EQ(test, dmaengine_resume(t->chan), 0);
	xfers_wait(test, x, n);
	xfers_unmap(x, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, dmaengine_tx_status(t->chan, x[i].cookie,
							  NULL), DMA_COMPLETE);
		KUNIT_EXPECT_MEMEQ(test, x[i].dst, x[i].src, BUF_LEN);
	}
}

/*
 * Of the stream made of the @n buffers of @x, in order, exactly the first
 * @moved bytes have been copied: the rest of each destination holds
 * DST_FILL still.
 */
static bool moved_exactly(struct test_xfer *x, int n, size_t moved)
{
	size_t off = 0;
	int i;

	for (i = 0; i < n; off += x[i].len, i++) {
		size_t head = clamp(moved, off, off + x[i].len) - off;

		if (memcmp(x[i].dst, x[i].src, head) ||
		    memchr_inv(x[i].dst + head, DST_FILL, x[i].len - head))
			return false;
	}
	return true;
}

/*
 * Pause is synchronous, even in the middle of a long segment: once
 * dmaengine_pause() returns, the descriptor in flight moves no more data,
 * its residue holds still and counts exactly what has not moved, and it
 * does not complete; resume finishes it.  A descriptor may finish before
 * the pause lands: then the test tries again.
 */
static void swdma_test_pause_sync(struct kunit *test)
{
	enum { NR = 4, LEN = SZ_4M, TRIES = 10 };
	struct swdma_test *t = test->priv;
	struct scatterlist ssg[NR], dsg[NR];
	struct dma_async_tx_descriptor *tx;
	struct dma_tx_state st1, st2;
	int i, try, caught = 0;
	struct test_xfer *x;
	struct cb_log *log;

	log = log_alloc(test);
	x = xfers_alloc(test, log, NR, LEN, DST_FILL);
	sg_init_table(ssg, NR);
	sg_init_table(dsg, NR);
	for (i = 0; i < NR; i++) {
		sg_dma_address(&ssg[i]) = x[i].src_dma;
		sg_dma_len(&ssg[i]) = LEN;
		sg_dma_address(&dsg[i]) = x[i].dst_dma;
		sg_dma_len(&dsg[i]) = LEN;
	}

	for (try = 0; try < TRIES && !caught; try++) {
		unsigned long until = jiffies + 10 * HZ;
		enum dma_status s1, s2;

		for (i = 0; i < NR; i++) {
			dma_sync_single_for_cpu(t->dma_dev, x[i].dst_dma, LEN,
						DMA_FROM_DEVICE);
			memset(x[i].dst, DST_FILL, LEN);
			dma_sync_single_for_device(t->dma_dev, x[i].dst_dma,
						   LEN, DMA_FROM_DEVICE);
		}
		reinit_completion(&x[0].done);
		x[0].calls = 0;
		tx = dmaengine_prep_dma_memcpy_sg(t->chan, dsg, NR, ssg, NR,
						  DMA_PREP_INTERRUPT);
		KUNIT_ASSERT_NOT_NULL(test, tx);
		tx->callback_result = xfer_cb;
		tx->callback_param = &x[0];
		x[0].cookie = dmaengine_submit(tx);
		dma_async_issue_pending(t->chan);

		/* Wait for the first burst, then pause. */
		do {
			cond_resched();
			s1 = dmaengine_tx_status(t->chan, x[0].cookie, &st1);
		} while (s1 == DMA_IN_PROGRESS && st1.residue == NR * LEN &&
			 time_before(jiffies, until));
		KUNIT_ASSERT_EQ(test, dmaengine_pause(t->chan), 0);
		s1 = dmaengine_tx_status(t->chan, x[0].cookie, &st1);
		if (s1 == DMA_PAUSED) {
			caught = 1;
			msleep(50);
			s2 = dmaengine_tx_status(t->chan, x[0].cookie, &st2);
			KUNIT_EXPECT_EQ(test, s2, DMA_PAUSED);
			KUNIT_EXPECT_EQ(test, st2.residue, st1.residue);
			KUNIT_EXPECT_GT(test, st1.residue, 0U);
			KUNIT_EXPECT_EQ(test, x[0].calls, 0);
			for (i = 0; i < NR; i++)
				dma_sync_single_for_cpu(t->dma_dev,
							x[i].dst_dma, LEN,
							DMA_FROM_DEVICE);
			/* Moved: exactly what the residue does not count. */
			KUNIT_EXPECT_TRUE(test,
					  moved_exactly(x, NR, NR * LEN -
							st1.residue));
			for (i = 0; i < NR; i++)
				dma_sync_single_for_device(t->dma_dev,
							   x[i].dst_dma, LEN,
							   DMA_FROM_DEVICE);
		}
		KUNIT_ASSERT_EQ(test, dmaengine_resume(t->chan), 0);
		xfers_wait(test, x, 1);
		KUNIT_EXPECT_EQ(test, x[0].res.result, DMA_TRANS_NOERROR);
		KUNIT_EXPECT_EQ(test, x[0].res.residue, 0U);
	}
	xfers_unmap(x, NR);
	KUNIT_EXPECT_TRUE_MSG(test, caught,
			      "%d descriptors of %u bytes finished before a pause landed",
			      TRIES, NR * LEN);
	for (i = 0; i < NR; i++)
		KUNIT_EXPECT_MEMEQ(test, x[i].dst, x[i].src, LEN);
}

/*
 * Channels are private by default: async_tx clients (md RAID), which take
 * whatever dma_find_channel() gives them, never get a CPU-copy test
 * engine; not the module's device, nor the tests' own.  A device
 * registered public does hand its channels out, as the second half shows.
 */
static void swdma_test_private(struct kunit *test)
{
	struct swdma_platform_data pd = { .nr_channels = 1 };
	struct platform_device *pub;
	struct swdma_dev *found;
	struct dma_chan *chan;

	dmaengine_get();
	chan = dma_find_channel(DMA_MEMCPY);
	found = chan ? swdma_get_dev(chan->device->dev) : NULL;
	KUNIT_EXPECT_NULL_MSG(test, found, "dma_find_channel() gave %s",
			      dma_chan_name(chan));
	dmaengine_put();

	pub = platform_device_register_data(NULL, "swdma",
					    PLATFORM_DEVID_AUTO, &pd,
					    sizeof(pd));
	KUNIT_ASSERT_FALSE(test, IS_ERR(pub));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							swdma_test_unregister,
							pub), 0);
	KUNIT_ASSERT_NOT_NULL(test, swdma_get_dev(&pub->dev));
	dmaengine_get();
	chan = dma_find_channel(DMA_MEMCPY);
	found = chan ? swdma_get_dev(chan->device->dev) : NULL;
	dmaengine_put();
	KUNIT_EXPECT_PTR_EQ_MSG(test, found, swdma_get_dev(&pub->dev),
				"a public swdma device was not found (another public memcpy engine?)");
}

static struct kunit_case swdma_test_cases[] = {
	KUNIT_CASE(swdma_test_in_order),
	KUNIT_CASE(swdma_test_errors),
	KUNIT_CASE(swdma_test_fault_attr),
	KUNIT_CASE(swdma_test_unacked),
	KUNIT_CASE(swdma_test_terminate),
	KUNIT_CASE(swdma_test_terminate_in_callback),
	KUNIT_CASE(swdma_test_pause),
	KUNIT_CASE(swdma_test_pause_sync),
	KUNIT_CASE(swdma_test_private),
	KUNIT_CASE(swdma_test_out_of_order),
	KUNIT_CASE(swdma_test_memcpy_sg),
	KUNIT_CASE(swdma_test_concurrent),
	KUNIT_CASE(swdma_test_bad_prep),
	KUNIT_CASE(swdma_test_remove_in_flight),
	{}
};

static struct kunit_suite swdma_test_suite = {
	.name = "swdma",
	.init = swdma_test_init,
	.exit = swdma_test_exit,
	.test_cases = swdma_test_cases,
};

kunit_test_suite(swdma_test_suite);

MODULE_DESCRIPTION("KUnit tests for swdma");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
