#!/bin/sh
# Builds (once, then reuses) the Debian 12 root filesystem the end-to-end tests boot as a VPS with
# systemd-nspawn. Prints the rootfs path. The mirror is the one apt already uses on this machine, read
# at run time; no mirror host is written into the repository.
#   usage: scripts/vps-image.sh [variant]     variant "cloud-init" adds Debian's cloud-init (NoCloud),
#                                             "python" adds python3 (for Ansible in the benchmarks)
#   the cache is $BUDDY_VPS_CACHE (default /var/cache/buddy-init/vps)
set -eu
variant="${1:-base}"
cache="${BUDDY_VPS_CACHE:-/var/cache/buddy-init/vps}"
# bubblewrap and socat: Claude Code needs them on Linux to keep credentials out of its Bash tool
# (CLAUDE_CODE_SUBPROCESS_ENV_SCRUB runs Bash in its sandbox).
# git, make and curl: what a buddy's agent builds and attacks with (the sandbox tests run both).
packages="systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,openssh-server,tmux,nodejs,sudo,iproute2,procps,bubblewrap,socat,git,make,curl"
# debootstrap does not resolve virtual packages: python3-cffi-backend provides the ones cloud-init needs.
[ "$variant" = cloud-init ] && packages="$packages,cloud-init,python3-cffi-backend"
[ "$variant" = python ] && packages="$packages,python3"
# The image changes when this script, the package list or the variant does.
key=$( (cat "$0"; echo "$variant") | sha256sum | cut -c1-12)
image="$cache/bookworm-$key"
if [ -f "$image/.complete" ]; then echo "$image/rootfs"; exit 0; fi

mkdir -p "$cache"
lock="$cache/.lock-$key"
while ! mkdir "$lock" 2>/dev/null; do
  # Another test process is building the same image: wait for it.
  [ -f "$image/.complete" ] && { echo "$image/rootfs"; exit 0; }
  sleep 1
done
trap 'rmdir "$lock"' EXIT
[ -f "$image/.complete" ] && { echo "$image/rootfs"; exit 0; }

mirror=$( (grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'; \
           grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}') | grep -v security | head -n 1)
[ -n "$mirror" ] || { echo "vps-image: no Debian mirror found in the apt sources" >&2; exit 1; }

rm -rf "$image.tmp"
mkdir -p "$image.tmp"
echo "vps-image: debootstrap bookworm from $mirror (about a minute)" >&2
debootstrap --variant=minbase --include="$packages" bookworm "$image.tmp/rootfs" "$mirror" >"$image.tmp/debootstrap.log" 2>&1 ||
  { tail -n 20 "$image.tmp/debootstrap.log" >&2; exit 1; }
root="$image.tmp/rootfs"
# npm (apply installs Bun for the chat plugins with it, from an npm cache the tests provide offline) pulls
# in virtual packages debootstrap cannot resolve: apt installs it inside.
chroot "$root" sh -c 'apt-get install -y --no-install-recommends npm' >"$image.tmp/npm.log" 2>&1 ||
  { tail -n 20 "$image.tmp/npm.log" >&2; exit 1; }
chroot "$root" sh -c '
  set -e
  useradd -m -s /bin/bash ada
  echo "ada ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/ada && chmod 440 /etc/sudoers.d/ada
  echo buddy-vps > /etc/hostname
  rm -f /etc/ssh/ssh_host_*
  systemctl enable ssh >/dev/null 2>&1 || true
  systemctl mask console-getty.service >/dev/null 2>&1 || true
  if [ -d /etc/cloud ]; then
    # Tests seed user-data through NoCloud; the guest has no network for cloud-init to configure.
    # It keeps the host key the test trusts (a provider image would let cloud-init make new ones), and
    # sets a locale that minbase has (a provider image has locales).
    printf "datasource_list: [NoCloud, None]\nnetwork: {config: disabled}\nssh_deletekeys: false\nssh_genkeytypes: []\nlocale: C.UTF-8\nmanage_etc_hosts: true\n" > /etc/cloud/cloud.cfg.d/90-buddy-test.cfg
  fi
'
touch "$image.tmp/.complete"
rm -rf "$image"
mv "$image.tmp" "$image"
echo "$image/rootfs"
