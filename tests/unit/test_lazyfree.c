/* test_lazyfree.c -- criterion tests for lazyfree.c, the background free thread.
 *
 * Owns: the worker each test starts (every test is its own process, so the
 * counters start at zero). The stress tests free thousands of values from
 * this thread, playing the loop, while the worker frees the big ones, and
 * check the counters against what was queued while both run. Built with
 * -DVIGIL_TSAN=ON this file is the race check of the worker: ctest fails
 * on any ThreadSanitizer report. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dict.h"
#include "kv.h"
#include "lazyfree.h"
#include "kv.h"
#include "object.h"
#include "quicklist.h"
#include "vg_alloc.h"

#define ITEM_LEN 100    /* bytes per list item */
#define BIG_ITEMS 800   /* items of a big list: ~80 KB, past the 64 KB worth a thread hop */
#define SMALL_ITEMS 4   /* items of a small list: freed on the spot */
#define BIG_VALUES 300  /* big lists the stress test queues */
#define SMALL_PER_BIG 8 /* small values freed inline between two big ones */

static void stop_worker(void) {
    lazyfree_stop();
}

TestSuite(lazyfree, .fini = stop_worker);

/* Returns new: a list key with n items. */
static kv *list_kv(const char *prefix, int i, int n) {
    char key[48], item[ITEM_LEN];
    snprintf(key, sizeof(key), "%s:%d", prefix, i);
    memset(item, 'x', sizeof(item));
    quicklist *ql = ql_new(-2, 0);
    for (int j = 0; j < n; j++)
        ql_push(ql, QL_TAIL, item, sizeof(item));
    return kv_new_ptr(key, strlen(key), OBJ_LIST, OBJ_ENC_QUICKLIST, ql);
}

/* Returns new: a string key (EMBSTR or RAW by length). */
static kv *string_kv(int i, size_t vlen) {
    char key[32], val[256];
    snprintf(key, sizeof(key), "s:%d", i);
    memset(val, 'v', vlen);
    return kv_new_string(key, strlen(key), val, vlen);
}

/* While the worker runs, pending and freed are read under separate locks:
 * freed read after pending can only have grown, so the pair covers at
 * least everything queued, and freed never exceeds it. */
static void check_counters(long long queued) {
    long long pending = lazyfree_pending();
    long long freed = lazyfree_freed();
    cr_assert_geq(pending, 0);
    cr_assert_leq(freed, queued);
    cr_assert_geq(pending + freed, queued, "pending %lld + freed %lld < queued %lld", pending,
                  freed, queued);
}

Test(lazyfree, big_values_go_to_the_worker_while_small_ones_free_inline) {
    lazyfree_start();
    size_t before = vg_used_memory();
    long long queued = 0;
    for (int i = 0; i < BIG_VALUES; i++) {
        kv *big = list_kv("big", i, BIG_ITEMS);
        cr_assert_gt(kv_memory(big), 64 * 1024);
        lazyfree_kv(big);
        queued++;
        for (int j = 0; j < SMALL_PER_BIG; j++) {
            lazyfree_kv(string_kv(j, (size_t)(j * 30) % 200));
            lazyfree_kv(list_kv("small", j, SMALL_ITEMS));
        }
        lazyfree_kv(NULL);
        check_counters(queued);
    }
    lazyfree_stop(); /* drains the queue before the worker exits */
    cr_assert_eq(lazyfree_pending(), 0);
    cr_assert_eq(lazyfree_freed(), queued, "only the big values count as lazily freed");
    cr_assert_eq(vg_used_memory(), before, "every value freed, job records included");
}

static const char *kv_key(const dict_node *n, size_t *len) {
    const kv *o = (const kv *)n;
    *len = o->keylen;
    return o->key;
}

static const dict_type kv_dict_type = {kv_key};

Test(lazyfree, dicts_are_freed_with_every_entry_and_counted_per_entry) {
    enum { DICTS = 40, KEYS = 300 };
    lazyfree_start();
    size_t before = vg_used_memory();
    long long queued = 0;
    for (int i = 0; i < DICTS; i++) {
        dict *d = vg_malloc(sizeof(*d));
        dict_init(d, &kv_dict_type);
        for (int k = 0; k < KEYS; k++) {
            kv *o = k % 10 ? string_kv(k, 60) : list_kv("in-dict", k, SMALL_ITEMS);
            dict_add(d, &o->node);
        }
        cr_assert_eq(dict_size(d), KEYS);
        lazyfree_dict(d);
        queued += KEYS;
        lazyfree_kv(list_kv("big", i, BIG_ITEMS));
        queued++;
        check_counters(queued);
    }
    lazyfree_stop();
    cr_assert_eq(lazyfree_pending(), 0);
    cr_assert_eq(lazyfree_freed(), queued);
    cr_assert_eq(vg_used_memory(), before);
}

Test(lazyfree, without_a_worker_everything_is_freed_at_once) {
    size_t before = vg_used_memory();
    lazyfree_kv(list_kv("big", 0, BIG_ITEMS));
    dict *d = vg_malloc(sizeof(*d));
    dict_init(d, &kv_dict_type);
    kv *o = string_kv(1, 10);
    dict_add(d, &o->node);
    lazyfree_dict(d);
    cr_assert_eq(lazyfree_pending(), 0);
    cr_assert_eq(lazyfree_freed(), 0, "nothing went through the worker");
    cr_assert_eq(vg_used_memory(), before);
}

Test(lazyfree, restarting_the_worker_keeps_counting) {
    enum { ROUNDS = 25, PER_ROUND = 6 };
    size_t before = vg_used_memory();
    long long queued = 0;
    for (int r = 0; r < ROUNDS; r++) {
        lazyfree_start();
        lazyfree_start(); /* a second start is a no-op, not a second worker */
        for (int i = 0; i < PER_ROUND; i++) {
            lazyfree_kv(list_kv("big", i, BIG_ITEMS));
            queued++;
            check_counters(queued);
        }
        lazyfree_stop();
        cr_assert_eq(lazyfree_pending(), 0);
        cr_assert_eq(lazyfree_freed(), queued, "round %d", r);
        lazyfree_stop(); /* stopping twice is harmless */
    }
    cr_assert_eq(vg_used_memory(), before);
}
