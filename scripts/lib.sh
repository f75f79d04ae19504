# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the spdm-tsm scripts.  Source it; do not run it.
#
# Environment knobs (all optional):
#   SPDM_TSM_CACHE    where the rootfs and other caches live (default /var/cache/spdm-tsm)
#   SPDM_TSM_MIRROR   Debian mirror URL (default: read from this host's apt sources)
#   SPDM_TSM_NATIVE=1 build on the host without the rootfs (needs kernel >= 7.0 headers + libs)

SPDM_TSM_CACHE=${SPDM_TSM_CACHE:-/var/cache/spdm-tsm}
_t0=${_t0:-$(date +%s)}

msg()  { printf '[%4ss] %s\n' "$(( $(date +%s) - _t0 ))" "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# The package list of the rootfs.  Changing it changes the cache key.
ROOTFS_PACKAGES_BACKPORTS="linux-image-amd64 linux-headers-amd64 linux-source qemu-system-x86 qemu-utils"
ROOTFS_PACKAGES="build-essential gcc g++ make cmake pkg-config libmbedtls-dev catch2 \
libnl-3-dev libnl-genl-3-dev busybox-static cpio kmod pciutils clang libclang-rt-19-dev \
llvm python3 python3-yaml xz-utils zstd ca-certificates procps iproute2 file bc flex bison \
libelf-dev libssl-dev dwarves rsync perl sparse jq swtpm nlohmann-json3-dev python3-jsonschema \
libsystemd-dev"
ROOTFS_LAYOUT_VERSION=3

rootfs_key() {
	printf '%s\n%s\n%s\n' "$ROOTFS_LAYOUT_VERSION" "$ROOTFS_PACKAGES_BACKPORTS" \
		"$ROOTFS_PACKAGES" | sha256sum | cut -c1-16
}

rootfs_dir() { echo "$SPDM_TSM_CACHE/rootfs-$(rootfs_key)"; }

# Build on this host, without the rootfs?  SPDM_TSM_NATIVE=1 forces it, 0
# forbids it; unset, a host qualifies when it runs a kernel >= 7.0 with
# CONFIG_PCI_TSM and its headers, and has mbedTLS >= 3, Catch2 >= 3, libnl,
# cmake, QEMU >= 11 and a static busybox (a Debian trixie/sid or recent
# Ubuntu developer box).  The answer is cached for the process tree.
native_ok() {
	case "${SPDM_TSM_NATIVE:-}" in
	1) return 0 ;;
	0) return 1 ;;
	esac
	if [ -z "${_SPDM_TSM_NATIVE_DETECTED:-}" ]; then
		_SPDM_TSM_NATIVE_DETECTED=no
		local kv qv
		kv=$(uname -r)
		if [ "${kv%%.*}" -ge 7 ] 2>/dev/null &&
		   [ -e "/lib/modules/$kv/build/Makefile" ] &&
		   grep -qs '^CONFIG_PCI_TSM=y' "/boot/config-$kv" "/lib/modules/$kv/build/.config" &&
		   command -v cmake >/dev/null && command -v busybox >/dev/null &&
		   pkg-config --atleast-version=3 mbedtls 2>/dev/null &&
		   pkg-config --exists libnl-genl-3.0 2>/dev/null &&
		   pkg-config --atleast-version=3 catch2-with-main 2>/dev/null; then
			qv=$(qemu-system-x86_64 --version 2>/dev/null | sed -n 's/.*version \([0-9]*\).*/\1/p')
			[ "${qv:-0}" -ge 11 ] && _SPDM_TSM_NATIVE_DETECTED=yes
		fi
		export _SPDM_TSM_NATIVE_DETECTED
	fi
	[ "$_SPDM_TSM_NATIVE_DETECTED" = yes ]
}

# Print the Debian mirror URL: $SPDM_TSM_MIRROR, else the first Debian archive
# URI in this machine's own apt configuration (deb822 .sources or sources.list).
debian_mirror() {
	if [ -n "${SPDM_TSM_MIRROR:-}" ]; then
		echo "${SPDM_TSM_MIRROR%/}"
		return
	fi
	local f uri
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		case "$f" in
		*.sources)
			uri=$(awk 'BEGIN{IGNORECASE=1} /^URIs:/ {for (i = 2; i <= NF; i++) print $i}' "$f")
			;;
		*)
			uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; break } }' "$f")
			;;
		esac
		for u in $uri; do
			case "$u" in
			*debian-security*|*security.debian*) continue ;;
			*/debian|*/debian/) echo "${u%/}"; return ;;
			esac
		done
	done
	return 1
}

# Run "$@" inside the rootfs through a private mount namespace that vanishes
# with the process.  The host's network namespace, /dev, /tmp and the
# repository (at the same path) are shared.
in_rootfs() {
	local root=$1; shift
	local repo; repo=$(repo_root)
	local cwd; cwd=$(pwd)
	unshare --mount --fork --propagation private -- /bin/bash -c '
		set -e
		root=$1 repo=$2 cwd=$3 cache=$4; shift 4
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --bind /tmp "$root/tmp"
		mkdir -p "$root$repo" "$root$cache"
		mount --bind "$repo" "$root$repo"
		mount --bind "$cache" "$root$cache"
		cp -f /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$root" /bin/sh -c '"'"'cd "$0" 2>/dev/null || cd /; exec "$@"'"'"' "$cwd" "$@"
	' in_rootfs "$root" "$repo" "$cwd" "$SPDM_TSM_CACHE" "$@"
}
