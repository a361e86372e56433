/* SPDX-License-Identifier: Apache-2.0
 *
 * faultproxy.c -- an HTTP/1.1 proxy on 127.0.0.1 that fails chosen
 * requests, for fault tests of the S3 client.
 *
 *   faultproxy PORTFILE UPSTREAM_PORT [RULE...]
 *
 * Listens on a free 127.0.0.1 port (written to PORTFILE once listening)
 * and forwards each request to 127.0.0.1:UPSTREAM_PORT unchanged except
 * for "Connection: close" (not a signed header, so signatures stay valid).
 * Requests are numbered from 1 in arrival order.  Rules:
 *   503=N[,N...]     answer request N with 503 SlowDown (no forwarding)
 *   500=N[,N...]     answer request N with 500 InternalError
 *   drop=N[,N...]    read request N, then close without answering
 *   lose=N[,N...]    forward request N and read the upstream's answer,
 *                    then close without passing it on (the server did the
 *                    work; the client sees a dropped connection)
 *   match=TEXT       with any rule below: only requests whose first line
 *                    contains TEXT count
 *   always503        answer every (matching) request with 503
 * It logs one line per request on stderr: number, verdict, request line.
 * Single-threaded, one connection at a time (the S3 client uses one
 * connection); every socket has a timeout so it never hangs a test.
 * It stops on SIGTERM, by PID, like every test server.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAXREQ (64 << 20)
#define MAXN 64

static int list_503[MAXN], n503, list_500[MAXN], n500, list_drop[MAXN], ndrop, list_lose[MAXN], nlose;
static bool always503;
static const char *match;

static void parse_list(const char *s, int *v, int *n)
{
	while (*s && *n < MAXN) {
		v[(*n)++] = atoi(s);
		const char *c = strchr(s, ',');
		if (!c)
			break;
		s = c + 1;
	}
}

static bool in_list(const int *v, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void set_timeout(int fd)
{
	struct timeval tv = {30, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/* Read one request (headers + Content-Length body) into *buf.  Returns its
 * length, 0 on a clean close before any byte, -1 on error. */
static long read_request(int fd, char **buf, size_t *cap)
{
	size_t len = 0, hdr_end = 0, need = 0;
	for (;;) {
		if (len + 65536 > *cap) {
			if (*cap >= MAXREQ)
				return -1;
			size_t nc = *cap ? *cap * 2 : 1 << 20;
			char *nb = realloc(*buf, nc + 1);
			if (!nb)
				return -1;
			*buf = nb;
			*cap = nc;
		}
		ssize_t k = recv(fd, *buf + len, *cap - len, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return len == 0 && k == 0 ? 0 : -1;
		len += (size_t)k;
		(*buf)[len] = 0;
		if (!hdr_end) {
			char *e = strstr(*buf, "\r\n\r\n");
			if (!e)
				continue;
			hdr_end = (size_t)(e - *buf) + 4;
			size_t cl = 0;
			for (char *p = *buf; p < e;) {
				char *nl = strstr(p, "\r\n");
				if (!nl)
					break;
				if (!strncasecmp(p, "Content-Length:", 15))
					cl = (size_t)strtoull(p + 15, NULL, 10);
				p = nl + 2;
			}
			need = hdr_end + cl;
		}
		if (len >= need)
			return (long)len;
	}
}

static void reply(int fd, int status, const char *code)
{
	char body[256], msg[512];
	int bl = snprintf(body, sizeof body,
			  "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code>"
			  "<Message>injected by faultproxy</Message></Error>", code);
	int ml = snprintf(msg, sizeof msg,
			  "HTTP/1.1 %d %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n"
			  "Connection: close\r\n\r\n%s",
			  status, status == 503 ? "Service Unavailable" : "Internal Server Error", bl, body);
	write_all(fd, msg, (size_t)ml);
}

/* Forward one request; with lose, read the answer but do not pass it on. */
static int forward(int cfd, char *req, size_t len, int up_port, bool lose)
{
	int u = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)up_port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (u < 0)
		return -1;
	set_timeout(u);
	if (connect(u, (struct sockaddr *)&a, sizeof a) != 0) {
		close(u);
		return -1; /* upstream down: the client sees a dropped connection */
	}
	/* Insert "Connection: close" after the request line. */
	char *eol = strstr(req, "\r\n");
	size_t first = (size_t)(eol - req) + 2;
	static const char cc[] = "Connection: close\r\n";
	bool okw = write_all(u, req, first) && write_all(u, cc, sizeof cc - 1) &&
		   write_all(u, req + first, len - first);
	char tmp[65536];
	while (okw) {
		ssize_t k = recv(u, tmp, sizeof tmp, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (!lose && !write_all(cfd, tmp, (size_t)k))
			break;
	}
	close(u);
	return 0;
}

static volatile sig_atomic_t g_stop;
static void on_term(int sig)
{
	(void)sig;
	g_stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: faultproxy PORTFILE UPSTREAM_PORT [RULE...]\n");
		return 2;
	}
	int up_port = atoi(argv[2]);
	for (int i = 3; i < argc; i++) {
		if (!strncmp(argv[i], "503=", 4))
			parse_list(argv[i] + 4, list_503, &n503);
		else if (!strncmp(argv[i], "500=", 4))
			parse_list(argv[i] + 4, list_500, &n500);
		else if (!strncmp(argv[i], "drop=", 5))
			parse_list(argv[i] + 5, list_drop, &ndrop);
		else if (!strncmp(argv[i], "lose=", 5))
			parse_list(argv[i] + 5, list_lose, &nlose);
		else if (!strncmp(argv[i], "match=", 6))
			match = argv[i] + 6;
		else if (!strcmp(argv[i], "always503"))
			always503 = true;
		else {
			fprintf(stderr, "faultproxy: unknown rule %s\n", argv[i]);
			return 2;
		}
	}
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 16) ||
	    getsockname(l, (struct sockaddr *)&a, &al)) {
		perror("faultproxy: listen");
		return 1;
	}
	FILE *pf = fopen(argv[1], "w");
	if (!pf) {
		perror(argv[1]);
		return 1;
	}
	fprintf(pf, "%d\n", ntohs(a.sin_port));
	fclose(pf);
	char *buf = NULL;
	size_t cap = 0;
	int seq = 0;
	while (!g_stop) {
		int c = accept(l, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		set_timeout(c);
		/* One request per connection: every answer says Connection: close. */
		long n = read_request(c, &buf, &cap);
		if (n > 0) {
			char line[200];
			snprintf(line, sizeof line, "%.*s", (int)strcspn(buf, "\r\n"), buf);
			bool counted = !match || strstr(line, match);
			int k = counted ? ++seq : 0;
			const char *verdict = "forward";
			if (counted && (always503 || in_list(list_503, n503, k))) {
				verdict = "503";
				reply(c, 503, "SlowDown");
			} else if (counted && in_list(list_500, n500, k)) {
				verdict = "500";
				reply(c, 500, "InternalError");
			} else if (counted && in_list(list_drop, ndrop, k)) {
				verdict = "drop";
			} else if (counted && in_list(list_lose, nlose, k)) {
				verdict = forward(c, buf, (size_t)n, up_port, true) ? "upstream-down" : "lose";
			} else if (forward(c, buf, (size_t)n, up_port, false) != 0) {
				verdict = "upstream-down";
			}
			fprintf(stderr, "faultproxy: #%d %s %s\n", k, verdict, line);
		}
		close(c);
	}
	free(buf);
	close(l);
	return 0;
}
