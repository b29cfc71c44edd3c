/*
 * chansyncctl.c - entry point of the operator's tool; see ctl.c.
 */
#include "ctl/ctl.h"

int
main(int argc, char **argv)
{
	return ctl_main(argc, argv);
}
