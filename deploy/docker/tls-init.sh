#!/bin/sh
# Creates the gateway's self-signed certificate in ${1:-/tls} unless one is already there.
# Used by compose's one-shot `tls-init` service; replace the files with a real certificate for
# anything beyond a single host.
set -eu
dir=${1:-/tls}
if [ -s "$dir/cert.pem" ] && [ -s "$dir/key.pem" ]; then
    echo "cumulus: keeping the certificate in $dir"
    exit 0
fi
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 \
    -subj "/CN=Cumulus gateway" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:gateway" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "extendedKeyUsage=serverAuth" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
# nginx's master reads the key as root; the certificate is public.
chmod 644 "$dir/cert.pem"
chmod 600 "$dir/key.pem"
echo "cumulus: created a self-signed certificate in $dir"
