// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the DMA_MEMCPY_SG client wrapper and for the capability
 * check in dma_async_device_register().
 *
 * The DMA devices here are fakes hung off a platform device bound to a
 * do-nothing driver: enough for the dmaengine core to register them, never
 * asked to move data.  They are always DMA_PRIVATE, so registering one does
 * not hand its channel to public (async_tx) users.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/dmaengine.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>

#define TEST_DRV_NAME "dma-memcpy-sg-kunit"

struct fake_dma {
	struct dma_device dma;
	struct dma_chan chan;
	struct dma_async_tx_descriptor txd;
	/* Arguments seen by the last device_prep_dma_memcpy_sg() call. */
	unsigned int calls;
	struct scatterlist *dst_sg, *src_sg;
	unsigned int dst_nents, src_nents;
	unsigned long flags;
};

static enum dma_status fake_tx_status(struct dma_chan *chan,
				      dma_cookie_t cookie,
				      struct dma_tx_state *state)
{
	return DMA_COMPLETE;
}

static void fake_issue_pending(struct dma_chan *chan)
{
}

static struct dma_async_tx_descriptor *
fake_prep_memcpy(struct dma_chan *chan, dma_addr_t dst, dma_addr_t src,
		 size_t len, unsigned long flags)
{
	return NULL;
}

static struct dma_async_tx_descriptor *
fake_prep_memcpy_sg(struct dma_chan *chan,
		    struct scatterlist *dst_sg, unsigned int dst_nents,
		    struct scatterlist *src_sg, unsigned int src_nents,
		    unsigned long flags)
{
	struct fake_dma *fake = container_of(chan, struct fake_dma, chan);

	fake->calls++;
	fake->dst_sg = dst_sg;
	fake->dst_nents = dst_nents;
	fake->src_sg = src_sg;
	fake->src_nents = src_nents;
	fake->flags = flags;
	return &fake->txd;
}

static int memcpy_sg_test_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver memcpy_sg_test_driver = {
	.probe = memcpy_sg_test_probe,
	.driver = {
		.name = TEST_DRV_NAME,
	},
};

KUNIT_DEFINE_ACTION_WRAPPER(pdev_unregister, platform_device_unregister,
			    struct platform_device *);
KUNIT_DEFINE_ACTION_WRAPPER(dma_unregister, dma_async_device_unregister,
			    struct dma_device *);
KUNIT_DEFINE_ACTION_WRAPPER(chan_release, dma_release_channel,
			    struct dma_chan *);

/*
 * A fake device with one channel, claiming @caps (DMA_PRIVATE is added),
 * with the mandatory status/issue ops and no prep op.
 */
static struct fake_dma *fake_dma_create(struct kunit *test,
					const enum dma_transaction_type *caps,
					unsigned int ncaps)
{
	struct platform_device *pdev;
	struct fake_dma *fake;

	pdev = platform_device_register_simple(TEST_DRV_NAME, PLATFORM_DEVID_AUTO,
					       NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, pdev_unregister,
							   pdev));
	KUNIT_ASSERT_NOT_NULL_MSG(test, pdev->dev.driver,
				  "test platform device did not bind");

	fake = kunit_kzalloc(test, sizeof(*fake), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fake);

	fake->dma.dev = &pdev->dev;
	dma_cap_zero(fake->dma.cap_mask);
	dma_cap_set(DMA_PRIVATE, fake->dma.cap_mask);
	while (ncaps--)
		dma_cap_set(caps[ncaps], fake->dma.cap_mask);
	fake->dma.device_tx_status = fake_tx_status;
	fake->dma.device_issue_pending = fake_issue_pending;
	INIT_LIST_HEAD(&fake->dma.channels);
	fake->chan.device = &fake->dma;
	list_add_tail(&fake->chan.device_node, &fake->dma.channels);
	return fake;
}

static bool match_chan(struct dma_chan *chan, void *param)
{
	return chan == param;
}

/* Ask the dmaengine core for exactly this fake's channel, by capability. */
static struct dma_chan *fake_dma_request(struct fake_dma *fake)
{
	dma_cap_mask_t mask;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY_SG, mask);
	return dma_request_channel(mask, match_chan, &fake->chan);
}

/* Check that a failed registration left no trace of the device. */
static void expect_not_registered(struct kunit *test, struct fake_dma *fake)
{
	KUNIT_EXPECT_EQ(test, fake->dma.chancnt, 0);
	KUNIT_EXPECT_TRUE(test, !fake->chan.local);
	KUNIT_EXPECT_NULL(test, fake->chan.dev);
	KUNIT_EXPECT_NULL(test, fake_dma_request(fake));
}

static void wrapper_without_op_test(struct kunit *test)
{
	static const enum dma_transaction_type caps[] = { DMA_MEMCPY };
	struct fake_dma *fake = fake_dma_create(test, caps, ARRAY_SIZE(caps));
	struct scatterlist dst[1], src[1];
	struct dma_chan orphan = { };

	sg_init_table(dst, 1);
	sg_init_table(src, 1);
	fake->dma.device_prep_dma_memcpy = fake_prep_memcpy;

	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy_sg(&fake->chan, dst, 1,
							     src, 1, 0));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy_sg(&orphan, dst, 1,
							     src, 1, 0));
	KUNIT_EXPECT_NULL(test, dmaengine_prep_dma_memcpy_sg(NULL, dst, 1,
							     src, 1, 0));
	KUNIT_EXPECT_EQ(test, fake->calls, 0);
}

static void wrapper_calls_op_test(struct kunit *test)
{
	static const enum dma_transaction_type caps[] = { DMA_MEMCPY_SG };
	struct fake_dma *fake = fake_dma_create(test, caps, ARRAY_SIZE(caps));
	struct scatterlist dst[3], src[2];
	struct dma_async_tx_descriptor *tx;
	const unsigned long flags = DMA_PREP_INTERRUPT | DMA_CTRL_ACK;

	sg_init_table(dst, 3);
	sg_init_table(src, 2);
	fake->dma.device_prep_dma_memcpy_sg = fake_prep_memcpy_sg;

	tx = dmaengine_prep_dma_memcpy_sg(&fake->chan, dst, 3, src, 2, flags);
	KUNIT_EXPECT_PTR_EQ(test, tx, &fake->txd);
	KUNIT_EXPECT_EQ(test, fake->calls, 1);
	KUNIT_EXPECT_PTR_EQ(test, fake->dst_sg, &dst[0]);
	KUNIT_EXPECT_EQ(test, fake->dst_nents, 3);
	KUNIT_EXPECT_PTR_EQ(test, fake->src_sg, &src[0]);
	KUNIT_EXPECT_EQ(test, fake->src_nents, 2);
	KUNIT_EXPECT_EQ(test, fake->flags, flags);
}

static void register_cap_without_op_test(struct kunit *test)
{
	static const enum dma_transaction_type caps[] = { DMA_MEMCPY_SG };
	struct fake_dma *fake = fake_dma_create(test, caps, ARRAY_SIZE(caps));

	KUNIT_EXPECT_EQ(test, dma_async_device_register(&fake->dma), -EIO);
	expect_not_registered(test, fake);
}

static void register_memcpy_op_only_test(struct kunit *test)
{
	static const enum dma_transaction_type caps[] = { DMA_MEMCPY,
							  DMA_MEMCPY_SG };
	struct fake_dma *fake = fake_dma_create(test, caps, ARRAY_SIZE(caps));

	/* The DMA_MEMCPY op does not stand in for the scatter-gather one. */
	fake->dma.device_prep_dma_memcpy = fake_prep_memcpy;
	KUNIT_EXPECT_EQ(test, dma_async_device_register(&fake->dma), -EIO);
	expect_not_registered(test, fake);
}

static void register_with_op_test(struct kunit *test)
{
	static const enum dma_transaction_type caps[] = { DMA_MEMCPY_SG };
	struct fake_dma *fake = fake_dma_create(test, caps, ARRAY_SIZE(caps));
	struct scatterlist dst[1], src[1];
	struct dma_chan *chan;

	sg_init_table(dst, 1);
	sg_init_table(src, 1);
	fake->dma.device_prep_dma_memcpy_sg = fake_prep_memcpy_sg;

	KUNIT_ASSERT_EQ(test, dma_async_device_register(&fake->dma), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, dma_unregister,
							   &fake->dma));
	KUNIT_EXPECT_EQ(test, fake->dma.chancnt, 1);

	chan = fake_dma_request(fake);
	KUNIT_ASSERT_PTR_EQ(test, chan, &fake->chan);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, chan_release,
							   chan));
	KUNIT_EXPECT_TRUE(test, dma_has_cap(DMA_MEMCPY_SG, chan->device->cap_mask));
	KUNIT_EXPECT_PTR_EQ(test, dmaengine_prep_dma_memcpy_sg(chan, dst, 1,
							       src, 1, 0),
			    &fake->txd);
	KUNIT_EXPECT_EQ(test, fake->calls, 1);
}

/* The device from a refused registration can be fixed and registered. */
static void register_after_refusal_test(struct kunit *test)
{
	static const enum dma_transaction_type caps[] = { DMA_MEMCPY_SG };
	struct fake_dma *fake = fake_dma_create(test, caps, ARRAY_SIZE(caps));

	KUNIT_ASSERT_EQ(test, dma_async_device_register(&fake->dma), -EIO);
	fake->dma.device_prep_dma_memcpy_sg = fake_prep_memcpy_sg;
	KUNIT_ASSERT_EQ(test, dma_async_device_register(&fake->dma), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, dma_unregister,
							   &fake->dma));
	KUNIT_EXPECT_EQ(test, fake->dma.chancnt, 1);
	KUNIT_EXPECT_TRUE(test, !!fake->chan.local);
}

static int memcpy_sg_suite_init(struct kunit_suite *suite)
{
	return platform_driver_register(&memcpy_sg_test_driver);
}

static void memcpy_sg_suite_exit(struct kunit_suite *suite)
{
	platform_driver_unregister(&memcpy_sg_test_driver);
}

static struct kunit_case memcpy_sg_test_cases[] = {
	KUNIT_CASE(wrapper_without_op_test),
	KUNIT_CASE(wrapper_calls_op_test),
	KUNIT_CASE(register_cap_without_op_test),
	KUNIT_CASE(register_memcpy_op_only_test),
	KUNIT_CASE(register_with_op_test),
	KUNIT_CASE(register_after_refusal_test),
	{}
};

static struct kunit_suite memcpy_sg_test_suite = {
	.name = "dma_memcpy_sg",
	.suite_init = memcpy_sg_suite_init,
	.suite_exit = memcpy_sg_suite_exit,
	.test_cases = memcpy_sg_test_cases,
};

kunit_test_suite(memcpy_sg_test_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA_MEMCPY_SG client API and capability check");
MODULE_LICENSE("GPL");
