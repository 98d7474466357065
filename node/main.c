/* main.c -- vigil-node entry point: arguments in, exit code out.
 *
 * Owns: nothing; everything lives in the node core (node.c) so tests link it. */
#include <stdio.h>
#include <string.h>

#include "node.h"
#include "server.h"

int main(int argc, char **argv) {
    if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
        printf("vigil-node v=%s redis-compat=%s\n", VIGIL_VERSION, REDIS_COMPAT_VERSION);
        return 0;
    }
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: vigil-node [CONFIG.ini] [--name value ...]\n"
               "Parameters use Redis' names, e.g. vigil-node node.ini --port 7001\n");
        return 0;
    }
    vg_error err = {{0}};
    if (node_configure(argc, argv, &err) != VG_OK) {
        fprintf(stderr, "\n*** FATAL CONFIG ERROR ***\n%s\n", err.msg);
        return 1;
    }
    if (node_start(&err) != VG_OK) {
        fprintf(stderr, "%s\n", err.msg);
        node_teardown();
        return 1;
    }
    int code = node_run();
    node_teardown();
    return code;
}
