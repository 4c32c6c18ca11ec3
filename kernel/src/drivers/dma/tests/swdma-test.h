/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the swdma KUnit suites share: each test creates a private swdma
 * device of its own and takes one of its channels, and KUnit actions
 * release the channel and remove the device, in reverse order of setup.
 */
#ifndef _DMA_SWDMA_TEST_H
#define _DMA_SWDMA_TEST_H

#include <kunit/test.h>
#include <linux/dmaengine.h>
#include <linux/fault-inject.h>
#include <linux/platform_device.h>

#include "../swdma.h"

/**
 * struct swdma_test - a test's private swdma device and channel
 * @pdev: the platform device
 * @sd: its swdma device
 * @chan: the channel the test holds, NULL once released
 * @dma_dev: the device to map buffers with
 */
struct swdma_test {
	struct platform_device *pdev;
	struct swdma_dev *sd;
	struct dma_chan *chan;
	struct device *dma_dev;
};

static inline bool swdma_test_filter(struct dma_chan *chan, void *param)
{
	return chan->device->dev == param;
}

static inline void swdma_test_unregister(void *pdev)
{
	platform_device_unregister(pdev);
}

static inline void swdma_test_release(void *data)
{
	struct swdma_test *t = data;

	if (t->chan)
		dma_release_channel(t->chan);
	t->chan = NULL;
}

/**
 * swdma_test_setup() - create a private swdma device and take a channel
 * @test: the test, whose actions undo the setup
 * @pdata: how to set up the device; it is registered private
 * @cap: a capability the channel must have
 *
 * Skips the test where swdma does not probe.
 *
 * Return: the device and its channel, also stored in @test->priv.
 */
static inline struct swdma_test *
swdma_test_setup(struct kunit *test, const struct swdma_platform_data *pdata,
		 enum dma_transaction_type cap)
{
	struct swdma_platform_data pd = *pdata;
	struct swdma_test *t;
	dma_cap_mask_t mask;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;

	pd.private = true;
	t->pdev = platform_device_register_data(NULL, "swdma",
						PLATFORM_DEVID_AUTO, &pd,
						sizeof(pd));
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->pdev));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							swdma_test_unregister,
							t->pdev), 0);
	t->sd = swdma_get_dev(&t->pdev->dev);
	if (!t->sd)
		kunit_skip(test, "swdma does not probe here (see its message)");

	dma_cap_zero(mask);
	dma_cap_set(cap, mask);
	t->chan = dma_request_channel(mask, swdma_test_filter, &t->pdev->dev);
	KUNIT_ASSERT_NOT_NULL(test, t->chan);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							swdma_test_release, t),
			0);
	t->dma_dev = t->chan->device->dev;
	return t;
}

/**
 * swdma_test_fail() - fail descriptors of a device through fault injection
 * @test: the test; skipped on a kernel without CONFIG_FAULT_INJECTION
 * @sd: swdma device
 * @interval: fail every @interval-th descriptor prepared from now on, or
 *	none with 0
 * @dir: which side the failures hit
 *
 * Quiet (no report per failure), unlimited, for any task.
 */
static inline void swdma_test_fail(struct kunit *test, struct swdma_dev *sd,
				   unsigned long interval,
				   enum swdma_fail_dir dir)
{
#ifdef CONFIG_FAULT_INJECTION
	struct fault_attr *attr = swdma_fault_attr(sd);

	KUNIT_ASSERT_EQ(test, swdma_set_knob(sd, SWDMA_FAIL_DIR, dir), 0);
	attr->verbose = 0;
	attr->task_filter = false;
	atomic_set(&attr->space, 0);
	atomic_set(&attr->times, -1);
	attr->count = 0;
	attr->interval = interval ?: 1;
	attr->probability = interval ? 100 : 0;
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

#endif /* _DMA_SWDMA_TEST_H */
