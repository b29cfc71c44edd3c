/*
 * ctl.h - chansyncctl's commands: status, sync, reload, quarantine,
 * registrations, audit, audit verify. Human tables by default, --json
 * for machines. Reads the database read-only; talks to the daemon
 * through signals and the control socket (lib/control_socket.h).
 */
#ifndef CHANSYNC_CTL_H
#define CHANSYNC_CTL_H

/* Runs chansyncctl with its arguments; returns the exit status. */
int ctl_main(int argc, char **argv);

#endif
