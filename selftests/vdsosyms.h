/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions the running kernel's vDSO exports, read from the image
 * the kernel mapped into this process (AT_SYSINFO_EHDR): its dynamic
 * symbol table, found through PT_DYNAMIC and sized by DT_HASH, as the
 * dynamic linker does.  For tests that compare a list kept in the tree
 * with what each kernel they run on really offers.
 */
#ifndef KABISTAT_VDSOSYMS_H
#define KABISTAT_VDSOSYMS_H

#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>

/*
 * Call @fn with the name of every global or weak function of the vDSO.
 * Return how many there were, or -1 without a vDSO or a table to read.
 */
static inline int vdso_functions(void (*fn)(const char *name, void *arg),
				 void *arg)
{
	const char *base = (const char *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph;
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *sym = NULL;
	const Elf32_Word *hash = NULL;
	const char *str = NULL;
	uintptr_t load = 0;
	int i, n = 0;

	if (!base || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return -1;
	ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		/* the image is mapped whole: link address to mapped address */
		if (ph[i].p_type == PT_LOAD && !load)
			load = (uintptr_t)base + ph[i].p_offset - ph[i].p_vaddr;
		else if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const Elf64_Sym *)(load + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_STRTAB)
			str = (const char *)(load + dyn->d_un.d_ptr);
		else if (dyn->d_tag == DT_HASH)
			hash = (const Elf32_Word *)(load + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return -1;
	/* DT_HASH: nbucket, nchain; nchain is the number of symbols */
	for (i = 0; i < (int)hash[1]; i++) {
		int bind = ELF64_ST_BIND(sym[i].st_info);

		if (ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC ||
		    sym[i].st_shndx == SHN_UNDEF ||
		    (bind != STB_GLOBAL && bind != STB_WEAK))
			continue;
		fn(str + sym[i].st_name, arg);
		n++;
	}
	return n;
}

#endif /* KABISTAT_VDSOSYMS_H */
