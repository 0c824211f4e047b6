/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the selftests: requests built byte by byte, so
 * that tests can send what no well-behaved library would.
 */
#ifndef KABISTAT_NLRAW_H
#define KABISTAT_NLRAW_H

#include <stddef.h>
#include <stdint.h>

struct nlraw {
	int fd;
	uint16_t family;
	uint32_t seq;
	uint16_t reserved;	/* genlmsghdr.reserved of requests: 0 */
	char extack[256];	/* text of the last error's extended ACK */
};

/* Open a socket with extended ACKs and resolve the kabistat family. */
int nlraw_open(struct nlraw *nl);
void nlraw_close(struct nlraw *nl);

/*
 * Send one request with @attrs (already encoded) and wait for its ACK.
 * Return: 0, or the negative errno the kernel answered with.
 */
int nlraw_request(struct nlraw *nl, uint8_t cmd, uint16_t flags,
		  const void *attrs, size_t len);

/* Append one attribute to @buf at *@off; returns the new offset. */
size_t nlraw_put(void *buf, size_t off, uint16_t type, const void *data,
		 size_t len);

#endif /* KABISTAT_NLRAW_H */
