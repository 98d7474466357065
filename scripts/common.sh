# shellcheck shell=bash
# common.sh -- helpers shared by scripts/test.sh and scripts/run.sh.
#
# Owns: the list of Debian packages a build needs, the "install what is
# missing" policy and the one way we configure and build. Sourced, never run:
# it defines functions and variables and changes no state until called.
#
# Install policy: a package counts as present when dpkg says "install ok
# installed". As root, missing packages are installed with apt-get (one
# `apt-get update` first); when nothing is missing apt is not touched at all.
# As another user, we print the apt-get line to run and fail.

# Packages every build and test run needs (read by the scripts sourcing us).
# shellcheck disable=SC2034
VIGIL_BUILD_PKGS=(gcc libc6-dev make cmake pkg-config libuv1-dev libssl-dev libinih-dev)
VIGIL_TEST_PKGS=(libcriterion-dev python3 python3-redis python3-pytest redis-tools redis-server
    clang-format)
# Wanted but not required: fuzzing needs clang and its sanitizer/fuzzer
# runtime (a Recommends of clang that --no-install-recommends would skip).
# shellcheck disable=SC2034
VIGIL_FUZZ_PKGS=(clang)

vg_log() {
    printf '==> %s\n' "$*" >&2
}

# Print the packages among "$@" that dpkg does not report as installed.
vg_missing_pkgs() {
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
            printf '%s\n' "$p"
        fi
    done
}

# vg_ensure_pkgs REQUIRED... [-- OPTIONAL...]
# Installs what is missing (as root) or explains what to install (otherwise).
# Returns non-zero when a required package is missing and cannot be
# installed; a missing optional package only earns a warning.
vg_ensure_pkgs() {
    local required=() optional=() seen_sep=0 p
    for p in "$@"; do
        if [ "$p" = "--" ]; then
            seen_sep=1
        elif [ "$seen_sep" = 1 ]; then
            optional+=("$p")
        else
            required+=("$p")
        fi
    done
    if ! command -v dpkg-query >/dev/null 2>&1; then
        vg_log "not a Debian system (no dpkg-query): make sure these are installed: ${required[*]} ${optional[*]}"
        return 0
    fi
    local missing_req missing_opt
    mapfile -t missing_req < <(vg_missing_pkgs "${required[@]}")
    mapfile -t missing_opt < <(vg_missing_pkgs "${optional[@]}")
    if [ "${#missing_req[@]}" -eq 0 ] && [ "${#missing_opt[@]}" -eq 0 ]; then
        return 0
    fi
    local all=("${missing_req[@]}" "${missing_opt[@]}")
    if [ "$(id -u)" -ne 0 ]; then
        if [ "${#missing_req[@]}" -gt 0 ]; then
            vg_log "missing packages: ${missing_req[*]}"
            vg_log "install them with: sudo apt-get install -y ${all[*]}"
            return 1
        fi
        vg_log "optional packages missing (some steps will be skipped): ${missing_opt[*]}"
        vg_log "install them with: sudo apt-get install -y ${missing_opt[*]}"
        return 0
    fi
    vg_apt_install "${all[@]}"
}

VG_APT_UPDATED=0

# vg_apt_install PKG... -- as root: `apt-get update` (once per run), then install.
vg_apt_install() {
    vg_log "installing: $*"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$VG_APT_UPDATED" = 0 ]; then
        apt-get update -qq || return 1
        VG_APT_UPDATED=1
    fi
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# True when clang can link a libFuzzer target here.
vg_can_fuzz() {
    command -v clang >/dev/null 2>&1 || return 1
    local tmp rc
    tmp=$(mktemp -d) || return 1
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$tmp/probe.c"
    clang -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" >/dev/null 2>&1
    rc=$?
    rm -rf "$tmp"
    return "$rc"
}

# After clang is present, make sure its libFuzzer runtime is too: Debian 12
# ships it in libclang-rt-<major>-dev, a Recommends of clang.
vg_ensure_fuzzer_runtime() {
    command -v clang >/dev/null 2>&1 || return 0
    vg_can_fuzz && return 0
    local major rt
    major=$(clang --version | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -n1)
    rt="libclang-rt-$major-dev"
    if [ -z "$major" ] || ! command -v dpkg-query >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        vg_log "fuzzing needs clang's libFuzzer runtime: sudo apt-get install -y $rt"
        return 0
    fi
    vg_apt_install "$rt" || vg_log "could not install $rt; fuzzing will be skipped"
}

# vg_build DIR [CMAKE-ARGS...] -- configure (once) and build DIR from the repo.
vg_build() {
    local dir=$1
    shift
    cmake -S "$VIGIL_ROOT" -B "$dir" "$@" >/dev/null &&
        cmake --build "$dir" --parallel "$(nproc)"
}
