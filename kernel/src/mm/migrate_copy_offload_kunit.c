// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the migration copy offload registry: who may register,
 * what unregistering and changing the reasons accept, the text form of
 * reason masks, and the batch helpers migrators split batches with.
 *
 * The migrators registered here decline every batch, so a migration that
 * runs meanwhile is copied by the CPU as usual.  A migrator is only ever
 * registered under a KUnit action that unregisters it, so a failed
 * assertion cannot leave one behind.
 */

#include <kunit/test.h>
#include <linux/migrate.h>
#include <linux/migrate_copy_offload.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/string.h>

static int decline_copy(struct list_head *dst_list, struct list_head *src_list,
			unsigned int nr_folios)
{
	return -EOPNOTSUPP;
}

static struct migrator test_a = {
	.name = "kunit_a",
	.offload_copy = decline_copy,
	.owner = THIS_MODULE,
};

static struct migrator test_b = {
	.name = "kunit_b",
	.offload_copy = decline_copy,
	.owner = THIS_MODULE,
};

static void unregister_action(void *m)
{
	migrate_offload_unregister(m);
}

/* Register @m for @mask; it is unregistered when the test ends. */
static int register_for_test(struct kunit *test, struct migrator *m,
			     unsigned long mask)
{
	int rc = migrate_offload_register(m, mask);

	if (!rc)
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test,
							  unregister_action,
							  m));
	return rc;
}

static int registry_init(struct kunit *test)
{
	/* A migrator loaded by someone else would make every rule fail. */
	if (migrate_offload_register(&test_a, 0) == -EBUSY)
		kunit_skip(test, "another migrator is registered");
	migrate_offload_unregister(&test_a);
	return 0;
}

static void register_one_at_a_time(struct kunit *test)
{
	KUNIT_ASSERT_EQ(test, 0,
			register_for_test(test, &test_a,
					  MIGRATE_OFFLOAD_ALL_REASONS));
	KUNIT_EXPECT_EQ(test, -EBUSY, migrate_offload_register(&test_a, 0));
	KUNIT_EXPECT_EQ(test, -EBUSY, migrate_offload_register(&test_b, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_unregister(&test_b));
	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_unregister(NULL));

	/* Unregistering makes room for another. */
	KUNIT_EXPECT_EQ(test, 0, migrate_offload_unregister(&test_a));
	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_unregister(&test_a));
	KUNIT_EXPECT_EQ(test, 0,
			register_for_test(test, &test_b, BIT(MR_COMPACTION)));
	KUNIT_EXPECT_EQ(test, -EBUSY,
			migrate_offload_register(&test_a, BIT(MR_COMPACTION)));
}

static void register_bad_input(struct kunit *test)
{
	struct migrator no_name = { .offload_copy = decline_copy };
	struct migrator no_copy = { .name = "kunit_no_copy" };
	struct migrator going = {
		.name = "kunit_going",
		.offload_copy = decline_copy,
	};
	struct module *mod;

	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_register(NULL, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_register(&no_name, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_register(&no_copy, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_register(&test_a, BIT(MR_TYPES)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_register(&test_a, ~0UL));
	/* No migrator serves soft offline. */
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_register(&test_a,
						 BIT(MR_MEMORY_FAILURE)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_register(&test_a, BIT(MR_TYPES) - 1));

	/* An owner that is being unloaded cannot be pinned. */
	mod = kunit_kzalloc(test, sizeof(*mod), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mod);
	mod->state = MODULE_STATE_GOING;
	going.owner = mod;
	KUNIT_EXPECT_EQ(test, -ENODEV, register_for_test(test, &going, 0));

	/* None of that registered anything. */
	KUNIT_EXPECT_EQ(test, 0, register_for_test(test, &test_a, 0));
}

static void set_reason_mask_rules(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_set_reason_mask(&test_a, 0));
	KUNIT_ASSERT_EQ(test, 0,
			register_for_test(test, &test_a, BIT(MR_SYSCALL)));
	KUNIT_EXPECT_EQ(test, 0,
			migrate_offload_set_reason_mask(&test_a,
							BIT(MR_DEMOTION)));
	KUNIT_EXPECT_EQ(test, 0, migrate_offload_set_reason_mask(&test_a, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_set_reason_mask(&test_a,
							BIT(MR_TYPES)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_set_reason_mask(&test_a,
							BIT(MR_MEMORY_FAILURE)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_set_reason_mask(&test_b, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_set_reason_mask(NULL, 0));
}

/* Every mask survives format -> parse, and parse leaves no padding. */
static void mask_round_trip(struct kunit *test)
{
	char buf[MIGRATE_OFFLOAD_MASK_MAX + 1];
	unsigned long mask, parsed;
	int len;

	for (mask = 0; mask <= MIGRATE_OFFLOAD_ALL_REASONS; mask++) {
		if (mask & ~MIGRATE_OFFLOAD_ALL_REASONS)
			continue;	/* memory_failure: refused, see parse_bad */
		len = migrate_offload_reason_mask_format(buf, sizeof(buf),
							 mask);
		KUNIT_ASSERT_GT_MSG(test, len, 0, "mask %#lx", mask);
		KUNIT_ASSERT_EQ(test, len, (int)strlen(buf));
		parsed = ~0UL;
		KUNIT_ASSERT_EQ_MSG(test, 0,
				    migrate_offload_reason_mask_parse(buf,
								      &parsed),
				    "\"%s\"", buf);
		KUNIT_ASSERT_EQ_MSG(test, mask, parsed, "\"%s\"", buf);
	}
}

struct parse_case {
	const char *text;
	unsigned long mask;
};

static const struct parse_case good_cases[] = {
	{ "all", MIGRATE_OFFLOAD_ALL_REASONS },
	{ "none", 0 },
	{ "compaction", BIT(MR_COMPACTION) },
	{ "syscall_or_cpuset\n", BIT(MR_SYSCALL) },
	{ "\tdemotion,numa_misplaced\t\n",
	  BIT(MR_DEMOTION) | BIT(MR_NUMA_MISPLACED) },
	{ "compaction,compaction", BIT(MR_COMPACTION) },
	{ "0x0", 0 },
	{ "0x9", BIT(0) | BIT(3) },
	{ "0X3fd", 0x3fd },
};

static void parse_good(struct kunit *test)
{
	unsigned long mask;
	int i;

	/* "0X3fd" is every reason but memory_failure (bit 1) */
	KUNIT_ASSERT_EQ(test, 10, MR_TYPES);
	KUNIT_ASSERT_EQ(test, 1, MR_MEMORY_FAILURE);
	for (i = 0; i < ARRAY_SIZE(good_cases); i++) {
		mask = ~0UL;
		KUNIT_EXPECT_EQ_MSG(test, 0,
				    migrate_offload_reason_mask_parse(good_cases[i].text,
								      &mask),
				    "\"%s\"", good_cases[i].text);
		KUNIT_EXPECT_EQ_MSG(test, good_cases[i].mask, mask, "\"%s\"",
				    good_cases[i].text);
	}
}

static const char * const bad_cases[] = {
	"", " ", "\n", "bogus", "Compaction", "compaction,", ",compaction",
	"compaction,,demotion", "compaction demotion", "compaction;demotion",
	"all,compaction", "none,demotion", "0x", "0x400", "0xffffffffffffffff",
	"0x1ffffffffffffffff", "0xg", "0x+1", "0x 1", "-1", "1", "0",
	"compaction\ndemotion",
	/* soft offline is the CPU's */
	"memory_failure", "compaction,memory_failure", "0x2", "0x3ff",
};

static void parse_bad(struct kunit *test)
{
	char *overlong;
	unsigned long mask;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		mask = 0x5a5a;
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    migrate_offload_reason_mask_parse(bad_cases[i],
								      &mask),
				    "\"%s\"", bad_cases[i]);
		KUNIT_EXPECT_EQ_MSG(test, 0x5a5aUL, mask, "\"%s\"",
				    bad_cases[i]);
	}

	/* Valid names, but longer than any mask needs to be written. */
	overlong = kunit_kzalloc(test, 2 * MIGRATE_OFFLOAD_MASK_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, overlong);
	while (strlen(overlong) <= MIGRATE_OFFLOAD_MASK_MAX)
		strcat(overlong, "compaction,");
	strcat(overlong, "demotion");
	mask = 0x5a5a;
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_reason_mask_parse(overlong, &mask));
	KUNIT_EXPECT_EQ(test, 0x5a5aUL, mask);
}

static void format_rules(struct kunit *test)
{
	char buf[MIGRATE_OFFLOAD_MASK_MAX + 1];

	KUNIT_EXPECT_EQ(test, 4, migrate_offload_reason_mask_format(buf, sizeof(buf), 0));
	KUNIT_EXPECT_STREQ(test, "none", buf);
	KUNIT_EXPECT_EQ(test, 3,
			migrate_offload_reason_mask_format(buf, sizeof(buf),
							   MIGRATE_OFFLOAD_ALL_REASONS));
	KUNIT_EXPECT_STREQ(test, "all", buf);
	KUNIT_EXPECT_LT(test, 0,
			migrate_offload_reason_mask_format(buf, sizeof(buf),
							   BIT(MR_COMPACTION) |
							   BIT(MR_DEMOTION)));
	KUNIT_EXPECT_STREQ(test, "compaction,demotion", buf);

	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_reason_mask_format(buf, sizeof(buf),
							   BIT(MR_TYPES)));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			migrate_offload_reason_mask_format(buf, sizeof(buf),
							   BIT(MR_MEMORY_FAILURE)));
	/* "compaction" needs 11 bytes with its NUL */
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			migrate_offload_reason_mask_format(buf, 10,
							   BIT(MR_COMPACTION)));
	KUNIT_EXPECT_EQ(test, 10,
			migrate_offload_reason_mask_format(buf, 11,
							   BIT(MR_COMPACTION)));
	KUNIT_EXPECT_EQ(test, -ENOSPC,
			migrate_offload_reason_mask_format(buf, 4, 0));
}

/*
 * The batch helpers.  A hand-made batch of four folios of 1, 4, 1 and 8
 * pages: batch pages 0 | 1-4 | 5 | 6-13.
 */
static unsigned long batch_first[] = { 0, 1, 5, 6, 14 };

static void batch_folio_lookup(struct kunit *test)
{
	static const unsigned int want[] = {
		0, 1, 1, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3,
	};
	struct migrate_offload_batch b = {
		.first = batch_first, .nr = ARRAY_SIZE(batch_first) - 1,
	};
	unsigned long pg;

	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(want), migrate_offload_batch_pages(&b));
	for (pg = 0; pg < ARRAY_SIZE(want); pg++)
		KUNIT_EXPECT_EQ_MSG(test, want[pg],
				    migrate_offload_batch_folio(&b, pg),
				    "batch page %lu", pg);
}

static void batch_fail_range(struct kunit *test)
{
	unsigned long failed = 0;
	struct migrate_offload_batch b = {
		.first = batch_first, .nr = ARRAY_SIZE(batch_first) - 1,
		.failed = &failed,
	};

	migrate_offload_batch_fail_range(&b, 3, 3);	/* empty */
	KUNIT_EXPECT_EQ(test, 0UL, failed);
	migrate_offload_batch_fail_range(&b, 4, 5);	/* last page of 1 */
	KUNIT_EXPECT_EQ(test, BIT(1), failed);
	migrate_offload_batch_fail_range(&b, 5, 7);	/* 2 and first of 3 */
	KUNIT_EXPECT_EQ(test, BIT(1) | BIT(2) | BIT(3), failed);
	failed = 0;
	migrate_offload_batch_fail_range(&b, 0, 14);	/* all */
	KUNIT_EXPECT_EQ(test, 0xfUL, failed);
}

static void put_folios_action(void *arg)
{
	struct list_head *list = arg;
	struct folio *folio, *next;

	list_for_each_entry_safe(folio, next, list, lru) {
		list_del(&folio->lru);
		folio->private = NULL;
		folio_put(folio);
	}
}

/* Four folios of orders 0, 2, 0 and 3 on @list, freed when the test ends. */
static void alloc_folios(struct kunit *test, struct list_head *list)
{
	static const unsigned int orders[] = { 0, 2, 0, 3 };
	struct folio *folio;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, put_folios_action,
						  list));
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		folio = folio_alloc(GFP_KERNEL, orders[i]);
		KUNIT_ASSERT_NOT_NULL(test, folio);
		list_add_tail(&folio->lru, list);
	}
}

/*
 * init lays the lists out as arrays with the page index of each folio;
 * finish marks every destination not flagged failed and counts them.
 * These folios are fresh, so their ->private changes only by the mark.
 */
static void batch_init_finish(struct kunit *test)
{
	struct list_head *src = kunit_kzalloc(test, sizeof(*src), GFP_KERNEL);
	struct list_head *dst = kunit_kzalloc(test, sizeof(*dst), GFP_KERNEL);
	struct migrate_offload_batch b;
	struct folio *folio;
	unsigned int i;
	u64 *extra;

	KUNIT_ASSERT_NOT_NULL(test, src);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	INIT_LIST_HEAD(src);
	INIT_LIST_HEAD(dst);
	alloc_folios(test, src);
	alloc_folios(test, dst);

	extra = migrate_offload_batch_init(&b, dst, src, 4, 3 * sizeof(*extra));
	KUNIT_ASSERT_NOT_NULL(test, extra);
	KUNIT_EXPECT_EQ(test, 4U, b.nr);
	KUNIT_EXPECT_EQ(test, 14UL, migrate_offload_batch_pages(&b));
	for (i = 0; i < ARRAY_SIZE(batch_first); i++)
		KUNIT_EXPECT_EQ(test, batch_first[i], b.first[i]);
	i = 0;
	list_for_each_entry(folio, src, lru)
		KUNIT_EXPECT_PTR_EQ(test, folio, b.src[i++]);
	i = 0;
	list_for_each_entry(folio, dst, lru)
		KUNIT_EXPECT_PTR_EQ(test, folio, b.dst[i++]);
	KUNIT_EXPECT_EQ(test, 0UL, b.failed[0]);
	/* The extra bytes are zeroed, and past the arrays. */
	KUNIT_EXPECT_EQ(test, 0ULL, extra[0] | extra[1] | extra[2]);
	KUNIT_EXPECT_TRUE(test, (void *)extra >= (void *)(b.failed + 1));

	migrate_offload_batch_fail_range(&b, 2, 3);
	KUNIT_EXPECT_EQ(test, 3U, migrate_offload_batch_finish(&b));
	i = 0;
	list_for_each_entry(folio, dst, lru) {
		KUNIT_EXPECT_EQ_MSG(test, i != 1, !!folio->private,
				    "destination %u", i);
		i++;
	}
	list_for_each_entry(folio, src, lru)
		KUNIT_EXPECT_NULL(test, folio->private);
}

/*
 * layout puts the same arrays into memory the caller keeps, whatever it
 * held before (a migrator re-uses it batch after batch), and mark leaves
 * that memory alone; mark marks the folios neither failed nor poisoned
 * copied, and the poisoned ones poisoned, which is not copied.
 */
static void batch_layout_mark(struct kunit *test)
{
	struct list_head *src = kunit_kzalloc(test, sizeof(*src), GFP_KERNEL);
	struct list_head *dst = kunit_kzalloc(test, sizeof(*dst), GFP_KERNEL);
	size_t size = migrate_offload_batch_size(4);
	struct migrate_offload_batch b;
	unsigned long mark[4];
	struct folio *folio;
	unsigned int i;
	u8 *mem;

	KUNIT_ASSERT_NOT_NULL(test, src);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	/* 2 x 4 folio pointers, 5 page indexes and two bitmap words */
	KUNIT_EXPECT_EQ(test, 15 * sizeof(long), size);
	mem = kunit_kmalloc(test, size + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	memset(mem, 0xff, size + 1);
	INIT_LIST_HEAD(src);
	INIT_LIST_HEAD(dst);
	alloc_folios(test, src);
	alloc_folios(test, dst);

	migrate_offload_batch_layout(&b, dst, src, 4, mem);
	KUNIT_EXPECT_PTR_EQ(test, (void *)mem, (void *)b.src);
	KUNIT_EXPECT_EQ(test, 14UL, migrate_offload_batch_pages(&b));
	for (i = 0; i < ARRAY_SIZE(batch_first); i++)
		KUNIT_EXPECT_EQ(test, batch_first[i], b.first[i]);
	KUNIT_EXPECT_EQ(test, 0UL, b.failed[0]);
	KUNIT_EXPECT_EQ(test, 0UL, b.poisoned[0]);
	KUNIT_EXPECT_EQ(test, 0xff, mem[size]);	/* nothing past the size */

	migrate_offload_batch_fail_range(&b, 0, 1);
	/* The last page of folio 2: the whole folio is poisoned. */
	migrate_offload_batch_poison(&b, b.first[3] - 1);
	KUNIT_EXPECT_EQ(test, 2U, migrate_offload_batch_mark(&b));
	i = 0;
	list_for_each_entry(folio, dst, lru) {
		mark[i] = (unsigned long)folio->private;
		KUNIT_EXPECT_EQ_MSG(test, i != 0, !!mark[i],
				    "destination %u", i);
		i++;
	}
	KUNIT_EXPECT_EQ(test, mark[1], mark[3]);
	KUNIT_EXPECT_NE(test, mark[1], mark[2]);
	KUNIT_EXPECT_PTR_EQ(test, (void *)mem, (void *)b.src);
}

/* The batch sizes a migrator may ask for, and only those. */
static void batch_bytes_parse(struct kunit *test)
{
	const unsigned long def = MIGRATE_OFFLOAD_BATCH_BYTES_DEFAULT;
	const unsigned long max = MIGRATE_OFFLOAD_BATCH_BYTES_MAX;
	static const char * const bad[] = {
		"", " ", "-1", "0x200000", "2M", "1e6", "4096", "1",
		"18446744073709551616",
	};
	unsigned long v = 12345;
	char buf[32];
	int i;

	KUNIT_EXPECT_EQ(test, 0, migrate_offload_parse_batch_bytes("0", &v));
	KUNIT_EXPECT_EQ(test, 0UL, v);
	snprintf(buf, sizeof(buf), "%lu", def);
	KUNIT_EXPECT_EQ(test, 0, migrate_offload_parse_batch_bytes(buf, &v));
	KUNIT_EXPECT_EQ(test, def, v);
	snprintf(buf, sizeof(buf), "%lu\n", max);
	KUNIT_EXPECT_EQ(test, 0, migrate_offload_parse_batch_bytes(buf, &v));
	KUNIT_EXPECT_EQ(test, max, v);

	v = 12345;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, -EINVAL,
				    migrate_offload_parse_batch_bytes(bad[i], &v),
				    "\"%s\"", bad[i]);
	/* Just outside the bounds, and not a whole number of pages */
	snprintf(buf, sizeof(buf), "%lu", def - PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_parse_batch_bytes(buf, &v));
	snprintf(buf, sizeof(buf), "%lu", max + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_parse_batch_bytes(buf, &v));
	snprintf(buf, sizeof(buf), "%lu", def + 1);
	KUNIT_EXPECT_EQ(test, -EINVAL, migrate_offload_parse_batch_bytes(buf, &v));
	KUNIT_EXPECT_EQ(test, 12345UL, v);
}

/* What a migrator sizes its per-batch memory and its shares by. */
static void batch_folios_and_shares(struct kunit *test)
{
	const unsigned long def = MIGRATE_OFFLOAD_BATCH_BYTES_DEFAULT;
	const unsigned long max = MIGRATE_OFFLOAD_BATCH_BYTES_MAX;

	KUNIT_EXPECT_EQ(test, MIGRATE_OFFLOAD_BATCH_MAX,
			migrate_offload_batch_folios(0));
	KUNIT_EXPECT_EQ(test, MIGRATE_OFFLOAD_BATCH_MAX,
			migrate_offload_batch_folios(def));
	KUNIT_EXPECT_EQ(test, 4 * MIGRATE_OFFLOAD_BATCH_MAX,
			migrate_offload_batch_folios(4 * def));
	KUNIT_EXPECT_EQ(test, (unsigned int)(max >> PAGE_SHIFT),
			migrate_offload_batch_folios(max));
	KUNIT_EXPECT_EQ(test, (unsigned int)(max >> PAGE_SHIFT),
			migrate_offload_batch_folios(ULONG_MAX));

	/* One share per min_share, up to the channels or threads at hand */
	KUNIT_EXPECT_EQ(test, 1U, migrate_offload_nr_shares(PAGE_SIZE, SZ_2M, 4));
	KUNIT_EXPECT_EQ(test, 1U, migrate_offload_nr_shares(SZ_2M, SZ_2M, 4));
	KUNIT_EXPECT_EQ(test, 1U, migrate_offload_nr_shares(SZ_4M - 1, SZ_2M, 4));
	KUNIT_EXPECT_EQ(test, 2U, migrate_offload_nr_shares(SZ_4M, SZ_2M, 4));
	KUNIT_EXPECT_EQ(test, 4U, migrate_offload_nr_shares(SZ_16M, SZ_2M, 4));
	KUNIT_EXPECT_EQ(test, 4U, migrate_offload_nr_shares(SZ_2M, SZ_512K, 4));
	KUNIT_EXPECT_EQ(test, 4U, migrate_offload_nr_shares(SZ_2M, PAGE_SIZE, 4));
	KUNIT_EXPECT_EQ(test, 16U, migrate_offload_nr_shares(SZ_2M, PAGE_SIZE, 16));
	/* Degenerate input still gives one share */
	KUNIT_EXPECT_EQ(test, 1U, migrate_offload_nr_shares(0, SZ_2M, 4));
	KUNIT_EXPECT_EQ(test, 1U, migrate_offload_nr_shares(SZ_2M, 0, 1));
	KUNIT_EXPECT_EQ(test, 1U, migrate_offload_nr_shares(SZ_2M, PAGE_SIZE, 0));
}

static struct kunit_case migrate_offload_registry_cases[] = {
	KUNIT_CASE(register_one_at_a_time),
	KUNIT_CASE(register_bad_input),
	KUNIT_CASE(set_reason_mask_rules),
	{}
};

static struct kunit_suite migrate_offload_registry_suite = {
	.name = "migrate_offload_registry",
	.init = registry_init,
	.test_cases = migrate_offload_registry_cases,
};

static struct kunit_case migrate_offload_mask_cases[] = {
	KUNIT_CASE(mask_round_trip),
	KUNIT_CASE(parse_good),
	KUNIT_CASE(parse_bad),
	KUNIT_CASE(format_rules),
	{}
};

static struct kunit_suite migrate_offload_mask_suite = {
	.name = "migrate_offload_reason_mask",
	.test_cases = migrate_offload_mask_cases,
};

static struct kunit_case migrate_offload_batch_cases[] = {
	KUNIT_CASE(batch_folio_lookup),
	KUNIT_CASE(batch_fail_range),
	KUNIT_CASE(batch_init_finish),
	KUNIT_CASE(batch_layout_mark),
	KUNIT_CASE(batch_bytes_parse),
	KUNIT_CASE(batch_folios_and_shares),
	{}
};

static struct kunit_suite migrate_offload_batch_suite = {
	.name = "migrate_offload_batch",
	.test_cases = migrate_offload_batch_cases,
};

kunit_test_suites(&migrate_offload_registry_suite,
		  &migrate_offload_mask_suite,
		  &migrate_offload_batch_suite);

MODULE_DESCRIPTION("KUnit tests for the migration copy offload core");
MODULE_LICENSE("GPL");
