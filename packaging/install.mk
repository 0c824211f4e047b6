# SPDX-License-Identifier: GPL-2.0
# make install (module, library, headers, pkg-config, CLI, man pages, udev
# rule, systemd unit) and the DKMS targets.  Included by the top Makefile
# after userspace.mk, whose objects and flags it reuses.
#
# Directories follow the GNU conventions; PREFIX defaults to /usr/local and
# every directory below may be overridden (a Debian package would use
# PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu).  systemd and udev read
# $(PREFIX)/lib/{systemd/system,udev/rules.d,modules-load.d} for both /usr
# and /usr/local.

BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
MODULESLOADDIR ?= $(PREFIX)/lib/modules-load.d
# The module goes to $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/kmod/.
INSTALL_MOD_DIR ?= extra
# MODULES_LOAD=1: also load the module at boot (modules-load.d snippet).
MODULES_LOAD ?= 0
# KABISTAT_GROUP=<group>: /dev/kabistat root:<group> 0660 instead of 0600.
KABISTAT_GROUP ?=

# The shared library's file name; its SONAME stays libkabistat.so.1.
LIB_REALNAME := libkabistat.so.1.0.0
LIB_FUNCS := $(shell sed -n 's/^[[:space:]]*\(kabistat_[a-z0-9_]*\);.*/\1/p' \
	userspace/lib/libkabistat.map)

# The CLI in build/bin finds the library through an $ORIGIN rpath; the
# installed one has no rpath and finds it in LIBDIR through the dynamic
# linker's search path (ldconfig; /usr/local/lib is in Debian's).
INSTALL_STAGE := $(BUILD)/install
INSTALL_CLI := $(INSTALL_STAGE)/kabistat

$(INSTALL_CLI): $(CLI_OBJS) $(LIBKABISTAT)
	@mkdir -p $(@D)
	$(CC) -o $@ $(CLI_OBJS) -L$(BUILD)/lib -lkabistat $(US_LDLIBS) $(CLI_LDLIBS) $(LDFLAGS)

install: install-module install-userspace

# The modules.* indexes belong to the target and are never written into a
# DESTDIR.  Kbuild's own depmod is turned off (DEPMOD=true): it runs with a
# full kernel tree but not with Debian's headers (no System.map), and the
# depmod -a below covers both.
install-module: module
	$(MAKE) -C $(KDIR) M=$(KMOD_DIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) CONFIG_MODULE_SIG_ALL= \
		DEPMOD=true modules_install
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
else
	@echo "install-module: DESTDIR is set, depmod not run: run 'depmod $(KVER)' where the tree is installed"
endif

install-userspace: $(LIBKABISTAT) $(INSTALL_CLI)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man4 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0755 $(INSTALL_CLI) $(DESTDIR)$(BINDIR)/kabistat
	install -m 0644 $(LIBKABISTAT) $(DESTDIR)$(LIBDIR)/$(LIB_REALNAME)
	ln -sf $(LIB_REALNAME) $(DESTDIR)$(LIBDIR)/libkabistat.so.1
	ln -sf libkabistat.so.1 $(DESTDIR)$(LIBDIR)/libkabistat.so
	install -m 0644 userspace/lib/kabistat.h $(DESTDIR)$(INCLUDEDIR)/kabistat.h
	install -m 0644 include/uapi/linux/kabistat.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/kabistat.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    userspace/lib/kabistat.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/kabistat.pc
	for page in kabistat.8:man8 libkabistat.3:man3 kabistat.4:man4; do \
		sed 's|@VERSION@|$(VERSION)|g' man/$${page%:*} \
			> $(DESTDIR)$(MANDIR)/$${page#*:}/$${page%:*} || exit 1; \
	done
	echo '.so man4/kabistat.4' > $(DESTDIR)$(MANDIR)/man4/kabistat.ko.4
	for f in $(LIB_FUNCS); do \
		echo '.so man3/libkabistat.3' > $(DESTDIR)$(MANDIR)/man3/$$f.3 || exit 1; \
	done
	sed -e 's|@GROUP@|$(or $(KABISTAT_GROUP),root)|' \
	    -e 's|@MODE@|$(if $(KABISTAT_GROUP),0660,0600)|' \
	    packaging/60-kabistat.rules > $(DESTDIR)$(UDEVRULESDIR)/60-kabistat.rules
	sed 's|@BINDIR@|$(BINDIR)|' packaging/kabistat-exporter.service \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/kabistat-exporter.service
ifeq ($(MODULES_LOAD),1)
	install -d $(DESTDIR)$(MODULESLOADDIR)
	install -m 0644 packaging/modules-load.conf \
		$(DESTDIR)$(MODULESLOADDIR)/kabistat.conf
endif
ifeq ($(DESTDIR),)
	ldconfig
endif

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kabistat \
		$(DESTDIR)$(LIBDIR)/$(LIB_REALNAME) \
		$(DESTDIR)$(LIBDIR)/libkabistat.so.1 \
		$(DESTDIR)$(LIBDIR)/libkabistat.so \
		$(DESTDIR)$(PKGCONFIGDIR)/kabistat.pc \
		$(DESTDIR)$(INCLUDEDIR)/kabistat.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/kabistat.h \
		$(DESTDIR)$(MANDIR)/man8/kabistat.8 \
		$(DESTDIR)$(MANDIR)/man3/libkabistat.3 \
		$(LIB_FUNCS:%=$(DESTDIR)$(MANDIR)/man3/%.3) \
		$(DESTDIR)$(MANDIR)/man4/kabistat.4 \
		$(DESTDIR)$(MANDIR)/man4/kabistat.ko.4 \
		$(DESTDIR)$(UDEVRULESDIR)/60-kabistat.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/kabistat-exporter.service \
		$(DESTDIR)$(MODULESLOADDIR)/kabistat.conf
	rm -f $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/kmod/kabistat.ko*
	rmdir $(DESTDIR)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)/kmod 2>/dev/null || true
ifeq ($(DESTDIR),)
	if [ -d /lib/modules/$(KVER) ]; then depmod -a $(KVER); fi
	ldconfig
endif

# DKMS.  The source tree holds what kbuild needs and nothing else.
DKMS_SRCDIR ?= /usr/src/kabistat-$(VERSION)
DKMS_FILES := Kbuild VERSION kmod/Kbuild \
	$(wildcard kmod/*.c kmod/*.h kmod/*.sh kmod/features/*.c) \
	include/uapi/linux/kabistat.h
# dkms runs kbuild's make: keep this make's variables out of it.
DKMS := env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS dkms

# Also for packagers: make dkms-source DESTDIR=<package root>.
dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRCDIR)/$$f || exit 1; \
	done
	sed 's|@VERSION@|$(VERSION)|' dkms.conf > $(DESTDIR)$(DKMS_SRCDIR)/dkms.conf

# Registers the module with the system's DKMS and installs it for every
# kernel whose headers are installed (/lib/modules/<kver>/build); DKMS then
# rebuilds it when a kernel package is installed (AUTOINSTALL).
dkms-install:
	@test -z "$(DESTDIR)" || { echo "dkms-install: registers with the system's DKMS; for a package root use dkms-source" >&2; exit 1; }
	@command -v dkms >/dev/null || { echo "dkms-install: dkms is not installed (apt-get install dkms)" >&2; exit 1; }
	$(MAKE) --no-print-directory dkms-source
	if $(DKMS) status -m kabistat -v $(VERSION) | grep -q .; then \
		$(DKMS) remove kabistat/$(VERSION) --all; fi
	$(DKMS) add kabistat/$(VERSION)
	@status=0 n=0; \
	for k in $$(ls /lib/modules); do \
		if [ ! -e /lib/modules/$$k/build/Makefile ]; then \
			echo "dkms-install: $$k skipped: no headers (linux-headers-$$k)"; \
			continue; \
		fi; \
		$(DKMS) install kabistat/$(VERSION) -k $$k; rc=$$?; \
		case $$rc in \
		0) n=$$((n + 1)) ;; \
		77) echo "dkms-install: $$k skipped: not supported (dkms.conf BUILD_EXCLUSIVE)" ;; \
		*) echo "dkms-install: $$k failed (see /var/lib/dkms/kabistat/$(VERSION)/build/make.log)" >&2; status=1 ;; \
		esac; \
	done; \
	echo "dkms-install: kabistat $(VERSION) installed for $$n kernel(s)"; \
	exit $$status

dkms-remove:
	@command -v dkms >/dev/null || { echo "dkms-remove: dkms is not installed" >&2; exit 1; }
	if $(DKMS) status -m kabistat -v $(VERSION) | grep -q .; then \
		$(DKMS) remove kabistat/$(VERSION) --all; fi
	rm -rf $(DKMS_SRCDIR)
