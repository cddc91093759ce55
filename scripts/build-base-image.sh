#!/bin/sh
# Builds a minimal busybox rootfs tarball (podd's default test/demo image) from the host's
# static busybox. No network: busybox-static comes from the setup script.
# The tarball is byte-for-byte reproducible, so re-importing it is a no-op for the image store.
# Usage: scripts/build-base-image.sh [OUTPUT]   (default: .cache/busybox-rootfs.tar)
set -eu

out=${1:-.cache/busybox-rootfs.tar}
busybox=${BUSYBOX:-/bin/busybox}

if [ ! -x "$busybox" ]; then
	echo "build-base-image: $busybox not found; install it with: apt-get install -y busybox-static" >&2
	exit 1
fi
# A dynamically linked busybox would need the host's libc inside the image.
if ldd "$busybox" >/dev/null 2>&1; then
	echo "build-base-image: $busybox is dynamically linked; install busybox-static" >&2
	exit 1
fi

umask 022
work=$(mktemp -d "${TMPDIR:-/tmp}/podd-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
root=$work/rootfs

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
	"$root/etc" "$root/root" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	"$root/var" "$root/home"
chmod 1777 "$root/tmp"
chmod 0700 "$root/root"
cp "$busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"

# Applets as symlinks at their canonical paths (--list-full), falling back to /bin.
if "$busybox" --list-full >/dev/null 2>&1; then
	applets=$("$busybox" --list-full)
else
	applets=$("$busybox" --list | sed 's|^|bin/|')
fi
for applet in $applets; do
	[ "$applet" = bin/busybox ] && continue
	case $applet in */*/*) mkdir -p "$root/${applet%/*}" ;; esac
	ln -sf /bin/busybox "$root/$applet"
done
[ -e "$root/bin/sh" ] || ln -s /bin/busybox "$root/bin/sh"

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
# The runtime bind-mounts the pod's own versions over these.
: >"$root/etc/hosts"
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"

mkdir -p "$(dirname "$out")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
	-C "$root" -cf "$work/rootfs.tar" .
# Replace the output atomically, and only when it changed (keeps its mtime for make-like callers).
if [ -f "$out" ] && cmp -s "$work/rootfs.tar" "$out"; then
	exit 0
fi
mv -f "$work/rootfs.tar" "$out.tmp.$$"
mv -f "$out.tmp.$$" "$out"
