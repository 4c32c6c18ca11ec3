/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bad-input sweeps of the guest tests: a list of hostile values that
 * no numeric, boolean or list knob may take, and the checks every sweep
 * makes with them (the write refused, the value read back unchanged).
 * For kselftest_harness.h tests; include after it.
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "kselftest_harness.h"
#include "vmtest.h"

/*
 * Hostile values for the bad-input sweeps: no numeric, boolean or list
 * knob may take them.  @err is the error the knob may give instead of
 * EINVAL: ERANGE for numbers that overflow; for the overlong value (8192
 * digits, so also a number that overflows) E2BIG (sysfs refuses more
 * than a page itself) or ERANGE; and for the empty write 0: write(2) of
 * nothing never reaches a sysfs store.  Whatever the answer, the value
 * read back must not change.
 */
struct hostile {
	const char *val;
	int err;
};

#define HOSTILE_OVERLONG	8192	/* bytes of the overlong value */

static const struct hostile hostile_table[] = {
	{ "", 0 },					/* empty */
	{ "\n", 0 }, { " ", 0 }, { "\t\n", 0 }, { " \n ", 0 }, /* blank */
	{ " 1", 0 }, { "1 ", 0 }, { "\t1", 0 },
	{ "-1", 0 }, { "-4294967296", ERANGE }, { "+-1", 0 }, /* negative */
	{ "99999999999999999999999999", ERANGE },	/* huge */
	{ "18446744073709551616", ERANGE },
	{ "-99999999999999999999999999", ERANGE },
	{ "abc", 0 }, { "0x", 0 }, { "0b1", 0 }, { "1.5", 0 }, { ",", 0 },
	{ "1x", 0 }, { "1 2", 0 }, { "1 x", 0 }, { "1,", 0 },	/* trailing */
	{ "1\n2", 0 }, { "1\n\n", 0 }, { "\n1", 0 },	/* newlines */
	{ NULL, E2BIG },				/* overlong */
};

#define NR_HOSTILE	(sizeof(hostile_table) / sizeof(hostile_table[0]))

/* Value @i of the sweep (the overlong one is built once). */
static inline const char *hostile_value(unsigned int i)
{
	static char *overlong;

	if (hostile_table[i].val)
		return hostile_table[i].val;
	if (!overlong) {
		overlong = malloc(HOSTILE_OVERLONG + 1);
		if (!overlong)
			return "";
		memset(overlong, '1', HOSTILE_OVERLONG);
		overlong[HOSTILE_OVERLONG] = '\0';
	}
	return overlong;
}

/*
 * Write hostile value @i to @path; true if the answer was a refusal the
 * sweep accepts (see struct hostile).  @rc gets the answer.
 */
static inline bool hostile_refused(const char *path, unsigned int i, int *rc)
{
	int err = hostile_table[i].err;

	*rc = file_write(path, hostile_value(i));
	if (!*hostile_value(i))
		return *rc == 0 || *rc == -EINVAL;
	if (!hostile_table[i].val && *rc == -ERANGE)
		return true;
	return *rc == -EINVAL || (err && *rc == -err);
}

/* Printable form of hostile value @i for messages. */
static inline const char *hostile_name(unsigned int i)
{
	static char buf[48];
	const char *v = hostile_value(i);
	size_t o = 0;

	if (!hostile_table[i].val)
		return "<8192 digits>";
	for (; *v && o < sizeof(buf) - 3; v++) {
		if (*v == '\n' || *v == '\t') {
			buf[o++] = '\\';
			buf[o++] = *v == '\n' ? 'n' : 't';
		} else {
			buf[o++] = *v;
		}
	}
	buf[o] = '\0';
	return buf;
}

#define HOSTILE_READBACK	256	/* longest value a swept file reads */

/*
 * Write hostile value @i to @path: the write must be refused as struct
 * hostile allows, and @path must read @before afterwards.
 */
static inline void expect_hostile_kept(struct __test_metadata *_metadata,
				       const char *path, unsigned int i,
				       const char *before)
{
	char after[HOSTILE_READBACK];
	int rc;

	EXPECT_TRUE(hostile_refused(path, i, &rc))
		TH_LOG("%s: writing \"%s\" gave %d", path, hostile_name(i),
		       rc);
	ASSERT_EQ(0, file_read(path, after, sizeof(after)))
		TH_LOG("%s: unreadable after \"%s\"", path, hostile_name(i));
	EXPECT_STREQ(before, after)
		TH_LOG("%s changed by \"%s\"", path, hostile_name(i));
}

/* Every hostile value, written to @path, is refused and changes nothing. */
static inline void expect_hostile_sweep(struct __test_metadata *_metadata,
					const char *path)
{
	char before[HOSTILE_READBACK];
	unsigned int i;

	ASSERT_EQ(0, file_read(path, before, sizeof(before)))
		TH_LOG("%s: unreadable", path);
	for (i = 0; i < NR_HOSTILE; i++)
		expect_hostile_kept(_metadata, path, i, before);
}

/*
 * Writing @val to @path must fail with EINVAL and leave the value read
 * back as it was: for the values a knob's own range or syntax refuses.
 */
static inline void expect_einval_kept(struct __test_metadata *_metadata,
				      const char *path, const char *val)
{
	char before[HOSTILE_READBACK], after[HOSTILE_READBACK];
	int rc;

	ASSERT_EQ(0, file_read(path, before, sizeof(before)))
		TH_LOG("%s: unreadable", path);
	rc = file_write(path, val);
	EXPECT_EQ(-EINVAL, rc)
		TH_LOG("%s: writing \"%.40s\" (%zu bytes) gave %d", path, val,
		       strlen(val), rc);
	ASSERT_EQ(0, file_read(path, after, sizeof(after)));
	EXPECT_STREQ(before, after)
		TH_LOG("%s changed by \"%.40s\"", path, val);
}

#endif /* HOSTILE_H */
