#!/usr/bin/env bash
# Sets up everything podd needs on a fresh Debian 12 host, as root, idempotently:
# Debian packages, npm packages, the TypeScript build, the pause binary, the busybox base image, `podd` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

need_root() { [ "$(id -u)" -eq 0 ] || { echo "setup: run as root (podd creates namespaces, mounts and cgroups)" >&2; exit 1; }; }
need_root

# iptables: the CNI bridge plugin (ipMasq), portmap and the service proxy run it; conntrack: the proxy clears UDP
# flows to gone endpoints; zstd: zstd-compressed layers; util-linux (unshare, nsenter, flock for the image store's
# lock) is Essential. docker-registry, skopeo and apache2-utils (htpasswd): the registry tests' own registry.
packages=(runc conmon busybox-static containernetworking-plugins iproute2 iptables conntrack attr gcc libc6-dev make
  docker-registry skopeo apache2-utils zstd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
echo "setup: building" >&2
npm run --silent build
make -s -C pause >&2

install -d /usr/local/bin
cat > /usr/local/bin/podd.tmp <<WRAP
#!/bin/sh
exec node "$repo/dist/src/bin/podd.bundle.mjs" "\$@"
WRAP
chmod 755 /usr/local/bin/podd.tmp && mv /usr/local/bin/podd.tmp /usr/local/bin/podd

# The base image: busybox from Debian's busybox-static, so examples and tests need no network. The tarball is
# rebuilt every time (reproducible, so a no-op when unchanged): tests import it under other names, and a host whose
# image store already holds busybox must still have it.
sh scripts/build-base-image.sh .cache/busybox-rootfs.tar
if ! podd images 2>/dev/null | grep -q '^docker.io/library/busybox  *latest'; then
  echo "setup: importing the busybox base image" >&2
  podd image import .cache/busybox-rootfs.tar busybox:latest >/dev/null
fi
# The Kubernetes docs' init-container example asks for busybox:1.28: the same local image under that name, until
# images come from registries.
if ! podd images 2>/dev/null | grep -q '^docker.io/library/busybox  *1.28 '; then
  podd image import .cache/busybox-rootfs.tar busybox:1.28 >/dev/null
fi
echo "setup: ready ($(podd version))" >&2
