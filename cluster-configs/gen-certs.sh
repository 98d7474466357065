#!/bin/sh
# gen-certs.sh -- throwaway certificates for Vigil's TLS tests and local clusters.
#
# Owns: the files it writes into DIR (created if missing). Nothing here is fit
# for production: keys are unencrypted (except server-pass.key), the CAs live
# one day past the tests, and everything is signed with SHA-256 over RSA-2048.
#
#   ca.crt ca.key              the CA everyone trusts
#   server.crt server.key      server cert for 127.0.0.1 / ::1 / localhost (SAN);
#                              clientAuth too, so a node can use it for its own links
#   server-pass.key            server.key encrypted with the passphrase "vigil-pass"
#   client.crt client.key      client cert (clientAuth), signed by ca
#   server2.crt server2.key    a second valid server cert (for reload tests)
#   server-renewed.crt         a renewal of server.crt for the same key
#   expired.crt expired.key    signed by ca, valid only in January 2020
#   other-ca.crt other-ca.key  an unrelated CA
#   other.crt other.key        server+client cert signed by other-ca
#
# Usage: gen-certs.sh DIR
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
DIR=$1
mkdir -p "$DIR"
cd "$DIR"

DAYS=3650
SUBJ="/O=Vigil Test"

ext_file() { # $1 = file, $2 = extendedKeyUsage
    cat >"$1" <<EOF
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = $2
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
EOF
}

make_ca() { # $1 = name, $2 = CN
    openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days "$DAYS" \
        -keyout "$1.key" -out "$1.crt" -subj "$SUBJ/CN=$2" >/dev/null 2>&1
}

make_leaf() { # $1 = name, $2 = CA name, $3 = CN, $4 = extendedKeyUsage
    openssl req -new -nodes -newkey rsa:2048 -keyout "$1.key" -out "$1.csr" \
        -subj "$SUBJ/CN=$3" >/dev/null 2>&1
    ext_file "$1.ext" "$4"
    openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
        -days "$DAYS" -sha256 -extfile "$1.ext" -out "$1.crt" >/dev/null 2>&1
    rm -f "$1.csr" "$1.ext"
}

# A certificate whose validity ended long ago: `openssl ca` takes explicit
# start and end dates, which `openssl x509 -req` (3.0) does not.
make_expired() {
    mkdir -p expired-ca.d
    : >expired-ca.d/index.txt
    echo 1000 >expired-ca.d/serial
    cat >expired-ca.d/ca.cnf <<EOF
[ca]
default_ca = old
[old]
dir = expired-ca.d
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
organizationName = optional
commonName = supplied
[ext]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
EOF
    openssl req -new -nodes -newkey rsa:2048 -keyout expired.key -out expired.csr \
        -subj "$SUBJ/CN=expired" >/dev/null 2>&1
    openssl ca -batch -config expired-ca.d/ca.cnf -cert ca.crt -keyfile ca.key \
        -startdate 20200101000000Z -enddate 20200102000000Z -extensions ext \
        -in expired.csr -out expired.crt -notext >/dev/null 2>&1
    rm -rf expired-ca.d expired.csr
}

# A fresh certificate for an existing key (renewal without a key change).
make_renewal() {
    openssl req -new -key server.key -out renewed.csr -subj "$SUBJ/CN=localhost" >/dev/null 2>&1
    ext_file renewed.ext "serverAuth, clientAuth"
    openssl x509 -req -in renewed.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
        -days "$DAYS" -sha256 -extfile renewed.ext -out server-renewed.crt >/dev/null 2>&1
    rm -f renewed.csr renewed.ext
}

make_ca ca "Vigil Test CA"
make_leaf server ca localhost "serverAuth, clientAuth"
make_leaf server2 ca localhost "serverAuth, clientAuth"
make_leaf client ca "vigil-client" clientAuth
make_renewal
make_expired
make_ca other-ca "Unrelated CA"
make_leaf other other-ca localhost "serverAuth, clientAuth"
openssl rsa -in server.key -aes256 -passout pass:vigil-pass -out server-pass.key >/dev/null 2>&1
rm -f ./*.srl
chmod 600 ./*.key
echo "certificates written to $DIR"
