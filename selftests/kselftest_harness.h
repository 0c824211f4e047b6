/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kabistat's wrapper around the kernel's kselftest_harness.h (from the
 * linux-source tarball, $(KTOOLS)/tools/testing/selftests).  The tests
 * include "kselftest_harness.h" as usual and get this file first, since it
 * sits next to them; it adds two things to TEST_HARNESS_MAIN:
 *
 *  - "TEST -l" lists the binary's tests, one "NAME TIMEOUT" line each
 *    (NAME as the harness reports it, fixture[.variant].test; TIMEOUT in
 *    seconds, TEST_F_TIMEOUT's or the harness default), then exits without
 *    running anything, constructors apart.  The build records it as the
 *    expected list of tests, and the guest sums the timeouts into the
 *    binary's own.  Lines starting with '#' are comments.
 *
 *  - KABISTAT_TIMEOUT_SCALE=N (an integer, 1 by default) multiplies every
 *    test's timeout, for kernels N times slower (the debug kernel).
 */
#ifndef KABISTAT_KSELFTEST_HARNESS_H
#define KABISTAT_KSELFTEST_HARNESS_H

#include <testing/selftests/kselftest_harness.h>

static inline void kabistat_harness_list(void)
{
	struct __fixture_variant_metadata no_variant = { .name = "", };
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next)
		for (v = f->variant ?: &no_variant; v; v = v->next)
			for (t = f->tests; t; t = t->next)
				printf("%s%s%s.%s %d\n", f->name,
				       v->name[0] ? "." : "", v->name, t->name,
				       t->timeout);
}

static inline int kabistat_harness_main(int argc, char **argv)
{
	const char *env = getenv("KABISTAT_TIMEOUT_SCALE");
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	long scale = 1;

	if (argc == 2 && !strcmp(argv[1], "-l")) {
		kabistat_harness_list();
		fflush(stdout);
		/* no destructors: some restore module state at exit */
		_exit(ferror(stdout) ? KSFT_FAIL : KSFT_PASS);
	}
	if (env && *env) {
		scale = strtol(env, NULL, 10);
		if (scale < 1 || scale > 100) {
			fprintf(stderr, "KABISTAT_TIMEOUT_SCALE=%s: not 1 to 100\n",
				env);
			return KSFT_FAIL;
		}
	}
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= scale;
	return test_harness_run(argc, argv);
}

#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	int main(int argc, char **argv) \
	{ \
		return kabistat_harness_main(argc, argv); \
	}

#endif /* KABISTAT_KSELFTEST_HARNESS_H */
