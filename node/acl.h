/* acl.h -- users, their rules, and permission checks (Redis 7 ACL).
 *
 * Owns: every acl_user (name, on/off, SHA-256 passwords, selectors). The
 * root selector and any "(...)" selectors each hold a command bitmap,
 * key patterns with R/W flags and channel patterns; a command is allowed
 * when one selector allows the command, all its keys and all its channels.
 * Clients borrow their user; deleting a user closes its clients first. */
#ifndef VIGIL_NODE_ACL_H
#define VIGIL_NODE_ACL_H

#include <stdbool.h>

#include "buf.h"
#include "client.h"
#include "command.h"

typedef struct acl_user acl_user;

enum acl_denied { ACL_OK = 0, ACL_DENIED_CMD, ACL_DENIED_KEY, ACL_DENIED_CHANNEL, ACL_DENIED_AUTH };

void acl_init(void);
/* Start-up: default user, requirepass, `user` config lines, then the aclfile. */
int acl_start(vg_error *err);
void acl_free_all(void);
acl_user *acl_default_user(void);
acl_user *acl_find(const char *name, size_t len);
const char *acl_user_name(const acl_user *u);
/* The default user accepts connections without AUTH. */
bool acl_default_is_open(void);

/* Apply a space-separated rule string (from config `user` lines): "alice on >pw ~* +@all". */
int acl_setuser_line(const char *line, vg_error *err);
/* requirepass maps onto the default user. */
void acl_set_requirepass(const char *pass);

/* AUTH/HELLO: check user/password (constant time); on success binds c to the user. */
bool acl_authenticate(client *c, const char *user, size_t ulen, const char *pass, size_t plen);
/* Dispatch: may c run cmd with c->argv? On denial replies NOPERM, logs, returns false.
 * context is the ACL LOG context: "toplevel" (logged as "multi" while c is in MULTI) or
 * "multi". */
bool acl_check_command(client *c, const command *cmd, const char *context);
/* The same check, logging a denial but replying nothing: ACL_OK or the ACL_DENIED_* reason
 * (EXEC words its own reply). */
int acl_check_log(client *c, const command *cmd, const char *context);
/* The NOPERM text for denial reason r (an ACL_DENIED_*) of cmd. */
void acl_denial_text(int r, const command *cmd, vg_error *out);
/* Pure check without side effects; *obj gets the argv index of the
 * offending key or channel (or -1). */
int acl_user_allows(const acl_user *u, const command *cmd, const vg_slice *argv, int argc,
                    int *obj);
/* Client's user was deleted or changed: clients bound to u are closed. */
void acl_kill_clients_of(const acl_user *u);

#endif
