// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the migration copy offload registry: who may register,
 * what unregistering and changing the reasons accept, and the text form
 * of reason masks.
 *
 * The migrators registered here decline every batch, so a migration that
 * runs meanwhile is copied by the CPU as usual.  A migrator is only ever
 * registered under a KUnit action that unregisters it, so a failed
 * assertion cannot leave one behind.
 */

#include <kunit/test.h>
#include <linux/migrate.h>
#include <linux/migrate_copy_offload.h>
#include <linux/module.h>
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
	{ "0X3ff", 0x3ff },
};

static void parse_good(struct kunit *test)
{
	unsigned long mask;
	int i;

	KUNIT_ASSERT_EQ(test, 10, MR_TYPES);	/* "0X3ff" is every reason */
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

kunit_test_suites(&migrate_offload_registry_suite,
		  &migrate_offload_mask_suite);

MODULE_DESCRIPTION("KUnit tests for the migration copy offload registry");
MODULE_LICENSE("GPL");
