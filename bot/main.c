/* SPDX-License-Identifier: MIT */
/*
 * dondoc: follow-up of a steering committee's tasks.  Everything happens
 * in cli.c; main only prepares the process.
 */
#include <locale.h>
#include <signal.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	/* One dropped reader of our output must not kill us mid-transaction. */
	signal(SIGPIPE, SIG_IGN);
	return cli_main(argc, argv);
}
