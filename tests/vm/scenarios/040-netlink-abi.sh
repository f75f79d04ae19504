# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 600 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256"
# The netlink ABI: hostile requests are refused with errno + extended ack,
# unprivileged users get EPERM on every command that changes state or talks
# to the device, policies round-trip, and 'tsmctl monitor -j' sees connect
# and disconnect.
. /tests/vm/lib.sh

dev=$(first_cma_dev)

# 1. Malformed requests from a raw netlink client (the device is not connected).
nlprobe "$dev"
check_eq "nlprobe: every malformed request refused with errno and extack" 0 "$?"

# 2. Unprivileged: EPERM with a clear message on every mutating command.
# as user nobody: no capabilities
asuser() { su -s /bin/sh nobody -c "$*"; }
for cmd in "connect $dev" "disconnect $dev" "policy set $dev --action notify" "policy clear $dev"; do
	# shellcheck disable=SC2086
	out=$(asuser tsmctl $cmd 2>&1)
	rc=$?
	check_eq "unprivileged '$cmd' fails" 1 "$rc"
	check_match "unprivileged '$cmd': EPERM" "Operation not permitted" "$out"
done
check "unprivileged list still works" asuser tsmctl list
check_eq "the device is still not connected" none "$(tsmctl show "$dev" -j | jq -r .state)"

# 3. Events: monitor sees connected and disconnected, in order.
tsmctl monitor -j --count 2 --timeout 120 >/tmp/mon.json 2>/tmp/mon.err &
mon=$!
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q following /tmp/mon.err 2>/dev/null && break; sleep 0.2; done
check "connect" tsmctl connect "$dev"
check "unprivileged evidence read works (evidence is public)" asuser tsmctl evidence "$dev"

# 4. Policy round trip.
digest=$(tsmctl evidence "$dev" -j | jq -r '.slot_digests["0"]')
out=$(tsmctl policy set "$dev" --cert-digest current --meas 1=00112233 --volatile 2 --action unbind -j)
echo "$out" | sed 's/^/# /'
check_eq "policy: current digest taken from the evidence" "$digest" "$(echo "$out" | jq -r .cert_digest)"
check_eq "policy: action" unbind "$(echo "$out" | jq -r .action)"
got=$(tsmctl policy show "$dev" -j)
check_eq "policy get: measurement 1" 00112233 "$(echo "$got" | jq -r '.measurements[] | select(.index == 1) | .digest')"
check_eq "policy get: measurement 2 volatile" true "$(echo "$got" | jq -r '.measurements[] | select(.index == 2) | .volatile')"
check_eq "policy dump lists it" 1 "$(tsmctl policy show -j | jq length)"
check "policy set --announce-only replaces it" tsmctl policy set "$dev" --cert-digest "$digest" --announce-only
check_eq "replaced, not added" 1 "$(tsmctl policy show -j | jq length)"
check_eq "announce mode stored" announce "$(tsmctl policy show "$dev" -j | jq -r .revalidate)"
check_fails "a bad digest length is refused" tsmctl policy set "$dev" --cert-digest 0011
out=$(tsmctl policy set "$dev" --meas 0=00 2>&1)
check_match "index 0 refused in userspace" "from 1 to 254" "$out"
check "policy clear" tsmctl policy clear "$dev"
out=$(tsmctl policy show "$dev" 2>&1)
check_match "policy gone, the kernel says so" "no policy for this device" "$out"

check "disconnect" tsmctl disconnect "$dev"
wait $mon
check_eq "monitor exited after two events" 0 "$?"
sed 's/^/# monitor: /' /tmp/mon.err
cat /tmp/mon.json | sed 's/^/# /'
check_eq "two events" 2 "$(wc -l </tmp/mon.json)"
check_eq "first: connected" connected "$(sed -n 1p /tmp/mon.json | jq -r .event)"
check_eq "second: disconnected" disconnected "$(sed -n 2p /tmp/mon.json | jq -r .event)"
check_eq "events name the device" "$dev" "$(sed -n 1p /tmp/mon.json | jq -r .device.bdf)"
check_match "events carry a timestamp" '^[0-9]{18,}$' "$(sed -n 1p /tmp/mon.json | jq -r .timestamp_ns)"
done_testing
