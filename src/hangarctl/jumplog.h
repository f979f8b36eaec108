/*
 * jumplog.h -- hangarctl jump-log (jumplog.c): the bastion log forwarder.
 */
#ifndef HG_JUMPLOG_H
#define HG_JUMPLOG_H

/* hangarctl jump-log ship ...: argv[0] is "jump-log"; an exit status. */
int	jumplog_main(int argc, char **argv);

#endif
