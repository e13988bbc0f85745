// A minimal io_uring ring for the raw loops of fwdtool.c (raw syscalls, as the engine's
// src/cpp/engine/net/IoUringRing does; no liburing): IORING_OP_SEND entries on
// connected sockets, submitted in one io_uring_enter, completions counted.
#pragma once
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
typedef struct {
	int fd;
	unsigned *sqHead, *sqTail, *sqMask, *sqArray, *cqHead, *cqTail, *cqMask;
	struct io_uring_sqe* sqes;
	struct io_uring_cqe* cqes;
	unsigned pending;
} uring_lite;
static int uring_lite_init(uring_lite* r, unsigned entries, unsigned flags) {
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	p.flags = flags;
	r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0) return -1;
	size_t sqSize = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cqSize = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (cqSize > sqSize) sqSize = cqSize;
	uint8_t* sq = mmap(0, sqSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	uint8_t* cq = sq; // IORING_FEAT_SINGLE_MMAP (5.4+)
	r->sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || r->sqes == MAP_FAILED) return -1;
	r->sqHead = (unsigned*)(sq + p.sq_off.head);
	r->sqTail = (unsigned*)(sq + p.sq_off.tail);
	r->sqMask = (unsigned*)(sq + p.sq_off.ring_mask);
	r->sqArray = (unsigned*)(sq + p.sq_off.array);
	r->cqHead = (unsigned*)(cq + p.cq_off.head);
	r->cqTail = (unsigned*)(cq + p.cq_off.tail);
	r->cqMask = (unsigned*)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe*)(cq + p.cq_off.cqes);
	r->pending = 0;
	return 0;
}
static void uring_lite_send(uring_lite* r, int fd, const void* buf, unsigned len, uint64_t data) {
	unsigned tail = *r->sqTail;
	unsigned idx = tail & *r->sqMask;
	struct io_uring_sqe* sqe = &r->sqes[idx];
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_SEND;
	sqe->fd = fd;
	sqe->addr = (uint64_t)(uintptr_t)buf;
	sqe->len = len;
	sqe->user_data = data;
	r->sqArray[idx] = idx;
	atomic_store_explicit((_Atomic unsigned*)r->sqTail, tail + 1, memory_order_release);
	r->pending++;
}
// Submits what is queued; returns completions reaped with res >= 0 in *ok, < 0 in *bad.
static int uring_lite_submit(uring_lite* r, unsigned long long* ok, unsigned long long* bad) {
	int n = r->pending ? (int)syscall(__NR_io_uring_enter, r->fd, r->pending, 0, 0, NULL, 0) : 0;
	r->pending = 0;
	unsigned head = *r->cqHead;
	unsigned tail = atomic_load_explicit((_Atomic unsigned*)r->cqTail, memory_order_acquire);
	for (; head != tail; head++) {
		struct io_uring_cqe* c = &r->cqes[head & *r->cqMask];
		if (c->res >= 0) (*ok)++; else (*bad)++;
	}
	atomic_store_explicit((_Atomic unsigned*)r->cqHead, head, memory_order_release);
	return n;
}
