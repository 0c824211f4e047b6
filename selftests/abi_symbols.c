// SPDX-License-Identifier: GPL-2.0
/*
 * GET_ABI's implemented bitmaps against the running kernel's own symbols.
 *
 * The module derives its tables at build time from the kernel headers; the
 * kernel's symbol table (/proc/kallsyms, with addresses as root) is an
 * independent account of the same thing.  A 64-bit syscall NAME is
 * implemented when __x64_sys_<entry> exists and is not sys_ni_syscall
 * itself, an ia32 one when __ia32_compat_sys_<entry> or
 * __ia32_sys_<entry> does.  <entry> is the name, or the name an entry
 * point has under another name (struct alias below: "uname" is
 * sys_newuname; see entry_of() for the rest).  The 64-bit table leaves
 * three numbers without an entry point whose __x64_sys_ symbol the kernel
 * builds anyway, and the ia32 table two (no_entry()).  A number whose
 * entry point is compiled out has no symbol at all; one configured out
 * (COND_SYSCALL) has a weak stub that answers ENOSYS: the module's
 * tables, like the kernel's syscall table, count those as implemented,
 * and so does this test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kabistat.h>

#include "kselftest_harness.h"
#include "kabistat.h"

struct sym {
	char *name;
	unsigned long long addr;
};

struct syms {
	struct sym *v;
	size_t n, cap;
};

static const char *const prefixes[] = {
	"__x64_sys_", "__ia32_sys_", "__ia32_compat_sys_",
};

static int sym_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sym *)a)->name,
		      ((const struct sym *)b)->name);
}

/* The syscall entry points of vmlinux, sorted by name; -errno on error. */
static int syms_load(struct syms *s)
{
	char line[512], name[256], type;
	unsigned long long addr;
	size_t i;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return -errno;
	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f)) {
		/* a module's symbols end with "[module]": not entry points */
		if (strchr(line, '[') ||
		    sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
			if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
				break;
		if (i == sizeof(prefixes) / sizeof(prefixes[0]))
			continue;
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 1024;
			s->v = realloc(s->v, s->cap * sizeof(*s->v));
			if (!s->v)
				abort();
		}
		s->v[s->n].name = strdup(name);
		s->v[s->n++].addr = addr;
	}
	fclose(f);
	qsort(s->v, s->n, sizeof(*s->v), sym_cmp);
	return 0;
}

static void syms_free(struct syms *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
}

static const struct sym *syms_find(const struct syms *s, const char *prefix,
				   const char *name)
{
	char buf[256];
	struct sym key = { .name = buf };

	snprintf(buf, sizeof(buf), "%s%s", prefix, name);
	return bsearch(&key, s->v, s->n, sizeof(*s->v), sym_cmp);
}

/*
 * Table names whose entry point is named otherwise.  Beyond these, an ia32
 * name may be its entry point's with "32" (the 32-bit uid calls),
 * "64" or "_time64" (the 64-bit file offset and time calls) appended, or
 * the entry point the name with an "ia32_" prefix (compat_sys_ia32_*).
 */
static const struct alias {
	const char *name, *entry;
} aliases[] = {
	{ "uname", "newuname" },
	{ "stat", "newstat" },
	{ "lstat", "newlstat" },
	{ "fstat", "newfstat" },
	{ "umount2", "umount" },
	{ "umount", "oldumount" },
	{ "sendfile", "sendfile64" },
	{ "oldolduname", "olduname" },
	{ "olduname", "uname" },
	{ "_llseek", "llseek" },
	{ "_newselect", "select" },
	{ "select", "old_select" },
	{ "mmap", "old_mmap" },
	{ "mmap2", "mmap_pgoff" },
	{ "readdir", "old_readdir" },
	{ "getrlimit", "old_getrlimit" },
	{ "ugetrlimit", "getrlimit" },
	{ "oldstat", "stat" },
	{ "oldlstat", "lstat" },
	{ "oldfstat", "fstat" },
};

/*
 * Numbers a table leaves without an entry point although the kernel
 * builds a symbol of that name: the 64-bit table for three that only the
 * ia32 table has, the ia32 table (compat) for vm86old and vm86, which
 * only a 32-bit kernel implements (5.10 still builds __ia32_sys_vm86*).
 */
static const char *const x64_ia32_only[] = {
	"uselib", "set_thread_area", "get_thread_area",
};

static const char *const ia32_native_only[] = {
	"vm86old", "vm86",
};

static bool listed(const char *const *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

/* Whether @name of ABI @id has no entry point whatever the symbols say. */
static bool no_entry(int id, const char *name)
{
	if (id == KABISTAT_ABI_X86_64)
		return listed(x64_ia32_only, sizeof(x64_ia32_only) /
			      sizeof(x64_ia32_only[0]), name);
	return listed(ia32_native_only, sizeof(ia32_native_only) /
		      sizeof(ia32_native_only[0]), name);
}

/* @name with @suffix taken off its end into @buf; false if it has none. */
static bool strip_suffix(char *buf, size_t size, const char *name,
			 const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	if (n <= k || n - k >= size || strcmp(name + n - k, suffix))
		return false;
	memcpy(buf, name, n - k);
	buf[n - k] = '\0';
	return true;
}

static const struct sym *entry_in(const struct syms *s,
				  const char *const *prefix, int nprefix,
				  const char *name)
{
	const struct sym *found = NULL;
	int i;

	for (i = 0; i < nprefix && !found; i++)
		found = syms_find(s, prefix[i], name);
	return found;
}

/*
 * The entry point of @name in an ABI whose symbols start with one of
 * @prefix (tried in order), NULL when the kernel has none; @ia32 allows
 * the ia32 table's ways of naming.
 */
static const struct sym *entry_of(const struct syms *s,
				  const char *const *prefix, int nprefix,
				  const char *name, bool ia32)
{
	static const char *const suffixes[] = { "_time64", "64", "32" };
	const struct sym *found = NULL;
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]) && !found; i++)
		if (!strcmp(aliases[i].name, name))
			found = entry_in(s, prefix, nprefix, aliases[i].entry);
	if (!found)
		found = entry_in(s, prefix, nprefix, name);
	if (!ia32)
		return found;
	if (!found) {
		snprintf(buf, sizeof(buf), "ia32_%s", name);
		found = entry_in(s, prefix, nprefix, buf);
	}
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]) && !found; i++)
		if (strip_suffix(buf, sizeof(buf), name, suffixes[i]))
			found = entry_in(s, prefix, nprefix, buf);
	return found;
}

static void check_table(struct __test_metadata *_metadata,
			const struct kabistat_kernel_abi *abi, int id,
			const struct syms *s, const char *const *prefix,
			int nprefix, const char *ni)
{
	const struct kabistat_syscall_table *t = &abi->tables[id];
	const struct sym *ni_sym = syms_find(s, ni, "ni_syscall");
	uint32_t nr, implemented = 0;

	ASSERT_TRUE(t->present);
	ASSERT_NE(NULL, ni_sym) TH_LOG("no %sni_syscall in kallsyms", ni);
	for (nr = 0; nr < t->size; nr++) {
		const struct sym *e;
		bool kernel, module;

		if (!t->names[nr])
			continue;
		if (no_entry(id, t->names[nr]))
			e = NULL;
		else
			e = entry_of(s, prefix, nprefix, t->names[nr],
				     id == KABISTAT_ABI_IA32);
		kernel = e && e->addr != ni_sym->addr;
		module = kabistat_abi_implemented(abi, id, nr);
		implemented += module;
		EXPECT_EQ(kernel, module)
			TH_LOG("%s %u %s: kernel %s (%s), module %s", t->name,
			       nr, t->names[nr],
			       kernel ? "implements" : "does not implement",
			       e ? e->name : "no symbol",
			       module ? "implemented" : "not implemented");
	}
	EXPECT_EQ(t->nr_implemented, implemented);
}

FIXTURE(sym) {
	struct kabistat *ks;
	struct kabistat_kernel_abi *abi;
	struct syms s;
};

FIXTURE_SETUP(sym)
{
	char msg[KABISTAT_ERRMSG_LEN];
	int err;

	memset(&self->s, 0, sizeof(self->s));
	ASSERT_EQ(0, kabistat_open(&self->ks, msg)) TH_LOG("%s", msg);
	ASSERT_EQ(0, kabistat_get_abi(self->ks, &self->abi))
		TH_LOG("%s", kabistat_errmsg(self->ks));
	err = syms_load(&self->s);
	ASSERT_EQ(0, err) TH_LOG("/proc/kallsyms: %s", strerror(-err));
	if (!self->s.n)
		SKIP(return, "kernel without CONFIG_KALLSYMS_ALL entry points");
	/* addresses hidden (kptr_restrict=2): every symbol reads 0 */
	ASSERT_NE(0, self->s.v[0].addr) TH_LOG("kallsyms addresses hidden");
}

FIXTURE_TEARDOWN(sym)
{
	syms_free(&self->s);
	kabistat_abi_free(self->abi);
	kabistat_close(self->ks);
}

TEST_F(sym, x86_64_implemented_bitmap_matches_kernel_symbols)
{
	static const char *const p[] = { "__x64_sys_" };

	check_table(_metadata, self->abi, KABISTAT_ABI_X86_64, &self->s,
		    p, 1, "__x64_sys_");
}

TEST_F(sym, ia32_implemented_bitmap_matches_kernel_symbols)
{
	static const char *const p[] = {
		"__ia32_compat_sys_", "__ia32_sys_",
	};

	if (!self->abi->tables[KABISTAT_ABI_IA32].present)
		SKIP(return, "kernel without IA32_EMULATION");
	check_table(_metadata, self->abi, KABISTAT_ABI_IA32, &self->s,
		    p, 2, "__ia32_sys_");
}

TEST_HARNESS_MAIN
