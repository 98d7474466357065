/* test_command.c -- unit tests for command.c's per-call argument marks.
 *
 * A handler marks secrets with command_redact_arg; SLOWLOG and MONITOR
 * read the marks after it returns. The marks belong to one call: a nested
 * call (EXEC running its queue) starts clean and the outer marks survive. */
#include <criterion/criterion.h>

#include <string.h>

#include "command.h"

static vg_slice outer_argv[3] = {{"auth", 4}, {"carol", 5}, {"pw", 2}};
static vg_slice inner_argv[2] = {{"echo", 4}, {"x", 1}};
static bool inner_saw_marks, outer_kept_mark;

static void inner_proc(client *c) {
    inner_saw_marks = command_arg_redacted(c, 0) || command_arg_redacted(c, 1);
    command_redact_arg(c, 1);
}

static command inner_cmd = {.name = "inner", .proc = inner_proc, .arity = 2};

static void outer_proc(client *c) {
    command_redact_arg(c, 2);
    vg_slice *argv = c->argv;
    int argc = c->argc;
    c->argv = inner_argv;
    c->argc = 2;
    command_call(c, &inner_cmd);
    c->argv = argv;
    c->argc = argc;
    outer_kept_mark = command_arg_redacted(c, 2) && !command_arg_redacted(c, 1);
}

static command outer_cmd = {.name = "outer", .proc = outer_proc, .arity = 3};

static void marking_proc(client *c) {
    command_redact_arg(c, 1);
    command_redact_arg(c, 1); /* twice is the same as once */
    cr_assert(command_arg_redacted(c, 1));
    cr_assert(!command_arg_redacted(c, 0));
    cr_assert(!command_arg_redacted(c, 2));
}

static command marking_cmd = {.name = "marking", .proc = marking_proc, .arity = 3};

static client *new_client(void) {
    static client c;
    memset(&c, 0, sizeof(c));
    c.argv = outer_argv;
    c.argc = 3;
    return &c;
}

Test(command, marks_last_only_for_the_call) {
    command_table_init();
    client *c = new_client();
    cr_assert(!command_arg_redacted(c, 1));
    command_call(c, &marking_cmd);
    cr_assert(c->redacted == NULL);
    cr_assert(!command_arg_redacted(c, 1));
}

Test(command, nested_call_starts_clean_and_outer_marks_survive) {
    command_table_init();
    client *c = new_client();
    command_call(c, &outer_cmd);
    cr_assert(!inner_saw_marks);
    cr_assert(outer_kept_mark);
    cr_assert(c->redacted == NULL);
}

/* ---- lookup by name (the hash index over the sorted table) ---- */

Test(command, lookup_finds_every_command_in_any_case) {
    command_table_init();
    cr_assert_gt(command_count(), 0);
    for (size_t i = 0; i < command_count(); i++) {
        command *cmd = command_at(i);
        char upper[64], mixed[64];
        size_t n = strlen(cmd->name);
        cr_assert_lt(n, sizeof(upper));
        for (size_t j = 0; j < n; j++) {
            char ch = cmd->name[j];
            upper[j] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
            mixed[j] = j % 2 ? upper[j] : ch;
        }
        cr_expect_eq(command_lookup(cmd->name, n), cmd, "%s", cmd->name);
        cr_expect_eq(command_lookup(upper, n), cmd, "%s upper case", cmd->name);
        cr_expect_eq(command_lookup(mixed, n), cmd, "%s mixed case", cmd->name);
        cr_expect_neq(command_lookup(cmd->name, n - 1), cmd, "%s prefix", cmd->name);
    }
}

Test(command, lookup_refuses_what_is_no_command) {
    command_table_init();
    cr_assert_gt(command_count(), 0);
    command *first = command_at(0);
    size_t n = strlen(first->name);
    char longer[80];
    snprintf(longer, sizeof(longer), "%sx", first->name);
    cr_expect_null(command_lookup(longer, n + 1));
    char with_nul[80];
    memcpy(with_nul, first->name, n);
    with_nul[n] = '\0';
    with_nul[n + 1] = 'x';
    cr_expect_null(command_lookup(with_nul, n + 2));
    cr_expect_null(command_lookup("", 0));
    cr_expect_null(command_lookup("no-such-command", 15));
    char huge[4096];
    memset(huge, 'a', sizeof(huge));
    cr_expect_null(command_lookup(huge, sizeof(huge)));
}
