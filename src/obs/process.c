/* SPDX-License-Identifier: Apache-2.0
 *
 * process.c -- process_* metrics from /proc/self/stat, /proc/self/fd and
 * /proc/self/limits.
 *
 * /proc/self/stat: field 2 (comm) is in parentheses and may itself hold
 * spaces or parentheses, so parsing starts after the LAST ')'.  Fields
 * used (1-based, proc(5)): 14 utime, 15 stime (clock ticks), 20
 * num_threads, 22 starttime (ticks after boot), 23 vsize (bytes), 24 rss
 * (pages).  Boot time comes from the btime line of /proc/stat.
 */
#include "obs/process.h"

#include <dirent.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

static void metric(struct sl_buf *out, const char *name, const char *type, const char *help,
		   const char *value)
{
	sl_buf_appendf(out, "# HELP %s %s\n# TYPE %s %s\n%s %s\n", name, help, name, type, name,
		       value);
}

static void metric_u64(struct sl_buf *out, const char *name, const char *type, const char *help,
		       uint64_t v)
{
	char s[32];
	snprintf(s, sizeof s, "%" PRIu64, v);
	metric(out, name, type, help, s);
}

static void metric_f(struct sl_buf *out, const char *name, const char *type, const char *help,
		     double v)
{
	char s[64];
	snprintf(s, sizeof s, "%.3f", v);
	metric(out, name, type, help, s);
}

static bool boot_time(uint64_t *btime)
{
	char buf[16384];
	if (!read_file("/proc/stat", buf, sizeof buf))
		return false;
	const char *p = strstr(buf, "\nbtime ");
	return p && sscanf(p + 7, "%" SCNu64, btime) == 1;
}

static void stat_metrics(struct sl_buf *out)
{
	char buf[4096];
	if (!read_file("/proc/self/stat", buf, sizeof buf))
		return;
	char *p = strrchr(buf, ')');
	if (!p)
		return;
	p++;
	/* After ')' come fields 3.. ; collect up to field 24. */
	uint64_t f[25] = {0};
	int field = 3;
	char *save = NULL;
	for (char *tok = strtok_r(p, " \n", &save); tok && field <= 24;
	     tok = strtok_r(NULL, " \n", &save), field++)
		f[field] = strtoull(tok, NULL, 10);
	if (field <= 24)
		return;
	long tck = sysconf(_SC_CLK_TCK);
	long page = sysconf(_SC_PAGESIZE);
	if (tck <= 0 || page <= 0)
		return;
	metric_f(out, "process_cpu_seconds_total", "counter",
		 "Total user and system CPU time spent in seconds.",
		 (double)(f[14] + f[15]) / (double)tck);
	metric_u64(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
		   f[24] * (uint64_t)page);
	metric_u64(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
		   f[23]);
	metric_u64(out, "process_threads", "gauge", "Number of OS threads in the process.", f[20]);
	uint64_t bt;
	if (boot_time(&bt))
		metric_f(out, "process_start_time_seconds", "gauge",
			 "Start time of the process since unix epoch in seconds.",
			 (double)bt + (double)f[22] / (double)tck);
}

static void fd_metrics(struct sl_buf *out)
{
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		uint64_t n = 0;
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
		/* The directory stream's own descriptor is not an open fd of ours. */
		metric_u64(out, "process_open_fds", "gauge", "Number of open file descriptors.",
			   n ? n - 1 : 0);
	}
	char buf[8192];
	if (!read_file("/proc/self/limits", buf, sizeof buf))
		return;
	const char *p = strstr(buf, "Max open files");
	uint64_t soft;
	if (p && sscanf(p + strlen("Max open files"), " %" SCNu64, &soft) == 1)
		metric_u64(out, "process_max_fds", "gauge",
			   "Maximum number of open file descriptors.", soft);
}

void sl_process_metrics_expose(struct sl_buf *out)
{
	stat_metrics(out);
	fd_metrics(out);
}
