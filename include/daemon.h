/*
 * daemon.h - chansyncd's life: start-up checks, the main loop (signals
 * through signalfd, the cycle schedule with jitter, the control socket,
 * the watchdog), reload between cycles, graceful stop.
 *
 * One thread, one loop. Nothing blocks the loop longer than half the
 * watchdog interval: a cycle runs in the loop's thread but calls back
 * between units of work, where signals are read and the watchdog fed.
 */
#ifndef CHANSYNC_DAEMON_H
#define CHANSYNC_DAEMON_H

#include "config/config.h"

struct daemon_opts {
	const char *config_path;
	struct config *cfg;	/* loaded and valid; stolen */
	int once;		/* run one cycle and exit with its status */
	int dry_run;		/* --dry-run: no CRM writes */
	int sfd;		/* signalfd for the signals main() blocked */
};

/* Runs the daemon; returns the process exit status (sysexits). */
int daemon_run(struct daemon_opts *o);

#endif
