/* runner.c -- main() for the unit tests in the ThreadSanitizer build.
 *
 * Owns: the list of registered tests and suites, and one forked child per
 * test. See criterion.h for why criterion itself cannot run under TSan.
 * The output mimics criterion's ("[FAIL] suite::name", a closing
 * "Synthesis" line) and the exit status is 0 only when every test passed.
 * A child that dies from a signal, exits non-zero (TSan exits 66 after a
 * report) or trips its timeout counts as a crash. */
#include <criterion/criterion.h>

#include <setjmp.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

static crlite_test *tests;   /* sorted by suite, then name */
static crlite_suite *suites; /* registration order */
static jmp_buf test_abort;   /* a fatal check jumps back to the child's runner */
static int check_failures;   /* failed checks in this (child) process */

void crlite_add_test(crlite_test *t) {
    crlite_test **at = &tests;
    while (*at) {
        int c = strcmp((*at)->suite, t->suite);
        if (c > 0 || (c == 0 && strcmp((*at)->name, t->name) > 0)) break;
        at = &(*at)->next;
    }
    t->next = *at;
    *at = t;
}

void crlite_add_suite(crlite_suite *s) {
    s->next = suites;
    suites = s;
}

void crlite_fail(const char *file, int line, const char *expr, bool fatal, const char *fmt, ...) {
    fprintf(stderr, "[----] %s:%d: Assertion failed: %s", file, line, expr);
    if (fmt[0]) {
        va_list ap;
        va_start(ap, fmt);
        fputs(": ", stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    check_failures++;
    if (fatal) longjmp(test_abort, 1);
}

/* The test's options, with the unset ones taken from its suite. */
static crlite_opts options_of(const crlite_test *t) {
    crlite_opts o = t->opts;
    for (const crlite_suite *s = suites; s; s = s->next) {
        if (strcmp(s->name, t->suite) != 0) continue;
        if (o.init == NULL) o.init = s->opts.init;
        if (o.fini == NULL) o.fini = s->opts.fini;
        if (o.timeout == 0) o.timeout = s->opts.timeout;
    }
    return o;
}

/* In the child: init, body, fini (fini also after a failed fatal check). */
static int run_in_child(const crlite_test *t) {
    static crlite_opts o; /* static: survives the longjmp unclobbered */
    o = options_of(t);
    if (o.timeout > 0) alarm((unsigned)o.timeout + 1);
    if (setjmp(test_abort) == 0) {
        if (o.init) o.init();
        t->fn();
    }
    if (o.fini && setjmp(test_abort) == 0) o.fini();
    return check_failures ? 1 : 0;
}

/* Runs t in a forked child. Returns 0 passed, 1 failed, 2 crashed. */
static int run_one(const crlite_test *t) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) exit(run_in_child(t)); /* exit, not _exit: sanitizers report at exit */
    int status;
    while (waitpid(pid, &status, 0) < 0) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        fprintf(stderr, "[FAIL] %s::%s\n", t->suite, t->name);
        return 1;
    }
    if (WIFSIGNALED(status))
        fprintf(stderr, "[FAIL] %s::%s: CRASH (signal %d)\n", t->suite, t->name, WTERMSIG(status));
    else
        fprintf(stderr, "[FAIL] %s::%s: CRASH (exit status %d)\n", t->suite, t->name,
                WEXITSTATUS(status));
    return 2;
}

int main(int argc, char **argv) {
    /* ctest passes criterion's "--jobs 1"; tests run one at a time anyway. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
            i++;
        } else if (strncmp(argv[i], "-j", 2) != 0) {
            fprintf(stderr, "%s: unsupported option %s (TSan test runner)\n", argv[0], argv[i]);
            return 2;
        }
    }
    int counts[3] = {0, 0, 0}, total = 0;
    for (const crlite_test *t = tests; t; t = t->next) {
        counts[run_one(t)]++;
        total++;
    }
    fprintf(stderr, "[====] Synthesis: Tested: %d | Passing: %d | Failing: %d | Crashing: %d\n",
            total, counts[0], counts[1], counts[2]);
    return total > 0 && counts[0] == total ? 0 : 1;
}
