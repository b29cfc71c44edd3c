#!/bin/sh
# Checks that the include graph keeps to the layers docs/design.md draws.
#
#   src/L/*.c and include/L/*.h may include "M/x.h" only for M in L's
#   layer or a lower one (the order below); the top (src/*.c, include/*.h:
#   the daemon, the cycle and its passes, the two mains) may include all.
#   A third-party library's header appears in the one file that wraps it
#   (SQLite only in src/store/, libcurl only in src/lib/http.c, ...).
#
# Prints every violation as FILE:LINE: message and exits 1 if any.
set -u
cd "$(dirname "$0")/../.." || exit 2

LAYERS="lib model config rules store sources crm ctl"
bad=0

rank() {
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo 99		# the top
}

say() {
	echo "$1"
	bad=1
}

# the layer of a file (by its folder), "top" for src/*.c and include/*.h
layer_of() {
	case "$1" in
	src/*/*|include/*/*) echo "$1" | cut -d/ -f2 ;;
	*) echo top ;;
	esac
}

for f in $(find src include -name '*.[ch]' | sort); do
	me=$(layer_of "$f")
	myrank=$(rank "$me")
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		h=$(echo "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
		case "$h" in
		*/*)
			to=${h%%/*}
			[ -f "include/$h" ] || { echo "$f:$n: \"$h\" is not a header under include/"; continue; }
			if [ "$me" != top ] && [ "$(rank "$to")" -gt "$myrank" ]; then
				echo "$f:$n: layer $me includes \"$h\" of the higher layer $to"
			fi ;;
		*)
			# a folder's private header, beside the file
			if [ -f "include/$h" ]; then
				if [ "$me" != top ]; then
					echo "$f:$n: \"$h\" is a top-level header: layer $me may not include it"
				fi
			elif [ ! -f "$(dirname "$f")/$h" ]; then
				echo "$f:$n: \"$h\": write the layer's folder (\"lib/$h\", ...)"
			fi ;;
		esac
	done
done > /tmp/check_layers.$$ 2>&1
if [ -s /tmp/check_layers.$$ ]; then
	cat /tmp/check_layers.$$
	bad=1
fi
rm -f /tmp/check_layers.$$

# each library behind one module: its headers nowhere else
lib_owner() {
	hdr=$1
	shift
	grep -rln "^[[:space:]]*#[[:space:]]*include[[:space:]]*<$hdr" src include | sort |
	while IFS= read -r f; do
		ok=0
		for allowed in "$@"; do
			case "$f" in $allowed) ok=1 ;; esac
		done
		[ $ok = 1 ] || echo "$f: includes <$hdr...>, which only $* may"
	done
}
{
	lib_owner sqlite3.h 'src/store/*'
	lib_owner curl/ src/lib/http.c src/lib/smtp.c
	lib_owner jansson.h src/lib/json.c
	lib_owner yaml.h src/lib/yamltree.c
	lib_owner openssl/ src/lib/digest.c
	lib_owner systemd/ src/lib/log.c src/lib/notify.c
	lib_owner libpsl.h src/model/normalize.c
	lib_owner utf8proc.h src/model/normalize_name.c
} > /tmp/check_libs.$$
if [ -s /tmp/check_libs.$$ ]; then
	cat /tmp/check_libs.$$
	bad=1
fi
rm -f /tmp/check_libs.$$

if [ $bad = 0 ]; then
	echo "layers: the include graph keeps to $LAYERS, then the top"
fi
exit $bad
