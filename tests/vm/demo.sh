#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 'make demo': the flow from the mailing-list thread, in a VM with one nvme
# device whose CMA mailbox talks to spdm-devsim.
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

dev=$(tsmctl list -j | jq -r '[.[] | select(.cma)][0].bdf')
id=/testdata/ecdsa-p384/slot0

echo "spdm_tsm on $(uname -r): native PCIe device authentication (CMA/SPDM)"
run ls /sys/class/tsm
run tsmctl list
echo "# $dev has a CMA mailbox but no IDE/TEE-IO, so it connects over netlink;"
echo "# a DSM would use: echo tsm0 > /sys/bus/pci/devices/$dev/tsm/connect"
run tsmctl connect "$dev" --measurements
run tsmctl evidence "$dev"
echo "# the kernel checked the signature with the leaf's key; the trust decision is yours:"
run tsmctl verify "$dev" --ca "$id/root.pem"
run tsmctl policy set "$dev" --cert-digest current
tsmctl monitor --count 2 --timeout 30 >/tmp/events 2>/dev/null &
sleep 1
run sh -c "echo 1 > /sys/bus/pci/devices/$dev/reset"
wait
say "tsmctl monitor   # what the reset caused"
cat /tmp/events
run tsmctl revalidate "$dev"
run tsmctl show "$dev"
