#!/bin/sh
# `make run`: starts rebound's SRS lookup service (rebound srsmap) in the foreground on
# loopback with a sample configuration in run/ (git-ignored) and a random secret generated on
# first use. Prints what to try first. Stop it with Ctrl-C (SIGINT) or SIGTERM.
set -eu
cd "$(dirname "$0")/.."
mkdir -p run
if [ ! -s run/srs.secret ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 > run/srs.secret)
fi
FORWARD_PORT=${REBOUND_TCP_FORWARD_PORT:-10001}
REVERSE_PORT=${REBOUND_TCP_REVERSE_PORT:-10002}
SOCKETMAP_PORT=${REBOUND_SOCKETMAP_PORT:-10003}
cat > run/rebound.conf <<CONF
# Sample configuration written by scripts/run.sh (make run); rewritten on every run.
log.level = info
srs.domain = srs.example.net
srs.secret_file = $(pwd)/run/srs.secret
# postsrsd 2.x protocol (Postfix socketmap)
srsmap.socketmap = inet:127.0.0.1:${SOCKETMAP_PORT}
# postsrsd 1.x protocol (Postfix tcp_table)
srsmap.tcp_forward = 127.0.0.1:${FORWARD_PORT}
srsmap.tcp_reverse = 127.0.0.1:${REVERSE_PORT}
# senders in these domains are never rewritten
srsmap.local_domains = example.com
CONF
mkdir -p run/postfix
: > run/postfix/main.cf
cat <<EOT
rebound srsmap is starting on 127.0.0.1 (configuration: run/rebound.conf).

Try it from another terminal with Postfix's own client (run/postfix is an empty Postfix
config directory, so /etc/postfix does not matter):

  postmap -c run/postfix -q user@example.org tcp:127.0.0.1:${FORWARD_PORT}
  postmap -c run/postfix -q user@example.org socketmap:inet:127.0.0.1:${SOCKETMAP_PORT}:forward
  postmap -c run/postfix -q "\$(postmap -c run/postfix -q user@example.org tcp:127.0.0.1:${FORWARD_PORT})" tcp:127.0.0.1:${REVERSE_PORT}
  postmap -c run/postfix -q user@example.com socketmap:inet:127.0.0.1:${SOCKETMAP_PORT}:forward; echo "exit \$?  (local domain: not rewritten)"

The first two print the SRS0 address, the third turns it back into user@example.org.
In Postfix's main.cf the same maps replace postsrsd with one line (see docs/srsmap.md):
  sender_canonical_maps = tcp:127.0.0.1:${FORWARD_PORT}        (was postsrsd 1.x)
  sender_canonical_maps = socketmap:inet:127.0.0.1:${SOCKETMAP_PORT}:forward   (was postsrsd 2.x)

Stop it with Ctrl-C.
EOT
exec build/rebound srsmap --config run/rebound.conf
