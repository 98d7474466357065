/* test_quicklist.c -- criterion tests for the list value structure.
 *
 * Covers pushes and pops at both ends, indexing, replace, insert next to a
 * pivot, range deletion, iteration in both directions with deletion, node
 * limits for every fill setting, and deep copies. A plain array model
 * checks every result. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "quicklist.h"

/* The model: strings in order. */
#define MODEL_MAX 20000
static char *model[MODEL_MAX];
static size_t model_len;

static void model_reset(void) {
    for (size_t i = 0; i < model_len; i++)
        free(model[i]);
    model_len = 0;
}

static void model_insert(size_t at, const char *s) {
    memmove(model + at + 1, model + at, (model_len - at) * sizeof(char *));
    model[at] = strdup(s);
    model_len++;
}

static void model_delete(size_t at, size_t n) {
    for (size_t i = at; i < at + n; i++)
        free(model[i]);
    memmove(model + at, model + at + n, (model_len - at - n) * sizeof(char *));
    model_len -= n;
}

/* Check count, node invariants and every entry against the model. */
static void check(quicklist *ql) {
    cr_assert_eq(ql_count(ql), model_len);
    size_t total = 0, nodes = 0;
    for (ql_node *n = ql->head; n; n = n->next) {
        cr_assert(n->count > 0, "empty node");
        cr_assert_eq(lp_length(n->lp), n->count);
        if (n->next)
            cr_assert_eq(n->next->prev, n);
        else
            cr_assert_eq(ql->tail, n);
        total += n->count;
        nodes++;
    }
    cr_assert_eq(total, model_len);
    cr_assert_eq(nodes, ql->len);
    ql_iter it;
    ql_entry e;
    size_t i = 0;
    ql_iter_init(&it, ql, QL_HEAD, 0);
    while (ql_next(&it, &e)) {
        cr_assert_eq(e.index, (long long)i);
        cr_assert_eq(e.len, strlen(model[i]));
        cr_assert(memcmp(e.s, model[i], e.len) == 0, "entry %zu: %.*s != %s", i, (int)e.len, e.s,
                  model[i]);
        i++;
    }
    cr_assert_eq(i, model_len);
    ql_iter_init(&it, ql, QL_TAIL, -1);
    while (ql_next(&it, &e)) {
        i--;
        cr_assert_eq(e.index, (long long)i);
        cr_assert(memcmp(e.s, model[i], e.len) == 0);
    }
    cr_assert_eq(i, 0);
}

static void fill_with(quicklist *ql, int n) {
    char tmp[32];
    for (int i = 0; i < n; i++) {
        snprintf(tmp, sizeof(tmp), i % 3 ? "v%d" : "%d", i);
        ql_push(ql, QL_TAIL, tmp, strlen(tmp));
        model_insert(model_len, tmp);
    }
}

Test(quicklist, push_pop_both_ends) {
    model_reset();
    quicklist *ql = ql_new(-2, 0);
    ql_push(ql, QL_TAIL, "b", 1);
    ql_push(ql, QL_HEAD, "a", 1);
    ql_push(ql, QL_TAIL, "123", 3);
    model_insert(0, "a");
    model_insert(1, "b");
    model_insert(2, "123");
    check(ql);
    buf out;
    buf_init(&out);
    cr_assert(ql_pop(ql, QL_TAIL, &out));
    cr_assert_str_eq(out.data, "123");
    cr_assert(ql_pop(ql, QL_HEAD, &out));
    cr_assert_str_eq(out.data, "a");
    cr_assert(ql_pop(ql, QL_HEAD, &out));
    cr_assert_str_eq(out.data, "b");
    cr_assert_not(ql_pop(ql, QL_HEAD, &out));
    cr_assert_eq(ql->len, 0);
    cr_assert_null(ql->head);
    cr_assert_null(ql->tail);
    buf_free(&out);
    ql_free(ql);
    model_reset();
}

Test(quicklist, binary_and_integer_text_round_trip) {
    model_reset();
    quicklist *ql = ql_new(-2, 0);
    const char *vals[] = {
        "0",  "-1",  "007", "9223372036854775807", "-9223372036854775808", "18446744073709551616",
        " 1", "1.5", ""};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        ql_push(ql, QL_TAIL, vals[i], strlen(vals[i]));
        model_insert(model_len, vals[i]);
    }
    ql_push(ql, QL_TAIL, "a\0b", 3);
    ql_entry e;
    cr_assert(ql_index(ql, -1, &e));
    cr_assert_eq(e.len, 3);
    cr_assert(memcmp(e.s, "a\0b", 3) == 0);
    cr_assert(ql_entry_eq(&e, "a\0b", 3));
    cr_assert_not(ql_entry_eq(&e, "a", 1));
    ql_del_range(ql, -1, 1);
    check(ql);
    ql_free(ql);
    model_reset();
}

Test(quicklist, node_limits_by_size_and_count) {
    cr_assert_eq(ql_node_size_limit(-1), 4096);
    cr_assert_eq(ql_node_size_limit(-2), 8192);
    cr_assert_eq(ql_node_size_limit(-5), 65536);
    cr_assert_eq(ql_node_size_limit(-100), 65536);
    cr_assert_eq(ql_node_size_limit(5), 8192);
    model_reset();
    quicklist *ql = ql_new(5, 0);
    fill_with(ql, 23);
    cr_assert_eq(ql->len, 5);
    for (ql_node *n = ql->head; n; n = n->next)
        cr_assert(n->count <= 5);
    check(ql);
    ql_free(ql);
    model_reset();
    ql = ql_new(-1, 0);
    char big[1000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (int i = 0; i < 20; i++) {
        ql_push(ql, QL_TAIL, big, strlen(big));
        model_insert(model_len, big);
    }
    for (ql_node *n = ql->head; n; n = n->next)
        cr_assert(lp_bytes(n->lp) <= 4096);
    cr_assert(ql->len >= 5);
    check(ql);
    ql_free(ql);
    model_reset();
}

Test(quicklist, element_larger_than_limit_gets_own_node) {
    model_reset();
    quicklist *ql = ql_new(-1, 0);
    static char huge[10000];
    memset(huge, 'h', sizeof(huge) - 1);
    ql_push(ql, QL_TAIL, "a", 1);
    ql_push(ql, QL_TAIL, huge, strlen(huge));
    ql_push(ql, QL_TAIL, "b", 1);
    model_insert(0, "a");
    model_insert(1, huge);
    model_insert(2, "b");
    cr_assert_eq(ql->len, 3);
    check(ql);
    ql_free(ql);
    model_reset();
}

Test(quicklist, index_positive_negative_and_out_of_range) {
    model_reset();
    quicklist *ql = ql_new(4, 0);
    fill_with(ql, 50);
    ql_entry e;
    for (long long i = 0; i < 50; i++) {
        cr_assert(ql_index(ql, i, &e));
        cr_assert(memcmp(e.s, model[i], e.len) == 0);
        cr_assert(ql_index(ql, i - 50, &e));
        cr_assert(memcmp(e.s, model[i], e.len) == 0);
        cr_assert_eq(e.index, i);
    }
    cr_assert_not(ql_index(ql, 50, &e));
    cr_assert_not(ql_index(ql, -51, &e));
    ql_free(ql);
    model_reset();
}

Test(quicklist, replace_splits_an_overfull_node) {
    model_reset();
    quicklist *ql = ql_new(-1, 0);
    fill_with(ql, 300);
    static char big[3000];
    memset(big, 'r', sizeof(big) - 1);
    for (long long i = 0; i < 300; i += 37) {
        cr_assert(ql_replace_at(ql, i, big, strlen(big)));
        free(model[i]);
        model[i] = strdup(big);
    }
    cr_assert(ql_replace_at(ql, -1, "last", 4));
    free(model[299]);
    model[299] = strdup("last");
    cr_assert_not(ql_replace_at(ql, 300, "x", 1));
    for (ql_node *n = ql->head; n; n = n->next)
        cr_assert(n->count == 1 || lp_bytes(n->lp) <= 4096);
    check(ql);
    ql_free(ql);
    model_reset();
}

Test(quicklist, insert_before_and_after_pivots) {
    model_reset();
    quicklist *ql = ql_new(3, 0);
    fill_with(ql, 9);
    ql_entry e;
    for (int round = 0; round < 200; round++) {
        long long at = (round * 7919) % (long long)model_len;
        bool after = round % 2;
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "ins%d", round);
        cr_assert(ql_index(ql, at, &e));
        ql_insert(ql, &e, after, tmp, strlen(tmp));
        model_insert((size_t)at + (after ? 1 : 0), tmp);
        for (ql_node *n = ql->head; n; n = n->next)
            cr_assert(n->count <= 3);
    }
    check(ql);
    ql_free(ql);
    model_reset();
}

Test(quicklist, delete_ranges_across_nodes) {
    model_reset();
    quicklist *ql = ql_new(4, 0);
    fill_with(ql, 100);
    cr_assert_eq(ql_del_range(ql, 3, 10), 10);
    model_delete(3, 10);
    check(ql);
    cr_assert_eq(ql_del_range(ql, -5, 100), 5);
    model_delete(model_len - 5, 5);
    check(ql);
    cr_assert_eq(ql_del_range(ql, 0, 1), 1);
    model_delete(0, 1);
    check(ql);
    cr_assert_eq(ql_del_range(ql, 1000, 3), 0);
    cr_assert_eq(ql_del_range(ql, 2, 0), 0);
    cr_assert_eq(ql_del_range(ql, 0, 1000), model_len);
    model_delete(0, model_len);
    check(ql);
    cr_assert_eq(ql->len, 0);
    ql_free(ql);
    model_reset();
}

Test(quicklist, iterate_and_delete_both_directions) {
    for (int dir = QL_HEAD; dir <= QL_TAIL; dir++) {
        model_reset();
        quicklist *ql = ql_new(3, 0);
        fill_with(ql, 40);
        ql_iter it;
        ql_entry e;
        ql_iter_init(&it, ql, dir, dir == QL_HEAD ? 0 : -1);
        int seen = 0;
        while (ql_next(&it, &e)) {
            seen++;
            if (e.s[0] == 'v') {
                model_delete((size_t)e.index, 1);
                ql_iter_delete(&it, &e);
            }
        }
        cr_assert_eq(seen, 40);
        check(ql);
        for (size_t i = 0; i < model_len; i++)
            cr_assert(model[i][0] != 'v');
        ql_free(ql);
    }
    model_reset();
}

Test(quicklist, iterator_from_middle) {
    model_reset();
    quicklist *ql = ql_new(-2, 0);
    fill_with(ql, 10);
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, ql, QL_TAIL, 4);
    int n = 0;
    while (ql_next(&it, &e))
        cr_assert_eq(e.index, 4 - n++);
    cr_assert_eq(n, 5);
    ql_iter_init(&it, ql, QL_HEAD, 10);
    cr_assert_not(ql_next(&it, &e));
    ql_free(ql);
    model_reset();
}

Test(quicklist, dup_is_deep_and_memory_counts) {
    model_reset();
    quicklist *ql = ql_new(-2, 0);
    fill_with(ql, 1000);
    quicklist *copy = ql_dup(ql);
    cr_assert(ql_memory(copy) > 1000);
    ql_del_range(ql, 0, 1000);
    cr_assert_eq(ql_count(ql), 0);
    check(copy);
    ql_free(copy);
    ql_free(ql);
    ql_free(NULL);
    model_reset();
}

Test(quicklist, random_operations_match_model) {
    model_reset();
    quicklist *ql = ql_new(5, 0);
    unsigned seed = 12345;
    buf out;
    buf_init(&out);
    char tmp[64];
    for (int step = 0; step < 5000; step++) {
        seed = seed * 1103515245 + 12345;
        unsigned op = (seed >> 16) % 6;
        snprintf(tmp, sizeof(tmp), (seed & 1) ? "%u" : "s%u", seed % 1000);
        if (op == 0 || model_len == 0) {
            ql_push(ql, QL_HEAD, tmp, strlen(tmp));
            model_insert(0, tmp);
        } else if (op == 1) {
            ql_push(ql, QL_TAIL, tmp, strlen(tmp));
            model_insert(model_len, tmp);
        } else if (op == 2) {
            cr_assert(ql_pop(ql, (seed >> 3) & 1 ? QL_HEAD : QL_TAIL, &out));
            model_delete((seed >> 3) & 1 ? 0 : model_len - 1, 1);
        } else if (op == 3) {
            ql_entry e;
            size_t at = (seed >> 4) % model_len;
            cr_assert(ql_index(ql, (long long)at, &e));
            ql_insert(ql, &e, (seed >> 5) & 1, tmp, strlen(tmp));
            model_insert(at + ((seed >> 5) & 1), tmp);
        } else if (op == 4) {
            size_t at = (seed >> 4) % model_len;
            size_t n = (seed >> 8) % 4;
            if (n > model_len - at) n = model_len - at;
            cr_assert_eq(ql_del_range(ql, (long long)at, n), n);
            model_delete(at, n);
        } else {
            size_t at = (seed >> 4) % model_len;
            cr_assert(ql_replace_at(ql, (long long)at, tmp, strlen(tmp)));
            free(model[at]);
            model[at] = strdup(tmp);
        }
        if (step % 250 == 0) check(ql);
    }
    check(ql);
    buf_free(&out);
    ql_free(ql);
    model_reset();
}
