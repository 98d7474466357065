/* fork_child.c -- the first steps of a forked child (see fork_child.h).
 *
 * Owns: nothing after it returns. Linux only for the death signal; where
 * prctl is missing the child still checks that its parent lives. */
#include "fork_child.h"

#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

void fork_child_setup(pid_t parent) {
    /* libuv's handlers would tell the parent's loop about our signals. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* die with the node, as Redis' children stop */
#endif
    if (getppid() != parent) _exit(1); /* it died before prctl took effect */
}
