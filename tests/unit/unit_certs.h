/* unit_certs.h -- throwaway TLS certificates for unit tests.
 *
 * Owns: the directory tls-unit-certs in the test's working directory (the
 * build directory under ctest), made once by cluster-configs/gen-certs.sh
 * into a temporary directory renamed into place whole, so a half-made set
 * is never used and a concurrent test process simply loses the rename. */
#ifndef VIGIL_TESTS_UNIT_CERTS_H
#define VIGIL_TESTS_UNIT_CERTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Fill dir with the certificate directory. false when it cannot be made. */
static bool unit_certs(char *dir, size_t cap) {
    char root[512];
    snprintf(root, sizeof(root), "%s", __FILE__);
    char *cut = strstr(root, "/tests/unit/");
    if (cut == NULL) return false;
    *cut = '\0';
    char cwd[400];
    if (getcwd(cwd, sizeof(cwd)) == NULL) return false;
    snprintf(dir, cap, "%s/tls-unit-certs", cwd);
    char probe[600];
    snprintf(probe, sizeof(probe), "%s/client.crt", dir);
    if (access(probe, R_OK) == 0) return true;
    char tmp[512];
    snprintf(tmp, sizeof(tmp), "%s/tls-unit-certs.XXXXXX", cwd);
    if (mkdtemp(tmp) == NULL) return false;
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "sh '%s/cluster-configs/gen-certs.sh' '%s' >/dev/null", root, tmp);
    if (system(cmd) != 0) return false;
    if (rename(tmp, dir) != 0) { /* another test process won the race */
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmp);
    }
    return access(probe, R_OK) == 0;
}

#endif
