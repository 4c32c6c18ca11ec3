// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the combined slave config and prep API
 * (dmaengine_prep_config_sg(), dmaengine_prep_config_single() and their
 * _safe variants), run on swdma's emulated device ports.
 *
 * Most cases run twice: on an swdma device that implements
 * device_prep_config_sg(), and on one that only has device_config() and
 * device_prep_slave_sg(), where the helpers take their fallback path.
 * Each case creates its own private device; KUnit actions tear down in
 * reverse order of setup, the channel being stopped before the buffers it
 * writes to are unmapped.
 *
 * The shared-channel case is the point of the API: kernel threads and a
 * chain of completion callbacks prepare transfers on one channel at the
 * same time, each with a configuration of its own (port, address width,
 * burst).  Every descriptor must carry exactly its caller's configuration
 * (swdma keeps a copy of the configuration each descriptor was prepared
 * with), and every port must have seen only its owner's widths, bursts
 * and bytes, with each owner reading back through its port exactly the
 * data it wrote.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/kthread.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "swdma-test.h"

#define CP_THREADS	3
#define CP_ACTORS	(CP_THREADS + 1)	/* the last one is a callback chain */
#define CP_ITERS	1000
#define CP_MAX_LEN	512
#define CP_GUARD	16	/* bytes after a buffer that must stay untouched */
#define CP_FILL		0xa5

/* A kmalloc'ed buffer mapped for the channel. */
struct cp_buf {
	struct swdma_test *t;
	u8 *cpu;
	dma_addr_t dma;
	size_t len;
};

static const enum swdma_slave_mode cp_modes[] = {
	SWDMA_SLAVE_CONFIG_PREP, SWDMA_SLAVE_SPLIT,
};

static void cp_mode_desc(const enum swdma_slave_mode *mode, char *desc)
{
	strscpy(desc, *mode == SWDMA_SLAVE_CONFIG_PREP ? "config_prep" :
		"fallback", KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cp_mode, cp_modes, cp_mode_desc);

/* A private swdma device with one channel, in @mode. */
static struct swdma_test *cp_setup(struct kunit *test,
				   enum swdma_slave_mode mode)
{
	struct swdma_platform_data pdata = {
		.nr_channels = 1,
		.slave = mode,
	};
	struct swdma_test *t = swdma_test_setup(test, &pdata, DMA_MEMCPY);

	/* The mode decides which path of the helpers runs. */
	KUNIT_ASSERT_EQ(test, !!t->chan->device->device_prep_config_sg,
			mode == SWDMA_SLAVE_CONFIG_PREP);
	KUNIT_ASSERT_EQ(test, !!t->chan->device->device_prep_slave_sg,
			mode != SWDMA_SLAVE_NONE);
	return t;
}

static struct swdma_test *cp_setup_param(struct kunit *test)
{
	return cp_setup(test, *(const enum swdma_slave_mode *)test->param_value);
}

/* Stop the channel touching a buffer, then unmap it. */
static void cp_unmap(void *data)
{
	struct cp_buf *b = data;

	if (b->t->chan)
		dmaengine_terminate_sync(b->t->chan);
	dma_unmap_single(b->t->dma_dev, b->dma, b->len, DMA_BIDIRECTIONAL);
}

static struct cp_buf *cp_map(struct kunit *test, struct swdma_test *t,
			     size_t len)
{
	struct cp_buf *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, b);
	b->cpu = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->cpu);
	memset(b->cpu, CP_FILL, len);
	b->t = t;
	b->len = len;
	b->dma = dma_map_single(t->dma_dev, b->cpu, len, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(t->dma_dev, b->dma));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, cp_unmap, b), 0);
	return b;
}

/* A configuration for both directions through @port. */
static void cp_config(struct kunit *test, struct swdma_test *t,
		      struct dma_slave_config *cfg, unsigned int port,
		      enum dma_slave_buswidth width, u32 burst)
{
	dma_addr_t addr;

	KUNIT_ASSERT_EQ(test, swdma_port_addr(t->chan, port, &addr), 0);
	memset(cfg, 0, sizeof(*cfg));
	cfg->src_addr = addr;
	cfg->dst_addr = addr;
	cfg->src_addr_width = width;
	cfg->dst_addr_width = width;
	cfg->src_maxburst = burst;
	cfg->dst_maxburst = burst;
}

static bool cp_same_config(const struct dma_slave_config *a,
			   const struct dma_slave_config *b)
{
	return a->direction == b->direction &&
	       a->src_addr == b->src_addr && a->dst_addr == b->dst_addr &&
	       a->src_addr_width == b->src_addr_width &&
	       a->dst_addr_width == b->dst_addr_width &&
	       a->src_maxburst == b->src_maxburst &&
	       a->dst_maxburst == b->dst_maxburst &&
	       a->src_port_window_size == b->src_port_window_size &&
	       a->dst_port_window_size == b->dst_port_window_size &&
	       a->device_fc == b->device_fc &&
	       a->peripheral_config == b->peripheral_config &&
	       a->peripheral_size == b->peripheral_size;
}

/* Did @tx get prepared with exactly @cfg? */
static bool cp_tx_has_config(struct dma_async_tx_descriptor *tx,
			     const struct dma_slave_config *cfg)
{
	struct dma_slave_config got;

	return tx && !swdma_tx_config(tx, &got) && cp_same_config(&got, cfg);
}

static void cp_pattern(u8 *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = seed * 59 + i * 7 + (i >> 3);
}

/* One user of the shared channel, with a port and configuration its own. */
struct cp_actor {
	struct swdma_test *t;
	unsigned int id;
	bool chain;			/* prepares from completion callbacks */
	struct dma_slave_config cfg;
	struct cp_buf *src, *dst;
	unsigned int done;		/* iterations completed and checked */
	size_t len;			/* of the iteration in flight */
	u64 bytes;			/* what the port must have seen */
	u64 bursts;
	unsigned int bad_config;	/* descriptors with another config */
	unsigned int bad_data;
	unsigned int bad_result;
	bool prep_failed;
	bool stuck;
	struct dmaengine_result push_res, pop_res;
	struct completion popped;	/* thread: the pop completed */
	struct completion finished;	/* every iteration ran, or a failure */
};

static size_t cp_len(struct cp_actor *a, unsigned int i)
{
	return a->cfg.dst_addr_width * (1 + (i * 37 + a->id * 11) % 60);
}

/*
 * Prepare one direction of the iteration in flight with the _safe
 * helpers: the single-buffer one on even iterations, the scatterlist one
 * with two uneven entries (the first possibly empty) on odd ones.
 */
static struct dma_async_tx_descriptor *
cp_actor_prep(struct cp_actor *a, enum dma_transfer_direction dir,
	      struct cp_buf *b, unsigned int split)
{
	size_t burst_len = a->cfg.dst_addr_width * a->cfg.dst_maxburst;
	struct dma_async_tx_descriptor *tx;
	struct scatterlist sg[2];
	size_t first;

	if (a->done % 2 == 0) {
		tx = dmaengine_prep_config_single_safe(a->t->chan, b->dma,
						       a->len, dir,
						       DMA_PREP_INTERRUPT,
						       &a->cfg);
		a->bursts += DIV_ROUND_UP(a->len, burst_len);
	} else {
		first = rounddown(a->len / split, a->cfg.dst_addr_width);
		sg_init_table(sg, 2);
		sg_dma_address(&sg[0]) = b->dma;
		sg_dma_len(&sg[0]) = first;
		sg_dma_address(&sg[1]) = b->dma + first;
		sg_dma_len(&sg[1]) = a->len - first;
		tx = dmaengine_prep_config_sg_safe(a->t->chan, sg, 2, dir,
						   DMA_PREP_INTERRUPT,
						   &a->cfg);
		a->bursts += DIV_ROUND_UP(first, burst_len) +
			     DIV_ROUND_UP(a->len - first, burst_len);
	}
	if (tx && !cp_tx_has_config(tx, &a->cfg))
		a->bad_config++;
	return tx;
}

static void cp_push_done(void *param, const struct dmaengine_result *res)
{
	struct cp_actor *a = param;

	a->push_res = *res;
}

static bool cp_actor_submit(struct cp_actor *a);

/* Check the iteration in flight; for a chain, start the next one. */
static void cp_actor_check(struct cp_actor *a)
{
	if (a->push_res.result != DMA_TRANS_NOERROR || a->push_res.residue ||
	    a->pop_res.result != DMA_TRANS_NOERROR || a->pop_res.residue)
		a->bad_result++;
	if (memcmp(a->dst->cpu, a->src->cpu, a->len) ||
	    memchr_inv(a->dst->cpu + a->len, CP_FILL, CP_GUARD))
		a->bad_data++;
	a->bytes += a->len;
	a->done++;
}

static void cp_pop_done(void *param, const struct dmaengine_result *res)
{
	struct cp_actor *a = param;

	a->pop_res = *res;
	if (!a->chain) {
		complete(&a->popped);
		return;
	}
	cp_actor_check(a);
	if (a->done == CP_ITERS || !cp_actor_submit(a))
		complete(&a->finished);
}

/*
 * Write a pattern through the actor's port and read it back: a MEM_TO_DEV
 * then a DEV_TO_MEM descriptor, in that order on the in-order channel.
 */
static bool cp_actor_submit(struct cp_actor *a)
{
	struct dma_async_tx_descriptor *push, *pop;

	a->len = cp_len(a, a->done);
	cp_pattern(a->src->cpu, a->len, a->id * CP_ITERS + a->done);
	memset(a->dst->cpu, CP_FILL, a->len + CP_GUARD);

	push = cp_actor_prep(a, DMA_MEM_TO_DEV, a->src, 2);
	pop = cp_actor_prep(a, DMA_DEV_TO_MEM, a->dst, 3);
	if (!push || !pop) {
		/* Never submitted: freed when the channel is released. */
		a->prep_failed = true;
		return false;
	}
	push->callback_result = cp_push_done;
	push->callback_param = a;
	pop->callback_result = cp_pop_done;
	pop->callback_param = a;
	if (dma_submit_error(dmaengine_submit(push)) ||
	    dma_submit_error(dmaengine_submit(pop))) {
		a->prep_failed = true;
		return false;
	}
	dma_async_issue_pending(a->t->chan);
	return true;
}

static int cp_thread(void *data)
{
	struct cp_actor *a = data;

	while (a->done < CP_ITERS && cp_actor_submit(a)) {
		if (!wait_for_completion_timeout(&a->popped, 60 * HZ)) {
			a->stuck = true;
			break;
		}
		cp_actor_check(a);
	}
	complete(&a->finished);
	return 0;
}

/*
 * Threads and a chain of completion callbacks share one channel, each
 * with its own port, width and burst, through the _safe helpers.
 */
static void cp_test_shared_channel(struct kunit *test)
{
	struct swdma_test *t = cp_setup_param(test);
	struct swdma_counters cnt;
	struct swdma_port_stats st;
	struct cp_actor *actors, *a;
	int i;

	actors = kunit_kcalloc(test, CP_ACTORS, sizeof(*actors), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, actors);
	for (i = 0; i < CP_ACTORS; i++) {
		a = &actors[i];
		a->t = t;
		a->id = i;
		a->chain = i == CP_THREADS;
		/* Widths 1, 2, 4, 8 bytes; bursts 3, 5, 7, 9 beats. */
		cp_config(test, t, &a->cfg, i, 1 << i, 2 * i + 3);
		a->src = cp_map(test, t, CP_MAX_LEN + CP_GUARD);
		a->dst = cp_map(test, t, CP_MAX_LEN + CP_GUARD);
		init_completion(&a->popped);
		init_completion(&a->finished);
	}

	/* No assertion until every actor has finished with actors[]. */
	for (i = 0; i < CP_THREADS; i++) {
		struct task_struct *task;

		task = kthread_run(cp_thread, &actors[i], "cp-kunit/%d", i);
		if (IS_ERR(task)) {
			actors[i].prep_failed = true;
			complete(&actors[i].finished);
		}
	}
	a = &actors[CP_THREADS];
	if (!cp_actor_submit(a))
		complete(&a->finished);
	for (i = 0; i < CP_ACTORS; i++)
		if (!wait_for_completion_timeout(&actors[i].finished,
						 600 * HZ))
			actors[i].stuck = true;
	/* A stuck chain may still call back: stop the channel first. */
	dmaengine_terminate_sync(t->chan);

	for (i = 0; i < CP_ACTORS; i++) {
		a = &actors[i];
		KUNIT_EXPECT_FALSE_MSG(test, a->stuck, "actor %d stuck", i);
		KUNIT_EXPECT_FALSE_MSG(test, a->prep_failed,
				       "actor %d: prep failed", i);
		KUNIT_EXPECT_EQ_MSG(test, a->done, CP_ITERS, "actor %d", i);
		KUNIT_EXPECT_EQ_MSG(test, a->bad_config, 0,
				    "actor %d: descriptors with another configuration",
				    i);
		KUNIT_EXPECT_EQ_MSG(test, a->bad_result, 0, "actor %d", i);
		KUNIT_EXPECT_EQ_MSG(test, a->bad_data, 0, "actor %d", i);

		/* The port saw its owner's traffic, and only that. */
		KUNIT_ASSERT_EQ(test, swdma_port_get_stats(t->chan, i, &st), 0);
		KUNIT_EXPECT_EQ_MSG(test, st.descs, 2ULL * a->done, "port %d", i);
		KUNIT_EXPECT_EQ_MSG(test, st.bytes_in, a->bytes, "port %d", i);
		KUNIT_EXPECT_EQ_MSG(test, st.bytes_out, a->bytes, "port %d", i);
		KUNIT_EXPECT_EQ_MSG(test, st.bursts, a->bursts, "port %d", i);
		KUNIT_EXPECT_EQ_MSG(test, st.widths, BIT(a->cfg.dst_addr_width),
				    "port %d", i);
		KUNIT_EXPECT_EQ_MSG(test, st.min_burst, a->cfg.dst_maxburst,
				    "port %d", i);
		KUNIT_EXPECT_EQ_MSG(test, st.max_burst, a->cfg.dst_maxburst,
				    "port %d", i);
		KUNIT_EXPECT_EQ_MSG(test, st.fill, 0U, "port %d", i);
	}
	swdma_get_counters(t->chan, &cnt);
	KUNIT_EXPECT_EQ(test, cnt.descs, 2ULL * CP_ACTORS * CP_ITERS);
	KUNIT_EXPECT_EQ(test, cnt.errors, 0ULL);
}

struct cp_result {
	struct dmaengine_result res;
	struct completion done;
};

static void cp_result_done(void *param, const struct dmaengine_result *res)
{
	struct cp_result *r = param;

	r->res = *res;
	complete(&r->done);
}

/* Submit and issue @tx, and wait until it has called back: its result. */
static struct dmaengine_result cp_run(struct kunit *test,
				      struct swdma_test *t,
				      struct dma_async_tx_descriptor *tx)
{
	struct cp_result *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned long left;

	KUNIT_ASSERT_NOT_NULL(test, r);
	init_completion(&r->done);
	tx->callback_result = cp_result_done;
	tx->callback_param = r;
	KUNIT_ASSERT_GT(test, dmaengine_submit(tx), 0);
	dma_async_issue_pending(t->chan);
	left = wait_for_completion_timeout(&r->done, 10 * HZ);
	/* No callback may write to r once the test has ended. */
	if (!left)
		dmaengine_terminate_sync(t->chan);
	KUNIT_ASSERT_GT_MSG(test, left, 0UL, "descriptor never completed");
	/* The descriptor is freed once the callback has returned. */
	dmaengine_synchronize(t->chan);
	return r->res;
}

static void cp_expect_ok(struct kunit *test, struct dmaengine_result res)
{
	KUNIT_EXPECT_EQ(test, res.result, DMA_TRANS_NOERROR);
	KUNIT_EXPECT_EQ(test, res.residue, 0U);
}

/* A NULL configuration is the channel's current one, however it was set. */
static void cp_test_null_config(struct kunit *test)
{
	struct swdma_test *t = cp_setup_param(test);
	struct cp_buf *buf = cp_map(test, t, 4 * 64);
	struct dma_async_tx_descriptor *tx[4];
	struct dma_slave_config a, b;
	struct swdma_port_stats st;
	struct scatterlist sg;
	u8 *data;
	int i;

	data = kunit_kmalloc(test, 4 * 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, data);
	cp_config(test, t, &a, 1, DMA_SLAVE_BUSWIDTH_4_BYTES, 2);
	cp_config(test, t, &b, 5, DMA_SLAVE_BUSWIDTH_2_BYTES, 8);
	cp_pattern(buf->cpu, 4 * 64, 1);

	/* Configured by a helper, then every way to prepare without one. */
	tx[0] = dmaengine_prep_config_single_safe(t->chan, buf->dma, 64,
						  DMA_MEM_TO_DEV, 0, &a);
	tx[1] = dmaengine_prep_config_single_safe(t->chan, buf->dma + 64, 64,
						  DMA_MEM_TO_DEV, 0, NULL);
	tx[2] = dmaengine_prep_config_single(t->chan, buf->dma + 128, 64,
					     DMA_MEM_TO_DEV, 0, NULL);
	tx[3] = dmaengine_prep_slave_single(t->chan, buf->dma + 192, 64,
					    DMA_MEM_TO_DEV, 0);
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_NOT_NULL_MSG(test, tx[i], "descriptor %d", i);
		KUNIT_EXPECT_TRUE_MSG(test, cp_tx_has_config(tx[i], &a),
				      "descriptor %d", i);
	}
	for (i = 0; i < 4; i++)
		cp_expect_ok(test, cp_run(test, t, tx[i]));
	KUNIT_ASSERT_EQ(test, swdma_port_read(t->chan, 1, data, 4 * 64), 0);
	KUNIT_EXPECT_MEMEQ(test, data, buf->cpu, 4 * 64);
	KUNIT_ASSERT_EQ(test, swdma_port_get_stats(t->chan, 5, &st), 0);
	KUNIT_EXPECT_EQ(test, st.descs, 0ULL);

	/* dmaengine_slave_config() changes what NULL stands for. */
	KUNIT_ASSERT_EQ(test, dmaengine_slave_config(t->chan, &b), 0);
	cp_pattern(data, 64, 2);
	KUNIT_ASSERT_EQ(test, swdma_port_write(t->chan, 5, data, 64), 0);
	sg_init_table(&sg, 1);
	sg_dma_address(&sg) = buf->dma;
	sg_dma_len(&sg) = 64;
	tx[0] = dmaengine_prep_config_sg_safe(t->chan, &sg, 1, DMA_DEV_TO_MEM,
					      0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, tx[0]);
	KUNIT_EXPECT_TRUE(test, cp_tx_has_config(tx[0], &b));
	cp_expect_ok(test, cp_run(test, t, tx[0]));
	KUNIT_EXPECT_MEMEQ(test, buf->cpu, data, 64);
	KUNIT_ASSERT_EQ(test, swdma_port_get_stats(t->chan, 5, &st), 0);
	KUNIT_EXPECT_EQ(test, st.widths, BIT(DMA_SLAVE_BUSWIDTH_2_BYTES));
	KUNIT_EXPECT_EQ(test, st.bursts, 64ULL / (2 * 8));
}

static struct dma_async_tx_descriptor *
cp_prep_one(struct swdma_test *t, struct cp_buf *b, size_t len,
	    enum dma_transfer_direction dir, struct dma_slave_config *cfg)
{
	return dmaengine_prep_config_single_safe(t->chan, b->dma, len, dir, 0,
						 cfg);
}

/* Ways to spoil a good configuration, each of which swdma must refuse. */
enum cp_bad {
	CP_WIDTH_3, CP_WIDTH_16, CP_SRC_WIDTH_16, CP_NO_WIDTH, CP_BURST,
	CP_MISALIGNED, CP_OUTSIDE, CP_FLOW_CONTROL, CP_PORT_WINDOW, CP_NR_BAD
};

static const char * const cp_bad_names[CP_NR_BAD] = {
	"width 3", "width 16", "src width 16", "address without width",
	"burst above max", "misaligned port", "outside the ports",
	"flow control", "port window",
};

static void cp_spoil(struct dma_slave_config *cfg, enum cp_bad how)
{
	switch (how) {
	case CP_WIDTH_3:
		cfg->dst_addr_width = DMA_SLAVE_BUSWIDTH_3_BYTES;
		break;
	case CP_WIDTH_16:
		cfg->dst_addr_width = DMA_SLAVE_BUSWIDTH_16_BYTES;
		break;
	case CP_SRC_WIDTH_16:
		cfg->src_addr_width = DMA_SLAVE_BUSWIDTH_16_BYTES;
		break;
	case CP_NO_WIDTH:
		cfg->dst_addr_width = DMA_SLAVE_BUSWIDTH_UNDEFINED;
		break;
	case CP_BURST:
		cfg->dst_maxburst = SWDMA_MAX_BURST + 1;
		break;
	case CP_MISALIGNED:
		cfg->dst_addr += 4;
		break;
	case CP_OUTSIDE:
		cfg->dst_addr += SWDMA_NR_PORTS * SWDMA_PORT_SIZE;
		break;
	case CP_FLOW_CONTROL:
		cfg->device_fc = true;
		break;
	default:
		cfg->dst_port_window_size = 4;
		break;
	}
}

/* A refused configuration: NULL, nothing prepared, the old one in force. */
static void cp_test_refused_config(struct kunit *test)
{
	struct swdma_test *t = cp_setup_param(test);
	struct cp_buf *buf = cp_map(test, t, 64);
	struct dma_slave_config good, bad, half;
	struct dma_async_tx_descriptor *tx;
	enum cp_bad how;

	cp_config(test, t, &good, 2, DMA_SLAVE_BUSWIDTH_4_BYTES, 4);
	tx = dmaengine_prep_config_single_safe(t->chan, buf->dma, 64,
					       DMA_MEM_TO_DEV, 0, &good);
	KUNIT_ASSERT_TRUE(test, cp_tx_has_config(tx, &good));
	cp_expect_ok(test, cp_run(test, t, tx));
	KUNIT_ASSERT_EQ(test, swdma_live_descs(t->sd), 0);

	for (how = 0; how < CP_NR_BAD; how++) {
		const char *name = cp_bad_names[how];

		bad = good;
		cp_spoil(&bad, how);
		KUNIT_EXPECT_EQ_MSG(test, dmaengine_slave_config(t->chan, &bad),
				    -EINVAL, "%s", name);
		tx = dmaengine_prep_config_single_safe(t->chan, buf->dma, 64,
						       DMA_MEM_TO_DEV, 0, &bad);
		KUNIT_EXPECT_NULL_MSG(test, tx, "%s", name);
		tx = dmaengine_prep_config_single(t->chan, buf->dma, 64,
						  DMA_MEM_TO_DEV, 0, &bad);
		KUNIT_EXPECT_NULL_MSG(test, tx, "%s", name);
		KUNIT_EXPECT_EQ_MSG(test, swdma_live_descs(t->sd), 0, "%s",
				    name);

		/* The good configuration is still the channel's. */
		tx = dmaengine_prep_config_single_safe(t->chan, buf->dma, 64,
						       DMA_MEM_TO_DEV, 0, NULL);
		KUNIT_EXPECT_TRUE_MSG(test, cp_tx_has_config(tx, &good), "%s",
				      name);
		dmaengine_terminate_sync(t->chan);
	}

	/* A good configuration with transfers it cannot do. */
	KUNIT_EXPECT_NULL(test, cp_prep_one(t, buf, 62, DMA_MEM_TO_DEV, &good));
	KUNIT_EXPECT_NULL(test, cp_prep_one(t, buf, 0, DMA_MEM_TO_DEV, &good));
	KUNIT_EXPECT_NULL(test, cp_prep_one(t, buf, 64, DMA_MEM_TO_MEM, &good));
	KUNIT_EXPECT_NULL(test, cp_prep_one(t, buf, 64, DMA_DEV_TO_DEV, &good));
	/* Only the destination side configured: no DEV_TO_MEM. */
	half = good;
	half.src_addr = 0;
	KUNIT_EXPECT_NULL(test, cp_prep_one(t, buf, 64, DMA_DEV_TO_MEM, &half));
	KUNIT_EXPECT_EQ(test, swdma_live_descs(t->sd), 0);
}

/* Without slave support every helper returns NULL. */
static void cp_test_no_slave(struct kunit *test)
{
	struct swdma_test *t = cp_setup(test, SWDMA_SLAVE_NONE);
	struct dma_slave_config cfg = {
		.src_addr = 0x100000,
		.dst_addr = 0x100000,
		.src_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES,
		.dst_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES,
	};
	struct dma_slave_caps caps;
	struct dma_chan *c = t->chan;
	struct scatterlist sg;
	dma_addr_t addr;

	sg_init_table(&sg, 1);
	sg_dma_address(&sg) = 0x200000;
	sg_dma_len(&sg) = 64;

	KUNIT_EXPECT_EQ(test, dma_get_slave_caps(c, &caps), -ENXIO);
	KUNIT_EXPECT_EQ(test, swdma_port_addr(c, 0, &addr), -EINVAL);
	KUNIT_EXPECT_LT(test, dmaengine_slave_config(c, &cfg), 0);
	KUNIT_EXPECT_NULL(test, dmaengine_prep_config_sg(c, &sg, 1,
							 DMA_MEM_TO_DEV, 0,
							 &cfg));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_config_single(c, 0x200000, 64,
							     DMA_MEM_TO_DEV, 0,
							     &cfg));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_config_sg_safe(c, &sg, 1,
							      DMA_MEM_TO_DEV,
							      0, &cfg));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_config_single_safe(c, 0x200000,
								  64,
								  DMA_DEV_TO_MEM,
								  0, &cfg));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_config_sg_safe(c, &sg, 1,
							      DMA_MEM_TO_DEV,
							      0, NULL));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_slave_sg(c, &sg, 1,
							DMA_MEM_TO_DEV, 0));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_slave_single(c, 0x200000, 64,
							    DMA_DEV_TO_MEM, 0));
	KUNIT_EXPECT_EQ(test, swdma_live_descs(t->sd), 0);
}

/* What dma_get_slave_caps() reports is what device_config accepts. */
static void cp_test_slave_caps(struct kunit *test)
{
	struct swdma_test *t = cp_setup_param(test);
	struct dma_slave_config cfg;
	struct dma_slave_caps caps;
	unsigned int w;

	KUNIT_EXPECT_TRUE(test, dma_has_cap(DMA_SLAVE,
					    t->chan->device->cap_mask));
	KUNIT_ASSERT_EQ(test, dma_get_slave_caps(t->chan, &caps), 0);
	KUNIT_EXPECT_EQ(test, caps.directions,
			BIT(DMA_MEM_TO_MEM) | BIT(DMA_MEM_TO_DEV) |
			BIT(DMA_DEV_TO_MEM));
	KUNIT_EXPECT_EQ(test, caps.src_addr_widths, BIT(1) | BIT(2) | BIT(4) |
			BIT(8));
	KUNIT_EXPECT_EQ(test, caps.dst_addr_widths, caps.src_addr_widths);
	KUNIT_EXPECT_EQ(test, caps.min_burst, 1U);
	KUNIT_EXPECT_EQ(test, caps.max_burst, SWDMA_MAX_BURST);
	KUNIT_EXPECT_TRUE(test, caps.cmd_pause);
	KUNIT_EXPECT_TRUE(test, caps.cmd_resume);
	KUNIT_EXPECT_TRUE(test, caps.cmd_terminate);
	KUNIT_EXPECT_EQ(test, caps.residue_granularity,
			DMA_RESIDUE_GRANULARITY_BURST);

	for (w = 0; w <= DMA_SLAVE_BUSWIDTH_16_BYTES; w++) {
		cp_config(test, t, &cfg, 0, w, 1);
		KUNIT_EXPECT_EQ_MSG(test, dmaengine_slave_config(t->chan, &cfg),
				    caps.dst_addr_widths & BIT(w) ? 0 : -EINVAL,
				    "width %u", w);
	}
	cp_config(test, t, &cfg, 0, DMA_SLAVE_BUSWIDTH_1_BYTE, caps.max_burst);
	KUNIT_EXPECT_EQ(test, dmaengine_slave_config(t->chan, &cfg), 0);
	cfg.src_maxburst++;
	KUNIT_EXPECT_EQ(test, dmaengine_slave_config(t->chan, &cfg), -EINVAL);
}

/* The port is a FIFO: filled and drained by bursts, refusing over/underruns. */
static void cp_test_port_fifo(struct kunit *test)
{
	struct swdma_test *t = cp_setup_param(test);
	struct cp_buf *in = cp_map(test, t, SWDMA_PORT_SIZE + 64 + CP_GUARD);
	struct cp_buf *out = cp_map(test, t, SWDMA_PORT_SIZE + 64);
	struct dma_async_tx_descriptor *tx;
	struct dma_slave_config cfg;
	struct swdma_port_stats st;
	struct dmaengine_result res;
	u8 *data;

	data = kunit_kmalloc(test, 2048, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, data);
	cp_config(test, t, &cfg, 6, DMA_SLAVE_BUSWIDTH_2_BYTES, 4);

	/* DEV_TO_MEM drains what the device put into the port. */
	cp_pattern(data, 2048, 3);
	KUNIT_ASSERT_EQ(test, swdma_port_write(t->chan, 6, data, 2048), 0);
	tx = dmaengine_prep_config_single_safe(t->chan, in->dma, 2048,
					       DMA_DEV_TO_MEM, 0, &cfg);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	cp_expect_ok(test, cp_run(test, t, tx));
	KUNIT_EXPECT_MEMEQ(test, in->cpu, data, 2048);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(in->cpu + 2048, CP_FILL, CP_GUARD));
	KUNIT_ASSERT_EQ(test, swdma_port_get_stats(t->chan, 6, &st), 0);
	KUNIT_EXPECT_EQ(test, st.bytes_out, 2048ULL);
	KUNIT_EXPECT_EQ(test, st.bursts, 2048ULL / (2 * 4));
	KUNIT_EXPECT_EQ(test, st.fill, 0U);

	/* MEM_TO_DEV fills it, across the end of its ring, up to its size. */
	cp_pattern(out->cpu, SWDMA_PORT_SIZE + 64, 4);
	tx = dmaengine_prep_config_single_safe(t->chan, out->dma,
					       SWDMA_PORT_SIZE, DMA_MEM_TO_DEV,
					       0, &cfg);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	cp_expect_ok(test, cp_run(test, t, tx));

	/* One burst more is an overrun: a write error, the rest refused. */
	tx = dmaengine_prep_config_single_safe(t->chan,
					       out->dma + SWDMA_PORT_SIZE, 64,
					       DMA_MEM_TO_DEV, 0, &cfg);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	res = cp_run(test, t, tx);
	KUNIT_EXPECT_EQ(test, res.result, DMA_TRANS_WRITE_FAILED);
	KUNIT_EXPECT_EQ(test, res.residue, 64U);
	KUNIT_ASSERT_EQ(test, swdma_port_get_stats(t->chan, 6, &st), 0);
	KUNIT_EXPECT_EQ(test, st.overruns, 1ULL);
	KUNIT_EXPECT_EQ(test, st.fill, (unsigned int)SWDMA_PORT_SIZE);

	/* Reading more than it holds is an underrun, after what it holds. */
	memset(in->cpu, CP_FILL, SWDMA_PORT_SIZE + 64 + CP_GUARD);
	tx = dmaengine_prep_config_single_safe(t->chan, in->dma,
					       SWDMA_PORT_SIZE + 64,
					       DMA_DEV_TO_MEM, 0, &cfg);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	res = cp_run(test, t, tx);
	KUNIT_EXPECT_EQ(test, res.result, DMA_TRANS_READ_FAILED);
	KUNIT_EXPECT_EQ(test, res.residue, 64U);
	KUNIT_EXPECT_MEMEQ(test, in->cpu, out->cpu, SWDMA_PORT_SIZE);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(in->cpu + SWDMA_PORT_SIZE, CP_FILL,
					    64 + CP_GUARD));
	KUNIT_ASSERT_EQ(test, swdma_port_get_stats(t->chan, 6, &st), 0);
	KUNIT_EXPECT_EQ(test, st.underruns, 1ULL);
	KUNIT_EXPECT_EQ(test, st.fill, 0U);
	KUNIT_EXPECT_EQ(test, swdma_port_read(t->chan, 6, data, 1), -ENODATA);
}

/* swdma's knobs apply to slave descriptors: segments, injected failures. */
static void cp_test_port_knobs(struct kunit *test)
{
	struct swdma_test *t = cp_setup_param(test);
	struct cp_buf *out = cp_map(test, t, 64);
	struct dma_async_tx_descriptor *tx;
	struct dma_slave_config cfg;
	struct swdma_port_stats st;
	struct dmaengine_result res;

	cp_config(test, t, &cfg, 7, DMA_SLAVE_BUSWIDTH_4_BYTES, 4);
	cp_pattern(out->cpu, 64, 5);

	/* Segments of at most 6 bytes: one beat of 4 at a time. */
	KUNIT_ASSERT_EQ(test, swdma_set_knob(t->sd, SWDMA_MAX_SEG_LEN, 6), 0);
	tx = dmaengine_prep_config_single_safe(t->chan, out->dma, 64,
					       DMA_MEM_TO_DEV, 0, &cfg);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	cp_expect_ok(test, cp_run(test, t, tx));
	KUNIT_ASSERT_EQ(test, swdma_port_get_stats(t->chan, 7, &st), 0);
	KUNIT_EXPECT_EQ(test, st.bursts, 64ULL / 4);
	KUNIT_EXPECT_EQ(test, st.fill, 64U);
	KUNIT_ASSERT_EQ(test, swdma_port_read(t->chan, 7, out->cpu, 64), 0);

	/* A failed descriptor moves a whole number of beats, then stops. */
	KUNIT_ASSERT_EQ(test, swdma_set_knob(t->sd, SWDMA_MAX_SEG_LEN, 0), 0);
	KUNIT_ASSERT_EQ(test, swdma_set_knob(t->sd, SWDMA_FAIL_SEED, 3), 0);
	swdma_test_fail(test, t->sd, 1, SWDMA_FAIL_EITHER);
	tx = dmaengine_prep_config_single_safe(t->chan, out->dma, 64,
					       DMA_MEM_TO_DEV, 0, &cfg);
	KUNIT_ASSERT_NOT_NULL(test, tx);
	res = cp_run(test, t, tx);
	KUNIT_EXPECT_NE(test, res.result, DMA_TRANS_NOERROR);
	KUNIT_EXPECT_GT(test, res.residue, 0U);
	KUNIT_EXPECT_EQ(test, res.residue % 4, 0U);
	KUNIT_ASSERT_EQ(test, swdma_port_get_stats(t->chan, 7, &st), 0);
	KUNIT_EXPECT_EQ(test, st.fill, 64 - res.residue);
}

static struct kunit_case cp_test_cases[] = {
	KUNIT_CASE_PARAM(cp_test_slave_caps, cp_mode_gen_params),
	KUNIT_CASE_PARAM(cp_test_null_config, cp_mode_gen_params),
	KUNIT_CASE_PARAM(cp_test_refused_config, cp_mode_gen_params),
	KUNIT_CASE_PARAM(cp_test_port_fifo, cp_mode_gen_params),
	KUNIT_CASE_PARAM(cp_test_port_knobs, cp_mode_gen_params),
	KUNIT_CASE(cp_test_no_slave),
	KUNIT_CASE_PARAM(cp_test_shared_channel, cp_mode_gen_params),
	{}
};

static struct kunit_suite cp_test_suite = {
	.name = "dma_config_prep",
	.test_cases = cp_test_cases,
};

kunit_test_suite(cp_test_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA engine slave config+prep API");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
