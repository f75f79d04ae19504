// SPDX-License-Identifier: GPL-2.0
/*
 * capexec: run a command as a non-root user holding exactly the named
 * capabilities (tests/vm/scenarios/040-netlink-abi.sh: which capability
 * each netlink command needs).
 *
 * usage: capexec --user UID[:GID] [--caps CAP[,CAP]...|--caps none] -- CMD [ARGS...]
 *
 * Run as root.  Drops every supplementary group, sets the real, effective
 * and saved GID (default: UID) and UID, then gives the process exactly CAPs
 * in its effective, permitted, inheritable and ambient sets and execs CMD
 * (searched in PATH).  As CMD is an ordinary file run by a non-root user,
 * the kernel hands it the ambient set: CMD runs with exactly CAPs
 * (/proc/self/status CapEff/CapPrm/CapInh/CapAmb).  No libcap.
 *
 * CAP is a name as in capabilities(7), with or without "cap_", any case
 * (sys_admin, CAP_NET_ADMIN), or a number.
 *
 * Exit status: CMD's; 125 when capexec itself fails (bad usage, a failed
 * setresuid/capset/prctl: the message says which), 126 when CMD cannot be
 * executed, 127 when it is not found.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static const struct {
	const char *name;
	int cap;
} cap_names[] = {
	{ "chown", 0 },		     { "dac_override", 1 },	  { "dac_read_search", 2 },
	{ "fowner", 3 },	     { "fsetid", 4 },		  { "kill", 5 },
	{ "setgid", 6 },	     { "setuid", 7 },		  { "setpcap", 8 },
	{ "linux_immutable", 9 },    { "net_bind_service", 10 },  { "net_broadcast", 11 },
	{ "net_admin", 12 },	     { "net_raw", 13 },		  { "ipc_lock", 14 },
	{ "ipc_owner", 15 },	     { "sys_module", 16 },	  { "sys_rawio", 17 },
	{ "sys_chroot", 18 },	     { "sys_ptrace", 19 },	  { "sys_pacct", 20 },
	{ "sys_admin", 21 },	     { "sys_boot", 22 },	  { "sys_nice", 23 },
	{ "sys_resource", 24 },	     { "sys_time", 25 },	  { "sys_tty_config", 26 },
	{ "mknod", 27 },	     { "lease", 28 },		  { "audit_write", 29 },
	{ "audit_control", 30 },     { "setfcap", 31 },		  { "mac_override", 32 },
	{ "mac_admin", 33 },	     { "syslog", 34 },		  { "wake_alarm", 35 },
	{ "block_suspend", 36 },     { "audit_read", 37 },	  { "perfmon", 38 },
	{ "bpf", 39 },		     { "checkpoint_restore", 40 },
};

static void usage(FILE *f)
{
	fputs("usage: capexec --user UID[:GID] [--caps CAP[,CAP]...|--caps none] -- CMD [ARGS...]\n"
	      "\n"
	      "Run CMD as user UID (group GID, default UID; no supplementary groups)\n"
	      "with exactly the capabilities CAP... in its effective, permitted,\n"
	      "inheritable and ambient sets; none without --caps.  Run as root; UID\n"
	      "must not be 0 (root regains every capability at exec).\n"
	      "\n"
	      "  --user UID[:GID]  numeric user (and group) id\n"
	      "  --caps LIST       comma-separated capability names as in capabilities(7),\n"
	      "                    with or without cap_, any case (sys_admin,CAP_NET_ADMIN),\n"
	      "                    or numbers; 'none' for no capability\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: CMD's; 125 when capexec fails, 126 when CMD cannot be\n"
	      "executed, 127 when CMD is not found.\n"
	      "\n"
	      "Example: capexec --user 65534 --caps net_admin -- tsmctl connect 0000:01:00.0\n",
	      f);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("capexec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(125);
}

static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int n = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n;
}

static int parse_cap(const char *s)
{
	char name[64];
	size_t i;
	char *end;

	if (isdigit((unsigned char)s[0])) {
		long v;

		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || *end || v < 0 || v > 63)
			die("--caps: '%s' is not a capability number", s);
		return (int)v;
	}
	if (strncasecmp(s, "cap_", 4) == 0)
		s += 4;
	if (strlen(s) >= sizeof(name))
		die("--caps: unknown capability '%s'", s);
	for (i = 0; s[i]; i++)
		name[i] = (char)tolower((unsigned char)s[i]);
	name[i] = '\0';
	for (i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (strcmp(cap_names[i].name, name) == 0)
			return cap_names[i].cap;
	die("--caps: unknown capability '%s' (names as in capabilities(7), e.g. sys_admin, net_admin)", s);
}

static uint64_t parse_caps(const char *list)
{
	char *copy, *tok, *save = NULL;
	uint64_t mask = 0;
	int last = last_cap();

	if (strcasecmp(list, "none") == 0 || list[0] == '\0')
		return 0;
	copy = strdup(list);
	if (!copy)
		die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int cap = parse_cap(tok);

		if (cap > last)
			die("--caps: capability %s (%d) is not known to this kernel (last is %d)", tok, cap,
			    last);
		mask |= UINT64_C(1) << cap;
	}
	free(copy);
	return mask;
}

static unsigned long parse_id(const char *what, const char *s, const char *end)
{
	char buf[32];
	char *e;
	unsigned long v;
	size_t n = (size_t)(end - s);

	if (n == 0 || n >= sizeof(buf))
		die("--user: bad %s '%.*s' (expected a number)", what, (int)n, s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!isdigit((unsigned char)buf[0]))
		die("--user: bad %s '%s' (expected a number)", what, buf);
	errno = 0;
	v = strtoul(buf, &e, 10);
	if (errno || *e || v >= 0xffffffffUL)
		die("--user: bad %s '%s' (expected a number)", what, buf);
	return v;
}

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	const char *user = NULL, *caps = "none";
	uid_t uid;
	gid_t gid;
	uint64_t mask, got;
	int i, cap, last;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--user") == 0) {
			if (i + 1 >= argc)
				die("--user needs UID[:GID] (see --help)");
			user = argv[++i];
		} else if (strcmp(argv[i], "--caps") == 0) {
			if (i + 1 >= argc)
				die("--caps needs a list or 'none' (see --help)");
			caps = argv[++i];
		} else if (strncmp(argv[i], "--user=", 7) == 0) {
			user = argv[i] + 7;
		} else if (strncmp(argv[i], "--caps=", 7) == 0) {
			caps = argv[i] + 7;
		} else {
			die("unknown argument '%s' (see --help)", argv[i]);
		}
	}
	if (!user)
		die("--user UID[:GID] is required (see --help)");
	if (i >= argc)
		die("no command: capexec --user UID[:GID] [--caps LIST] -- CMD [ARGS...]");

	const char *colon = strchr(user, ':');

	uid = (uid_t)parse_id("UID", user, colon ? colon : user + strlen(user));
	gid = colon ? (gid_t)parse_id("GID", colon + 1, colon + 1 + strlen(colon + 1)) : (gid_t)uid;
	if (uid == 0)
		die("--user 0: give a non-root UID (root regains every capability at exec)");
	mask = parse_caps(caps);

	/* keep the permitted set across the UID change */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		die("prctl(PR_SET_KEEPCAPS): %s", strerror(errno));
	if (setgroups(0, NULL))
		die("setgroups(0): %s (run capexec as root)", strerror(errno));
	if (setresgid(gid, gid, gid))
		die("setresgid(%u): %s (run capexec as root)", (unsigned)gid, strerror(errno));
	if (setresuid(uid, uid, uid))
		die("setresuid(%u): %s (run capexec as root)", (unsigned)uid, strerror(errno));

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = data[0].inheritable = (uint32_t)mask;
	data[1].effective = data[1].permitted = data[1].inheritable = (uint32_t)(mask >> 32);
	if (syscall(SYS_capset, &hdr, data))
		die("capset(0x%llx): %s (capexec must start with these capabilities)",
		    (unsigned long long)mask, strerror(errno));

	/* the ambient set carries them across execve of an ordinary file */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		die("prctl(PR_CAP_AMBIENT_CLEAR_ALL): %s", strerror(errno));
	last = last_cap();
	for (cap = 0; cap <= last && cap < 64; cap++) {
		if (!(mask & (UINT64_C(1) << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0))
			die("prctl(PR_CAP_AMBIENT_RAISE, %d): %s", cap, strerror(errno));
	}

	/* check what we got, so a silent kernel refusal cannot pass as a drop */
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		die("capget: %s", strerror(errno));
	got = data[0].effective | ((uint64_t)data[1].effective << 32);
	if (got != mask || (data[0].permitted | ((uint64_t)data[1].permitted << 32)) != mask ||
	    (data[0].inheritable | ((uint64_t)data[1].inheritable << 32)) != mask)
		die("capabilities are not what was asked: effective 0x%llx, wanted 0x%llx",
		    (unsigned long long)got, (unsigned long long)mask);
	for (cap = 0; cap <= last && cap < 64; cap++) {
		int set = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);

		if (set < 0)
			die("prctl(PR_CAP_AMBIENT_IS_SET, %d): %s", cap, strerror(errno));
		if (!!set != !!(mask & (UINT64_C(1) << cap)))
			die("ambient capability %d is %s, wanted %s", cap, set ? "set" : "clear",
			    set ? "clear" : "set");
	}
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
		die("still uid %u/%u gid %u/%u after setresuid/setresgid", (unsigned)getuid(),
		    (unsigned)geteuid(), (unsigned)getgid(), (unsigned)getegid());

	execvp(argv[i], argv + i);
	fprintf(stderr, "capexec: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
