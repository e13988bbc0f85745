// Load tools of the forwarding benchmark (bench/forwarding.js compiles this with
// cc -O2 into build/bench/fwdtool). One binary, five roles:
//
//   fwdtool gen PORT PPS COUNT SSRC PT [KEYHEX]
//       Paced RTP sender (clock_nanosleep on absolute CLOCK_MONOTONIC deadlines):
//       1,200-byte VP8 packets to 127.0.0.1:PORT, 33 packets a frame (30 fps at
//       1,000 pps), the first frame a key frame (descriptor 0x10, payload header P=0),
//       the others P=1, marker on the last packet of a frame. Payload bytes 16..23 carry
//       the send time (CLOCK_MONOTONIC ns, big-endian), 24..27 a packet counter. With
//       KEYHEX (60 hex digits: master key || salt) every packet is SRTP-protected with
//       AES_CM_128_HMAC_SHA1_80 just before it is sent. Prints one JSON line at the end.
//   fwdtool sink
//       Binds one UDP socket on 127.0.0.1 (32 MiB receive buffer), prints "port P", reads
//       "ssrc SSRC KEYHEX|-" lines then "ready" on stdin, answers "ready", and counts what
//       arrives (recvmmsg, 64 at a time, polling every 200 µs rather than blocking) per
//       SSRC: sequence gaps, duplicates, latency (the kernel's receive timestamp,
//       SO_TIMESTAMPNS, mapped to CLOCK_MONOTONIC − the send time in the payload) in a
//       1-µs histogram; SRTP packets get the one AES block holding the send time decrypted and
//       every 16th packet's tag verified. "stop" (or EOF) on stdin prints one JSON line.
//       With no ssrc lines it only counts packets (the receiver for the raw loops).
//   fwdtool hole
//       A sink that never reads (smallest receive buffer; the kernel drops what does not
//       fit): prints "port P", exits when stdin closes. For the scaling rows, where the
//       sink must not take CPU from the workers.
//   fwdtool raw PORT MODE SECONDS
//       The machine's raw limit: a tight loop sending 1,200-byte RTP packets to
//       127.0.0.1:PORT from an unconnected socket (destination in each call, as libuv's
//       uv_udp_try_send does). MODE: sendmsg | sendmmsg (batches of 32) | srtp-sendmsg |
//       srtp-sendmmsg (each packet copied from a template, given the next sequence number
//       and SRTP-protected before the send) | sockets-sendmsg | sockets-uring (the shape of
//       a fan-out over one PlainTransport per consumer: 100 sockets connected to PORT, one
//       packet each per round, sent with one send(2) each, or as 100 io_uring entries in
//       one io_uring_enter). Prints packets per thread-CPU-second.
//   fwdtool protect KEYHEX INDEX HEX / fwdtool unprotect KEYHEX INDEX HEX
//       Self-test hooks for srtp-lite.h (compared with the addon's libsrtp).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "srtp-lite.h"
#include "uring-lite.h"

#define PACKET_LEN 1200
#define TS_OFFSET 16      // payload offset of the send time
#define COUNTER_OFFSET 24 // payload offset of the packet counter
#define PACKETS_PER_FRAME 33

static uint64_t now_ns(clockid_t clock) {
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_hex(const char* hex, uint8_t* out, size_t max) {
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > max) return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1) return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

static void put_u64(uint8_t* p, uint64_t v) {
	for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (56 - 8 * i));
}
static uint64_t get_u64(const uint8_t* p) {
	uint64_t v = 0;
	for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
	return v;
}
static uint32_t get_u32(const uint8_t* p) {
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static void put_u32(uint8_t* p, uint32_t v) {
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static struct sockaddr_in loopback(int port) {
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int udp_socket(void) {
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in any = loopback(0);
	if (fd < 0 || bind(fd, (struct sockaddr*)&any, sizeof(any)) != 0) {
		perror("socket");
		exit(2);
	}
	return fd;
}

// Prints "port P" (the socket's bound port) for the parent to read.
static void announce_port(int fd) {
	struct sockaddr_in local;
	socklen_t len = sizeof(local);
	getsockname(fd, (struct sockaddr*)&local, &len);
	printf("port %d\n", ntohs(local.sin_port));
	fflush(stdout);
}

// RTP timestamp ticks (90 kHz) per frame of PACKETS_PER_FRAME packets: real time at the
// generator's rate (3,000 at 1,000 packets/s, ~30 fps), so that media time keeps pace
// with the clock at any rate (a receiver treats timestamps running far ahead of the
// clock as a broken stream).
static uint32_t tsPerFrame = 3000;

// One VP8 RTP packet of the generator's stream (clear text, PACKET_LEN bytes).
static void build_packet(uint8_t* p, uint32_t ssrc, int pt, uint16_t seq, uint32_t counter) {
	uint32_t frame = counter / PACKETS_PER_FRAME;
	int first = counter % PACKETS_PER_FRAME == 0;
	int last = counter % PACKETS_PER_FRAME == PACKETS_PER_FRAME - 1;
	uint8_t* payload = p + 12;
	p[0] = 0x80;
	p[1] = (uint8_t)(pt | (last ? 0x80 : 0));
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	put_u32(p + 4, 90000u + frame * tsPerFrame);
	put_u32(p + 8, ssrc);
	for (int i = 0; i < PACKET_LEN - 12; i++) payload[i] = (uint8_t)(i * 7 + counter);
	payload[0] = first ? 0x10 : 0x00; // S=1 PID=0 opens a frame
	if (first) {
		// VP8 payload header |Size0|H|VER|P|: P=0 key frame, P=1 interframe.
		payload[1] = frame == 0 ? 0x00 : 0x01;
		payload[2] = 0x00;
		payload[3] = 0x00;
		if (frame == 0) {
			payload[4] = 0x9d; // key frame start code and 640x360
			payload[5] = 0x01;
			payload[6] = 0x2a;
			payload[7] = 0x80;
			payload[8] = 0x02;
			payload[9] = 0x68;
			payload[10] = 0x01;
		}
	}
	put_u32(payload + COUNTER_OFFSET, counter);
}

// ---------------------------------------------------------------------------- gen

static int cmd_gen(int argc, char** argv) {
	if (argc < 7) return fprintf(stderr, "gen PORT PPS COUNT SSRC PT [KEYHEX]\n"), 2;
	int port = atoi(argv[2]);
	double pps = atof(argv[3]);
	if (pps > 0) tsPerFrame = (uint32_t)(90000.0 * PACKETS_PER_FRAME / pps + 0.5);
	long count = atol(argv[4]);
	uint32_t ssrc = (uint32_t)strtoul(argv[5], NULL, 10);
	int pt = atoi(argv[6]);
	srtp_lite srtp;
	int useSrtp = argc > 7;
	if (useSrtp) {
		uint8_t key[30];
		if (parse_hex(argv[7], key, 30) != 30 || srtp_lite_init(&srtp, key) != 0)
			return fprintf(stderr, "bad key\n"), 2;
	}
	// Real-time priority when allowed: the generator shares its core with the sink, and
	// pacing should not depend on the scheduler's mood. It uses little CPU.
	struct sched_param param = { .sched_priority = 10 };
	int fifo = sched_setscheduler(0, SCHED_FIFO, &param) == 0;
	int fd = udp_socket();
	struct sockaddr_in to = loopback(port);
	if (connect(fd, (struct sockaddr*)&to, sizeof(to)) != 0) return perror("connect"), 2;

	uint8_t packet[PACKET_LEN + 64];
	uint16_t seq0 = (uint16_t)(now_ns(CLOCK_REALTIME) * 2654435761u >> 7);
	uint64_t periodNs = (uint64_t)(1e9 / pps);
	uint64_t start = now_ns(CLOCK_MONOTONIC) + 1000000;
	uint64_t maxLateNs = 0, sumLateNs = 0;
	long sent = 0, errors = 0;
	uint64_t cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	for (long i = 0; i < count; i++) {
		uint64_t deadline = start + (uint64_t)i * periodNs;
		struct timespec ts = { (time_t)(deadline / 1000000000ull), (long)(deadline % 1000000000ull) };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
		}
		uint64_t index = (uint64_t)seq0 + (uint64_t)i; // ROC << 16 | SEQ from ROC 0
		build_packet(packet, ssrc, pt, (uint16_t)index, (uint32_t)i);
		uint64_t t = now_ns(CLOCK_MONOTONIC);
		uint64_t late = t > deadline ? t - deadline : 0;
		sumLateNs += late;
		if (late > maxLateNs) maxLateNs = late;
		put_u64(packet + 12 + TS_OFFSET, t);
		size_t len = PACKET_LEN;
		if (useSrtp) len = srtp_lite_protect(&srtp, packet, len, index);
		if (send(fd, packet, len, 0) == (ssize_t)len) sent++;
		else errors++;
	}
	uint64_t end = now_ns(CLOCK_MONOTONIC);
	printf("{\"fifo\":%s,\"sent\":%ld,\"errors\":%ld,\"seconds\":%.6f,\"meanLateUs\":%.2f,\"maxLateUs\":%.2f,\"cpuMs\":%.3f}\n",
	       fifo ? "true" : "false", sent, errors, (end - start) / 1e9, count ? sumLateNs / 1e3 / count : 0.0, maxLateNs / 1e3,
	       (now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e6);
	return 0;
}

// --------------------------------------------------------------------------- sink

#define TABLE_SIZE 4096 // power of two, > 2 x the largest N
#define HIST_US 200000  // 1-µs buckets up to 200 ms
#define BATCH 64

typedef struct {
	int used;
	uint32_t ssrc;
	int hasKey;
	srtp_lite srtp;
	int started;
	int64_t firstExt, maxExt; // extended sequence numbers (ROC 0 at the first packet)
	uint64_t received, duplicates, gaps;
	int64_t counterOffset; // payload counter − extended seq, constant for a clean stream
	uint64_t mismatches;
	uint64_t authChecked, authFailed;
} stream_t;

static stream_t streams[TABLE_SIZE];
static uint32_t hist[HIST_US + 1];
// Per input packet (the generator's counter): latency of its first and last copy out,
// in µs + 1 (0 = none seen). Separates the SFU picking a packet up from the fan-out.
#define MAX_INPUTS (1 << 20)
static uint32_t firstCopyUs[MAX_INPUTS], lastCopyUs[MAX_INPUTS];

static int cmp_u32(const void* a, const void* b) {
	uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
	return x < y ? -1 : x > y;
}

static stream_t* find_stream(uint32_t ssrc, int create) {
	uint32_t h = (ssrc * 2654435761u) & (TABLE_SIZE - 1);
	for (;;) {
		stream_t* s = &streams[h];
		if (s->used && s->ssrc == ssrc) return s;
		if (!s->used) {
			if (!create) return NULL;
			s->used = 1;
			s->ssrc = ssrc;
			return s;
		}
		h = (h + 1) & (TABLE_SIZE - 1);
	}
}

static uint64_t percentile_us(uint64_t total, double p, uint64_t overflowMaxUs) {
	if (!total) return 0;
	uint64_t rank = (uint64_t)(p / 100.0 * (double)total);
	if (rank >= total) rank = total - 1;
	uint64_t seen = 0;
	for (int i = 0; i <= HIST_US; i++) {
		seen += hist[i];
		if (seen > rank) return i == HIST_US ? overflowMaxUs : (uint64_t)i;
	}
	return overflowMaxUs;
}

static int cmd_sink(int argc, char** argv) {
	(void)argc;
	(void)argv;
	int fd = udp_socket();
	int size = 32 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	announce_port(fd);

	int configured = 0;
	char line[512];
	while (fgets(line, sizeof(line), stdin)) {
		if (strncmp(line, "ready", 5) == 0) break;
		char keyHex[128];
		unsigned long ssrc;
		if (sscanf(line, "ssrc %lu %127s", &ssrc, keyHex) != 2) continue;
		stream_t* s = find_stream((uint32_t)ssrc, 1);
		configured++;
		if (strcmp(keyHex, "-") != 0) {
			uint8_t key[30];
			if (parse_hex(keyHex, key, 30) != 30 || srtp_lite_init(&s->srtp, key) != 0)
				return fprintf(stderr, "bad key for %lu\n", ssrc), 2;
			s->hasKey = 1;
		}
	}
	printf("ready\n");
	fflush(stdout);

	// Kernel receive timestamps: taken when the packet is queued to this socket, i.e.
	// inside the SFU's sendmsg on loopback, so the sink's own scheduling does not count.
	int on = 1;
	int kernelStamps = setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) == 0;
	static uint8_t buffers[BATCH][2048];
	static uint8_t controls[BATCH][256];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	for (int i = 0; i < BATCH; i++) {
		iovs[i].iov_base = buffers[i];
		iovs[i].iov_len = sizeof(buffers[i]);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	// CLOCK_REALTIME (kernel stamps) to CLOCK_MONOTONIC (send times): the tightest of a
	// few back-to-back readings, at the start and again at the end.
	int64_t realToMono = 0;
	uint64_t bestGap = UINT64_MAX;
	for (int i = 0; i < 20; i++) {
		uint64_t m0 = now_ns(CLOCK_MONOTONIC), r = now_ns(CLOCK_REALTIME), m1 = now_ns(CLOCK_MONOTONIC);
		if (m1 - m0 < bestGap) {
			bestGap = m1 - m0;
			realToMono = (int64_t)((m0 + m1) / 2) - (int64_t)r;
		}
	}
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	uint64_t packets = 0, bytes = 0, rtcp = 0, unknown = 0, malformed = 0, samples = 0, recvCalls = 0, noStamp = 0;
	uint64_t maxLatencyNs = 0, firstNs = 0, lastNs = 0, userSum = 0, userMax = 0;
	struct pollfd stdinPoll = { 0, POLLIN, 0 };
	int stop = 0;
	while (!stop) {
		// Never block on the socket: a sleeping reader makes every sendmsg into it wake
		// this process (an IPI across cores, costly in a VM), a cost that a real SFU
		// sending to remote hosts does not have. Drain, then sleep 200 µs.
		for (;;) {
			for (int i = 0; i < BATCH; i++) {
				msgs[i].msg_hdr.msg_control = controls[i];
				msgs[i].msg_hdr.msg_controllen = sizeof(controls[i]);
			}
			int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0) break;
			recvCalls++;
			uint64_t t = now_ns(CLOCK_MONOTONIC);
			if (!firstNs) firstNs = t;
			lastNs = t;
			packets += (uint64_t)n;
			for (int i = 0; i < n; i++) {
				uint8_t* p = buffers[i];
				size_t len = msgs[i].msg_len;
				bytes += len;
				if (!configured) continue;
				if (len < 12 || (p[0] >> 6) != 2) {
					malformed++;
					continue;
				}
				if (p[1] >= 192 && p[1] <= 223) {
					rtcp++;
					continue;
				}
				stream_t* s = find_stream(get_u32(p + 8), 0);
				if (!s) {
					unknown++;
					continue;
				}
				size_t rtpLen = s->hasKey ? len - SRTP_TAG_LEN : len;
				size_t h = srtp_lite_header_len(p, rtpLen);
				if (!h || rtpLen < h + COUNTER_OFFSET + 4) {
					malformed++;
					continue;
				}
				uint16_t seq = (uint16_t)((p[2] << 8) | p[3]);
				int64_t ext;
				if (!s->started) {
					s->started = 1;
					ext = seq;
					s->firstExt = s->maxExt = ext;
				} else {
					int16_t delta = (int16_t)(seq - (uint16_t)s->maxExt);
					ext = s->maxExt + delta;
					if (delta > 0) {
						s->gaps += (uint64_t)(delta - 1);
						s->maxExt = ext;
					} else {
						s->duplicates++; // late or repeated (a gap already counted it)
					}
				}
				s->received++;
				uint8_t clear[16];
				const uint8_t* payload = p + h;
				if (s->hasKey) {
					srtp_lite_peek(&s->srtp, payload, s->ssrc, (uint64_t)ext, TS_OFFSET, 16, clear);
					if (s->received % 16 == 1) {
						s->authChecked++;
						if (!srtp_lite_verify(&s->srtp, p, len, (uint32_t)((uint64_t)ext >> 16))) s->authFailed++;
					}
				} else {
					memcpy(clear, payload + TS_OFFSET, 16);
				}
				uint64_t sentNs = get_u64(clear);
				int64_t offset = (int64_t)get_u32(clear + COUNTER_OFFSET - TS_OFFSET) - ext;
				if (s->received == 1) s->counterOffset = offset;
				else if (offset != s->counterOffset) s->mismatches++;
				uint64_t arrived = t;
				int stamped = 0;
				for (struct cmsghdr* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
					if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
						struct timespec ts;
						memcpy(&ts, CMSG_DATA(c), sizeof(ts));
						arrived = (uint64_t)((int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec + realToMono);
						stamped = 1;
					}
				}
				if (!stamped) noStamp++;
				uint64_t latency = arrived > sentNs ? arrived - sentNs : 0;
				uint64_t userLatency = t > sentNs ? t - sentNs : 0;
				userSum += userLatency;
				if (userLatency > userMax) userMax = userLatency;
				if (latency > maxLatencyNs) maxLatencyNs = latency;
				uint64_t us = latency / 1000;
				hist[us > HIST_US ? HIST_US : us]++;
				samples++;
				uint32_t counter = get_u32(clear + COUNTER_OFFSET - TS_OFFSET);
				if (counter < MAX_INPUTS) {
					uint32_t v = (uint32_t)(us > 0xfffffff0u ? 0xfffffff0u : us) + 1;
					if (!firstCopyUs[counter] || v < firstCopyUs[counter]) firstCopyUs[counter] = v;
					if (v > lastCopyUs[counter]) lastCopyUs[counter] = v;
				}
			}
		}
		if (poll(&stdinPoll, 1, 0) > 0) {
			if (!fgets(line, sizeof(line), stdin) || strncmp(line, "stop", 4) == 0) stop = 1;
			continue;
		}
		struct timespec pause = { 0, 200000 };
		nanosleep(&pause, NULL);
	}
	int64_t realToMonoEnd = (int64_t)now_ns(CLOCK_MONOTONIC) - (int64_t)now_ns(CLOCK_REALTIME);
	uint64_t streamsSeen = 0, received = 0, gaps = 0, duplicates = 0, mismatches = 0, authChecked = 0,
	         authFailed = 0, minReceived = UINT64_MAX, maxReceived = 0;
	for (int i = 0; i < TABLE_SIZE; i++) {
		stream_t* s = &streams[i];
		if (!s->used) continue;
		if (s->started) streamsSeen++;
		received += s->received;
		gaps += s->gaps;
		duplicates += s->duplicates;
		mismatches += s->mismatches;
		authChecked += s->authChecked;
		authFailed += s->authFailed;
		if (s->received < minReceived) minReceived = s->received;
		if (s->received > maxReceived) maxReceived = s->received;
	}
	if (minReceived == UINT64_MAX) minReceived = 0;
	// First-copy latency and spread (last − first copy) per input packet, and the worst
	// input packets by last-copy latency (when they were sent, relative to the first).
	static uint32_t firstSorted[MAX_INPUTS], spreadSorted[MAX_INPUTS];
	uint32_t inputs = 0, worst[6] = { 0 }, maxCounter = 0;
	int worstCount = 0;
	for (uint32_t c = 0; c < MAX_INPUTS; c++) {
		if (!firstCopyUs[c]) continue;
		firstSorted[inputs] = firstCopyUs[c] - 1;
		spreadSorted[inputs] = lastCopyUs[c] - firstCopyUs[c];
		inputs++;
		maxCounter = c;
		for (int k = 0; k < 5; k++) {
			if (k == worstCount || lastCopyUs[c] > lastCopyUs[worst[k]]) {
				memmove(&worst[k + 1], &worst[k], (4 - k) * sizeof(uint32_t));
				worst[k] = c;
				if (worstCount < 5) worstCount++;
				break;
			}
		}
	}
	qsort(firstSorted, inputs, sizeof(uint32_t), cmp_u32);
	qsort(spreadSorted, inputs, sizeof(uint32_t), cmp_u32);
#define PCT(a, p) (inputs ? a[(uint32_t)((p) / 100.0 * (inputs - 1))] : 0)
	char worstJson[256];
	int w = 0;
	for (int k = 0; k < worstCount; k++) {
		w += snprintf(worstJson + w, sizeof(worstJson) - w, "%s[%u,%u,%u]", k ? "," : "", worst[k],
		              firstCopyUs[worst[k]] - 1, lastCopyUs[worst[k]] - 1);
	}
	worstJson[w] = 0;
	printf("{\"inputs\":%u,\"maxCounter\":%u,\"firstCopyP50Us\":%u,\"firstCopyP99Us\":%u,\"spreadP50Us\":%u,"
	       "\"spreadP99Us\":%u,\"worstInputs\":[%s]}\n",
	       inputs, maxCounter, PCT(firstSorted, 50), PCT(firstSorted, 99), PCT(spreadSorted, 50), PCT(spreadSorted, 99),
	       worstJson);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpuMs = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
	               ru.ru_stime.tv_usec / 1e3;
	uint64_t maxUs = maxLatencyNs / 1000;
	printf("{\"packets\":%llu,\"bytes\":%llu,\"recvCalls\":%llu,\"rtcp\":%llu,\"unknown\":%llu,\"malformed\":%llu,"
	       "\"configured\":%d,\"streams\":%llu,\"received\":%llu,\"minReceived\":%llu,\"maxReceived\":%llu,"
	       "\"gaps\":%llu,\"duplicates\":%llu,\"payloadMismatches\":%llu,\"authChecked\":%llu,\"authFailed\":%llu,"
	       "\"latencySamples\":%llu,\"p50Us\":%llu,\"p99Us\":%llu,\"p999Us\":%llu,\"maxUs\":%llu,"
	       "\"activeSeconds\":%.6f,\"cpuMs\":%.3f,\"kernelTimestamps\":%s,\"noTimestamp\":%llu,"
	       "\"clockDriftUs\":%.3f,\"userMeanUs\":%.1f,\"userMaxUs\":%.1f}\n",
	       (unsigned long long)packets, (unsigned long long)bytes, (unsigned long long)recvCalls,
	       (unsigned long long)rtcp, (unsigned long long)unknown, (unsigned long long)malformed, configured,
	       (unsigned long long)streamsSeen, (unsigned long long)received, (unsigned long long)minReceived,
	       (unsigned long long)maxReceived, (unsigned long long)gaps, (unsigned long long)duplicates,
	       (unsigned long long)mismatches, (unsigned long long)authChecked, (unsigned long long)authFailed,
	       (unsigned long long)samples, (unsigned long long)percentile_us(samples, 50, maxUs),
	       (unsigned long long)percentile_us(samples, 99, maxUs), (unsigned long long)percentile_us(samples, 99.9, maxUs),
	       (unsigned long long)maxUs, (lastNs - firstNs) / 1e9, cpuMs, kernelStamps ? "true" : "false",
	       (unsigned long long)noStamp, (realToMonoEnd - realToMono) / 1e3, samples ? userSum / 1e3 / samples : 0.0,
	       userMax / 1e3);
	return 0;
}

// ---------------------------------------------------------------------------- raw

#define RAW_BATCH 32

#define RAW_SOCKETS 100

// sockets-sendmsg | sockets-uring: RAW_SOCKETS connected sockets, one packet each per round.
static int cmd_raw_sockets(int port, const char* mode, double seconds) {
	int useUring = strstr(mode, "uring") != NULL;
	struct sockaddr_in to = loopback(port);
	static int fds[RAW_SOCKETS];
	static uint8_t packets[RAW_SOCKETS][PACKET_LEN];
	for (int i = 0; i < RAW_SOCKETS; i++) {
		fds[i] = udp_socket();
		if (connect(fds[i], (struct sockaddr*)&to, sizeof(to)) != 0) return perror("connect"), 2;
		build_packet(packets[i], 0x0badcafe + (uint32_t)i, 101, 0, 1);
	}
	uring_lite ring;
	if (useUring && uring_lite_init(&ring, 256, 0) != 0) {
		printf("{\"mode\":\"%s\",\"unavailable\":true,\"packets\":0,\"packetsPerCpuSecond\":0}\n", mode);
		return 0;
	}
	unsigned long long sent = 0, errors = 0;
	uint64_t wall0 = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	uint64_t wallEnd = wall0 + (uint64_t)(seconds * 1e9);
	for (uint64_t round = 0;; round++) {
		for (int i = 0; i < RAW_SOCKETS; i++) {
			packets[i][2] = (uint8_t)(round >> 8);
			packets[i][3] = (uint8_t)round;
			if (useUring) uring_lite_send(&ring, fds[i], packets[i], PACKET_LEN, (uint64_t)i);
			else if (send(fds[i], packets[i], PACKET_LEN, 0) > 0) sent++;
			else errors++;
		}
		if (useUring) uring_lite_submit(&ring, &sent, &errors);
		if ((round & 7) == 0 && now_ns(CLOCK_MONOTONIC) >= wallEnd) break;
	}
	double cpu = (now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e9;
	double wall = (now_ns(CLOCK_MONOTONIC) - wall0) / 1e9;
	printf("{\"mode\":\"%s\",\"packets\":%llu,\"errors\":%llu,\"cpuSeconds\":%.6f,\"wallSeconds\":%.6f,"
	       "\"packetsPerCpuSecond\":%.1f}\n",
	       mode, sent, errors, cpu, wall, sent / cpu);
	return 0;
}

static int cmd_raw(int argc, char** argv) {
	if (argc < 5) return fprintf(stderr, "raw PORT MODE SECONDS\n"), 2;
	int port = atoi(argv[2]);
	const char* mode = argv[3];
	double seconds = atof(argv[4]);
	if (strncmp(mode, "sockets-", 8) == 0) return cmd_raw_sockets(port, mode, seconds);
	int useSrtp = strncmp(mode, "srtp-", 5) == 0;
	int batch = strstr(mode, "sendmmsg") != NULL;
	srtp_lite srtp;
	if (useSrtp) {
		uint8_t key[30];
		for (int i = 0; i < 30; i++) key[i] = (uint8_t)(i * 37 + 11);
		srtp_lite_init(&srtp, key);
	}
	int fd = udp_socket();
	struct sockaddr_in to = loopback(port);
	static uint8_t template[PACKET_LEN];
	static uint8_t packets[RAW_BATCH][PACKET_LEN + 64];
	build_packet(template, 0x0badcafe, 101, 0, 1);
	struct iovec iovs[RAW_BATCH];
	struct mmsghdr msgs[RAW_BATCH];
	for (int i = 0; i < RAW_BATCH; i++) {
		memcpy(packets[i], template, PACKET_LEN);
		iovs[i].iov_base = packets[i];
		iovs[i].iov_len = PACKET_LEN;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	uint64_t index = 0, sent = 0, errors = 0;
	uint64_t wall0 = now_ns(CLOCK_MONOTONIC), cpu0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
	uint64_t wallEnd = wall0 + (uint64_t)(seconds * 1e9);
	for (uint64_t round = 0;; round++) {
		int n = batch ? RAW_BATCH : 1;
		for (int i = 0; i < n; i++) {
			uint8_t* p = packets[i];
			if (useSrtp) memcpy(p, template, PACKET_LEN);
			p[2] = (uint8_t)(index >> 8);
			p[3] = (uint8_t)index;
			size_t len = PACKET_LEN;
			if (useSrtp) len = srtp_lite_protect(&srtp, p, PACKET_LEN, index);
			iovs[i].iov_len = len;
			index++;
		}
		if (batch) {
			int r = sendmmsg(fd, msgs, RAW_BATCH, 0);
			if (r > 0) sent += (uint64_t)r;
			if (r < RAW_BATCH) errors += (uint64_t)(RAW_BATCH - (r > 0 ? r : 0));
		} else {
			if (sendmsg(fd, &msgs[0].msg_hdr, 0) > 0) sent++;
			else errors++;
		}
		if ((round & 63) == 0 && now_ns(CLOCK_MONOTONIC) >= wallEnd) break;
	}
	double cpu = (now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0) / 1e9;
	double wall = (now_ns(CLOCK_MONOTONIC) - wall0) / 1e9;
	printf("{\"mode\":\"%s\",\"packets\":%llu,\"errors\":%llu,\"cpuSeconds\":%.6f,\"wallSeconds\":%.6f,"
	       "\"packetsPerCpuSecond\":%.1f}\n",
	       mode, (unsigned long long)sent, (unsigned long long)errors, cpu, wall, sent / cpu);
	return 0;
}

// ----------------------------------------------------------------------- hole

// A sink that never reads: one UDP socket with the smallest receive buffer, so that the
// kernel delivers each datagram to it (the loopback receive path, in the sender's
// softirq, as with a real sink) and then drops it on the full queue. It costs no CPU of
// its own, which leaves both cores to the workers in the scaling rows. Prints
// "port N", then waits for stdin to close.
static int cmd_hole(void) {
	int fd = udp_socket();
	int size = 0; // the kernel rounds it up to its minimum
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	announce_port(fd);
	char buffer[64];
	while (read(0, buffer, sizeof(buffer)) > 0) {
	}
	close(fd);
	return 0;
}

// ----------------------------------------------------------------------- self-test

static int cmd_srtp(int argc, char** argv, int protect) {
	if (argc < 5) return 2;
	uint8_t key[30], p[2048];
	if (parse_hex(argv[2], key, 30) != 30) return 2;
	int len = parse_hex(argv[4], p, sizeof(p) - 64);
	if (len < 0) return 2;
	srtp_lite s;
	srtp_lite_init(&s, key);
	uint64_t index = strtoull(argv[3], NULL, 10);
	size_t out = protect ? srtp_lite_protect(&s, p, (size_t)len, index) : srtp_lite_unprotect(&s, p, (size_t)len, index);
	if (!out) return printf("fail\n"), 1;
	for (size_t i = 0; i < out; i++) printf("%02x", p[i]);
	printf("\n");
	return 0;
}

int main(int argc, char** argv) {
	if (argc < 2) return fprintf(stderr, "usage: fwdtool gen|sink|hole|raw|protect|unprotect ...\n"), 2;
	if (!strcmp(argv[1], "gen")) return cmd_gen(argc, argv);
	if (!strcmp(argv[1], "sink")) return cmd_sink(argc, argv);
	if (!strcmp(argv[1], "raw")) return cmd_raw(argc, argv);
	if (!strcmp(argv[1], "hole")) return cmd_hole();
	if (!strcmp(argv[1], "protect")) return cmd_srtp(argc, argv, 1);
	if (!strcmp(argv[1], "unprotect")) return cmd_srtp(argc, argv, 0);
	return fprintf(stderr, "unknown command %s\n", argv[1]), 2;
}
