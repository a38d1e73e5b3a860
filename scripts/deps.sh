#!/bin/sh
# Installs every Debian package rebound's build, tests and benchmarks need.
# Idempotent: prints nothing and touches nothing when all are present.
set -eu

PACKAGES="
build-essential cmake pkg-config clang clang-format clang-tidy cppcheck
libclang-rt-14-dev
libssl-dev libevent-dev libc-ares-dev libsqlite3-dev sqlite3 libcmocka-dev
libgmime-3.0-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev libpsl-dev
libyaml-dev libspf2-dev
python3 python3-pytest python3-yaml python3-spf python3-dnspython libsisimai-perl python3-boto3 awscli
postfix postsrsd swaks nsd iproute2 procps
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix asks a debconf question; answer it so the install never blocks.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
echo "postfix postfix/mailname string rebound.invalid" | $SUDO debconf-set-selections
# Never let package installs start daemons (they would hold ports our tests use).
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    created_policy=1
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
[ "${created_policy:-0}" = 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
exit 0
