#!/bin/sh
# `make run`: starts `rebound serve` in the foreground on loopback with a sample configuration
# in run/ (git-ignored): a self-signed certificate, a random SRS secret, an SQLite store with
# one account ("demo", its SMTP credentials printed below) and a verified identity
# (example.com), SMTP submission with STARTTLS and implicit TLS, and the postsrsd-compatible
# SRS lookup service. Prints how to send a first message with swaks. Stop it with Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
mkdir -p run
RB=build/rebound
if [ ! -s run/srs.secret ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 > run/srs.secret)
fi
if [ ! -s run/cert.pem ] || [ ! -s run/key.pem ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
        -keyout run/key.pem -out run/cert.pem 2>/dev/null
    chmod 600 run/key.pem
fi
SUBMIT_PORT=${REBOUND_SUBMISSION_PORT:-10587}
SUBMIT_TLS_PORT=${REBOUND_SUBMISSION_TLS_PORT:-10465}
FORWARD_PORT=${REBOUND_TCP_FORWARD_PORT:-10001}
REVERSE_PORT=${REBOUND_TCP_REVERSE_PORT:-10002}
SOCKETMAP_PORT=${REBOUND_SOCKETMAP_PORT:-10003}
cat > run/rebound.conf <<CONF
# Sample configuration written by scripts/run.sh (make run); rewritten on every run.
# 'build/rebound check-config --example' documents every option.
log.level = info
store = sqlite:$(pwd)/run/rebound.db
smtp.hostname = localhost
# SMTP submission: STARTTLS (587 style) and implicit TLS (465 style)
submission.listen = 127.0.0.1:${SUBMIT_PORT}
submission.listen_tls = 127.0.0.1:${SUBMIT_TLS_PORT}
submission.tls_cert = $(pwd)/run/cert.pem
submission.tls_key = $(pwd)/run/key.pem
# return paths are rewritten (SRS0) into this bounce domain
srs.domain = bounce.example.net
srs.secret_file = $(pwd)/run/srs.secret
# postsrsd-compatible lookups for a Postfix relay (2.x socketmap, 1.x tcp_table)
srsmap.socketmap = inet:127.0.0.1:${SOCKETMAP_PORT}
srsmap.tcp_forward = 127.0.0.1:${FORWARD_PORT}
srsmap.tcp_reverse = 127.0.0.1:${REVERSE_PORT}
srsmap.local_domains = example.com
# The demo keeps accepted messages in the queue (see 'rebound message list'): a newcomer's
# machine should not start delivering to the Internet. Set yes to deliver (deliver.* options).
serve.delivery = no
CONF
# The demo account is made once; its password is shown only at creation, so it is kept in
# run/demo.credentials (mode 600) for the next runs.
if [ ! -s run/demo.credentials ] || ! "$RB" account show demo --config run/rebound.conf >/dev/null 2>&1; then
    rm -f run/demo.credentials
    (umask 077 && "$RB" account create demo --config run/rebound.conf > run/demo.credentials)
fi
USER=$(sed -n 's/^smtp username: //p' run/demo.credentials)
PASS=$(sed -n 's/^smtp password: //p' run/demo.credentials)
"$RB" identity add example.com --account demo --config run/rebound.conf >/dev/null 2>&1 || true
"$RB" identity verify --force example.com --config run/rebound.conf >/dev/null
cat <<EOT
rebound serve is starting on 127.0.0.1 (configuration: run/rebound.conf, store: run/rebound.db).

Account "demo" may send from example.com (identity verified with --force).
SMTP username: ${USER}
SMTP password: ${PASS}

Send a first message from another terminal (STARTTLS, AUTH PLAIN):

  swaks --server 127.0.0.1:${SUBMIT_PORT} --tls --auth PLAIN \\
        --auth-user ${USER} --auth-password='${PASS}' \\
        --from alice@example.com --to bob@example.org --helo localhost

The last reply is "250 2.0.0 Ok MESSAGE-ID". See what was stored (envelope, SRS return path,
message with rebound's Received: header):

  build/rebound message show MESSAGE-ID --config run/rebound.conf

Implicit TLS works the same on port ${SUBMIT_TLS_PORT} (swaks --tlsc). A sender outside
example.com gets "554 5.7.1 Message rejected: Email address is not verified ...".
SRS lookups for Postfix (see docs/srsmap.md), e.g.:

  postmap -c run/postfix -q user@example.org tcp:127.0.0.1:${FORWARD_PORT}

Stop it with Ctrl-C.
EOT
mkdir -p run/postfix
: > run/postfix/main.cf
exec "$RB" serve --config run/rebound.conf
