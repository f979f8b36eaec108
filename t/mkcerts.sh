#!/usr/bin/env bash
# t/mkcerts.sh DIR DOMAIN -- test certificates for the SSL request tests
# (t/api/test_requests_ssl.c), made with the openssl command: a CA, and
# signed by it, as PEM chains (leaf then CA) in DIR:
#	match.pem	CN and SAN www.DOMAIN, DOMAIN (valid 30 days)
#	wild.pem	SAN *.DOMAIN, DOMAIN (valid 30 days)
#	other.pem	SAN www.other-DOMAIN (valid 30 days)
#	expired.pem	SAN www.DOMAIN, valid 2020-01-01 to 2020-01-02
#	withkey.pem	match.pem with its private key appended
#	leaf.pem	match.pem's leaf alone
#	ca.pem		the CA alone
set -euo pipefail
DIR=${1:?usage: mkcerts.sh DIR DOMAIN}
DOM=${2:?usage: mkcerts.sh DIR DOMAIN}
mkdir -p "$DIR"
cd "$DIR"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$1" 2>/dev/null; }

key ca.key
openssl req -x509 -new -key ca.key -out ca.pem -days 60 \
	-subj "/O=Hangar Test/CN=Hangar Test CA" 2>/dev/null

# A CA folder for `openssl ca`, which alone can set any validity window.
mkdir -p ca.d
: >ca.d/index.txt
echo 1000 >ca.d/serial
cat >ca.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
dir = $DIR/ca.d
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $DIR/ca.pem
private_key = $DIR/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[ anything ]
commonName = supplied
organizationName = optional
CNF

# leaf NAME CN SANS [ca options...]
leaf() {
	local name=$1 cn=$2 sans=$3
	shift 3
	key "$name.key"
	openssl req -new -key "$name.key" -out "$name.csr" -subj "/O=Example/CN=$cn" \
		-addext "subjectAltName=$sans" 2>/dev/null
	openssl ca -batch -config ca.cnf -notext -in "$name.csr" \
		-out "$name.crt" "$@" 2>/dev/null
	cat "$name.crt" ca.pem >"$name.pem"
}
leaf match "www.$DOM" "DNS:www.$DOM,DNS:$DOM" -days 30
leaf wild "*.$DOM" "DNS:*.$DOM,DNS:$DOM" -days 30
leaf other "www.other-$DOM" "DNS:www.other-$DOM" -days 30
leaf expired "www.$DOM" "DNS:www.$DOM" -startdate 20200101000000Z \
	-enddate 20200102000000Z
cp match.crt leaf.pem
cat match.pem match.key >withkey.pem
