#!/bin/sh
# Installs what gpuwarden needs to build (and, with "test", to test; with "fuzz", to build and run
# the libFuzzer targets) on Debian/Ubuntu.
# Checks first with pkg-config / command -v; installs only what is missing.
set -eu

mode=${1:-build}

# pkg-config module -> Debian package
build_pkgs="ncursesw:libncurses-dev libcurl:libcurl4-openssl-dev libcjson:libcjson-dev libssh2:libssh2-1-dev"
test_pkgs="cmocka:libcmocka-dev"
# command -> Debian package
build_cmds="cc:gcc make:make pkg-config:pkg-config msgfmt:gettext"
test_cmds="python3:python3 tmux:tmux sshd:openssh-server ssh-keygen:openssh-client locale-gen:locales clang-tidy:clang-tidy cppcheck:cppcheck"

fuzz_cc=${FUZZ_CC:-clang}

missing=""
add() { case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac; }

check_cmds() {
    for pair in $1; do
        cmd=${pair%%:*}; pkg=${pair#*:}
        # sshd lives in /usr/sbin, which a normal user's PATH may lack
        command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || add "$pkg"
    done
}
check_mods() {
    command -v pkg-config >/dev/null 2>&1 || { for pair in $1; do add "${pair#*:}"; done; return 0; }
    for pair in $1; do
        pkg-config --exists "${pair%%:*}" || add "${pair#*:}"
    done
}

check_cmds "$build_cmds"
check_mods "$build_pkgs"
# libcurl needs the CA bundle to talk HTTPS to vast.ai; --no-install-recommends skips it
[ -e /etc/ssl/certs/ca-certificates.crt ] || add ca-certificates
if [ "$mode" = test ]; then
    check_cmds "$test_cmds"
    check_mods "$test_pkgs"
    # LeakSanitizer/ASan runtime ships with gcc; nothing more needed.
fi

# Whether clang links a libFuzzer target with the sanitizers `make fuzz` uses.
fuzz_links() {
    dir=$(mktemp -d) || return 1
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n%s\n' \
        '{ (void)d; (void)n; return 0; }' >"$dir/t.c"
    "$fuzz_cc" -fsanitize=fuzzer,address,undefined -o "$dir/t" "$dir/t.c" >/dev/null 2>&1
    rc=$?
    rm -rf "$dir"
    return $rc
}
if [ "$mode" = fuzz ]; then
    # Debian 12: libclang_rt.fuzzer (and the ASan/UBSan runtimes) are in libclang-rt-14-dev,
    # which clang only recommends, so --no-install-recommends leaves it out.
    if ! command -v "$fuzz_cc" >/dev/null 2>&1; then
        add clang
        add libclang-rt-dev
    elif ! fuzz_links; then
        add "libclang-rt-$("$fuzz_cc" -dumpversion | cut -d. -f1)-dev"
    fi
fi

# The Japanese dashboard test (tests/integration/test_tui_ja.py) needs the ja_JP.UTF-8 locale.
ja_locale() {
    locale -a 2>/dev/null | grep -qi '^ja_JP\.utf-\?8$' && return 0
    if [ "$(id -u)" -eq 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo"
    else
        echo "gpuwarden: the ja_JP.UTF-8 locale is missing (its test is skipped); as root:" >&2
        echo "gpuwarden:   enable ja_JP.UTF-8 in /etc/locale.gen and run locale-gen" >&2
        return 0
    fi
    echo "gpuwarden: generating the ja_JP.UTF-8 locale" >&2
    if [ -f /etc/locale.gen ] && grep -q '^# *ja_JP.UTF-8 UTF-8' /etc/locale.gen; then
        $sudo sed -i 's/^# *ja_JP.UTF-8 UTF-8/ja_JP.UTF-8 UTF-8/' /etc/locale.gen
    elif ! grep -q '^ja_JP.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
        echo 'ja_JP.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
    fi
    $sudo locale-gen >/dev/null
}

if [ -z "$missing" ]; then
    [ "$mode" = test ] && ja_locale
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "gpuwarden: missing packages:$missing" >&2
    echo "gpuwarden: install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "gpuwarden: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null

if [ "$mode" = fuzz ] && ! fuzz_links; then
    echo "gpuwarden: $fuzz_cc still cannot link a libFuzzer target (-fsanitize=fuzzer)" >&2
    exit 1
fi
[ "$mode" = test ] && ja_locale
exit 0
