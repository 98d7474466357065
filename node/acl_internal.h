/* acl_internal.h -- what acl.c gives the ACL command (cmd_acl.c) only.
 *
 * Owns: nothing; users, their rules and the ACL LOG live in acl.c. These
 * are the pieces ACL SETUSER/GETUSER/DELUSER/LIST/LOG/LOAD need beyond the
 * interface every other module uses (acl.h), plus acl_load_file, which
 * cmd_acl.c gives acl.c for start-up. */
#ifndef VIGIL_NODE_ACL_INTERNAL_H
#define VIGIL_NODE_ACL_INTERNAL_H

#include <stdbool.h>

#include "acl.h"
#include "buf.h"
#include "client.h"

/* ACL SETUSER name rule...: apply rules to a copy, commit only if all pass. */
int acl_setuser_args(const char *name, size_t nlen, const vg_slice *args, int nargs, vg_error *err);
/* The user as an ACL LIST / aclfile line ("user alice on #... ~* +@all"). */
void acl_describe_user(const acl_user *u, buf *out);
/* ACL GETUSER's map for u. */
void acl_reply_getuser(client *c, const acl_user *u);
/* Every user: acl_user_at(0 .. acl_user_count() - 1), NULL out of range. */
int acl_user_count(void);
acl_user *acl_user_at(int i);
/* Remove a user (not default) and close its clients; false if none. */
bool acl_deluser(const char *name, size_t len);
/* Replace all users with those of an ACL file's lines; all or nothing. */
int acl_load_lines(const char *text, const char *path, vg_error *err);
/* Read the aclfile and replace all users (used at start-up too).
 * Defined in cmd_acl.c, next to ACL SAVE. */
int acl_load_file(vg_error *err);
/* ACL LOG [count] and ACL LOG RESET. */
void acl_log_reply(client *c, long long count);
void acl_log_reset(void);

#endif
