# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 300 --devsim "--asym ecdsa-p256 --hash sha256"
# The first vertical slice: the module registers a TSM and the netlink
# family, lists the nvme's CMA mailbox, and unloads without a trace.
. /tests/vm/lib.sh

check "tsm device registered" test -e /sys/class/tsm/tsm0
check "faux parent device" test -e /sys/devices/faux/spdm_tsm
check_eq "tsm0 is parented to the spdm_tsm faux device" spdm_tsm \
	"$(basename "$(readlink -f /sys/class/tsm/tsm0/device)")"

json=$(tsmctl list -j)
echo "$json"
check_eq "one device with a CMA mailbox" 1 "$(echo "$json" | jq '[.[] | select(.cma)] | length')"
dev=$(first_cma_dev)
check_eq "it is QEMU's nvme" "1b36:0010" \
	"$(echo "$json" | jq -r ".[] | select(.bdf == \"$dev\") | .vendor_id + \":\" + .device_id")"
check_eq "nvme is not a DSM (no IDE, no TEE-IO)" false \
	"$(echo "$json" | jq -r ".[] | select(.bdf == \"$dev\") | .dsm")"
check_eq "state none before any connect" none \
	"$(echo "$json" | jq -r ".[] | select(.bdf == \"$dev\") | .state")"
check "show accepts the short address" tsmctl show "${dev#0000:}"
check "show accepts a sysfs path" tsmctl show "/sys/bus/pci/devices/$dev"
check_fails "show rejects a device without a mailbox" tsmctl show 00:00.0
out=$(tsmctl show 00:00.0 2>&1)
check_match "the kernel's extended ack reaches the user" "no CMA DOE mailbox" "$out"
tsmctl show nonsense >/dev/null 2>&1
check_eq "a malformed address is a usage error" 2 "$?"

# Without an IMA policy rule for label spdm-tsm (no vm-run --tpm), the
# module's IMA records are not measured and nothing breaks (097 has them).
check "connect without an IMA policy for spdm-tsm" tsmctl connect "$dev"
if [ -r /sys/kernel/security/ima/ascii_runtime_measurements ]; then
	check_eq "no IMA policy: no spdm-tsm record in the IMA log" 0 \
		"$(grep -c ' spdm-tsm/' /sys/kernel/security/ima/ascii_runtime_measurements)"
else
	ok "# SKIP no IMA policy: this kernel has no IMA"
fi
check "disconnect" tsmctl disconnect "$dev"

check "rmmod spdm_tsm" rmmod spdm_tsm
check_fails "tsm device gone" test -e /sys/class/tsm/tsm0
check_fails "faux device gone" test -e /sys/devices/faux/spdm_tsm
out=$(tsmctl list 2>&1)
check_match "netlink family gone" "not found" "$out"
check_fails "module gone from /proc/modules" grep -q '^spdm_tsm ' /proc/modules
check "insmod again" insmod /lib/modules/spdm_tsm.ko
check_eq "and the device is listed again" "$dev" "$(first_cma_dev)"
check "rmmod again" rmmod spdm_tsm
done_testing
