/* fork_child.h -- what every forked child (BGSAVE, BGREWRITEAOF) does first.
 *
 * Owns: the child's side of the fork contract. The child serialises and
 * _exits; it must neither answer the parent's signals through libuv's
 * handlers nor outlive its node: a child whose node was killed would keep
 * the node's listening sockets (a restart fails with "address already in
 * use") and could rename an old snapshot over a newer node's files. */
#ifndef VIGIL_NODE_FORK_CHILD_H
#define VIGIL_NODE_FORK_CHILD_H

#include <sys/types.h>

/* Call first in the child; parent is the node's pid taken before fork(). */
void fork_child_setup(pid_t parent);

#endif
