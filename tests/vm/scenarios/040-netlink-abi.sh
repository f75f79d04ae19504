# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 900 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256" --devsim-pci "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256 --no-tee-io"
# The netlink ABI: hostile requests are refused with errno + extended ack,
# unprivileged users get EPERM on every command that changes state or talks
# to the device, policies round-trip, and 'tsmctl monitor -j' sees connect
# and disconnect.  Which capability each command needs (CAP_SYS_ADMIN, not
# CAP_NET_ADMIN) and who sees the Device Serial Number: section 6, on the
# nvme device and on a devsim-pci endpoint (it has a DSN; --no-tee-io: not a
# DSM, so connected through netlink like the nvme device).
. /tests/vm/lib.sh

# the nvme device (QEMU's, spdm-devsim behind its DOE mailbox)
dev=$(tsmctl list -j | jq -r '[.[] | select(.cma and .device_id != "0099")][0].bdf // empty')

# 1. Malformed requests from a raw netlink client (the device is not connected).
nlprobe "$dev"
check_eq "nlprobe: every malformed request refused with errno and extack" 0 "$?"

# 2. Unprivileged: EPERM with a clear message on every mutating command.
# as user nobody: no capabilities
asuser() { su -s /bin/sh nobody -c "$*"; }
for cmd in "connect $dev" "disconnect $dev" "revalidate $dev" "policy set $dev --action notify" "policy clear $dev"; do
	# shellcheck disable=SC2086
	out=$(asuser tsmctl $cmd 2>&1)
	rc=$?
	check_eq "unprivileged '$cmd' fails" 1 "$rc"
	check_match "unprivileged '$cmd': EPERM" "Operation not permitted" "$out"
done
check "unprivileged list still works" asuser tsmctl list
check_eq "the device is still not connected" none "$(tsmctl show "$dev" -j | jq -r '.[0].state')"

# 3. Events: monitor sees connected and disconnected, in order.
tsmctl monitor -j --count 2 --timeout 120 >/tmp/mon.json 2>/tmp/mon.err &
mon=$!
wait_for 10 grep -q following /tmp/mon.err || fail "monitor: not subscribed within 10 s"
check "connect" tsmctl connect "$dev"
check "unprivileged evidence read works (evidence is public)" asuser tsmctl evidence "$dev"

# 4. Policy round trip.
digest=$(tsmctl evidence "$dev" -j | jq -r '.slot_digests["0"]')
out=$(tsmctl policy set "$dev" --cert-digest current --meas 1=00112233 --volatile 2 --action unbind -j)
echo "$out" | sed 's/^/# /'
check_eq "policy: current digest taken from the evidence" "$digest" "$(echo "$out" | jq -r .cert_digest)"
check_eq "policy: action" unbind "$(echo "$out" | jq -r .action)"
got=$(tsmctl policy show "$dev" -j | jq -c '.[0]')
check_eq "policy get: measurement 1" 00112233 "$(echo "$got" | jq -r '.measurements[] | select(.index == 1) | .digest')"
check_eq "policy get: measurement 2 volatile" true "$(echo "$got" | jq -r '.measurements[] | select(.index == 2) | .volatile')"
check_eq "policy dump lists it" 1 "$(tsmctl policy show -j | jq length)"
check "policy set --announce-only replaces it" tsmctl policy set "$dev" --cert-digest "$digest" --announce-only
check_eq "replaced, not added" 1 "$(tsmctl policy show -j | jq length)"
check_eq "announce mode stored" announce "$(tsmctl policy show "$dev" -j | jq -r '.[0].revalidate')"
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

# 6. Capabilities.  Every command that talks to the device or changes state
# (connect, disconnect, revalidate, policy-set, policy-del) needs
# CAP_SYS_ADMIN; CAP_NET_ADMIN is not enough (with it alone, connect + a
# bogus policy + revalidate could unbind the driver of any device with a CMA
# mailbox).  Reads (dev-get, evidence-get, policy-get, the events group)
# stay open to everyone, but the Device Serial Number, which PCI sysfs shows
# only to root, is in replies to CAP_SYS_ADMIN callers only and never in
# events.  Each caller below is uid 65534 holding exactly the named
# capabilities (capexec), or root.
dsndev=$(tsmctl list -j | jq -r '[.[] | select(.device_id == "0099")][0].bdf // empty')
check_match "the devsim-pci endpoint is listed" '^[0-9a-f]{4}:' "$dsndev"
leafhash=$(sed '1d;$d' /testdata/ecdsa-p256/slot0/leaf.pem | base64 -d | sha256sum | cut -c1-16)
check_eq "root: its Device Serial Number (SHA-256 of the leaf)" "$leafhash" \
	"$(tsmctl show "$dsndev" -j | jq -r '.[0].serial')"

# capexec gives what it says: uid 65534, exactly these capabilities
for c in none:0000000000000000 net_admin:0000000000001000 sys_admin:0000000000200000; do
	caps=${c%%:*} want=${c#*:}
	got=$(as_caps "$caps" cat /proc/self/status |
		awk '/^(Uid|Gid):/ { printf "%s %s %s %s %s ", $1, $2, $3, $4, $5 }
		     /^Cap(Inh|Prm|Eff|Amb):/ { printf "%s %s ", $1, $2 }')
	check_eq "capexec --caps $caps" \
		"Uid: 65534 65534 65534 65534 Gid: 65534 65534 65534 65534 CapInh: $want CapPrm: $want CapEff: $want CapAmb: $want " \
		"$got"
done

state() { tsmctl show "$1" -j | jq -r '.[0].state'; }
# root puts $dev where CMD would act: disconnected for connect, else
# connected with a harmless policy
prep() {
	case $1 in
	connect*) [ "$(state "$dev")" = none ] || tsmctl disconnect "$dev" >/dev/null ;;
	*) { [ "$(state "$dev")" = authenticated ] || tsmctl connect "$dev" >/dev/null; } &&
		tsmctl policy set "$dev" --action notify >/dev/null ;;
	esac || echo "# prep for '$1' failed: $dev is $(state "$dev")"
}

# 6a. no capabilities, CAP_NET_ADMIN only: EPERM, "needs CAP_SYS_ADMIN", no effect
for caps in none net_admin; do
	for cmd in "connect $dev" "revalidate $dev" "policy set $dev --meas 1=00 --action unbind" \
		   "policy clear $dev" "disconnect $dev"; do
		prep "$cmd"
		gen=$(tsmctl show "$dev" -j | jq -r '.[0].generation')
		# shellcheck disable=SC2086
		out=$(as_caps "$caps" tsmctl $cmd 2>&1)
		rc=$?
		check_eq "caps $caps: '$cmd' fails" 1 "$rc"
		check_match "caps $caps: '$cmd': EPERM" "Operation not permitted" "$out"
		check_match "caps $caps: '$cmd': the extended ack says it needs CAP_SYS_ADMIN" \
			"CAP_SYS_ADMIN" "$out"
		case $cmd in
		connect*) check_eq "caps $caps: '$cmd' left it disconnected" none "$(state "$dev")" ;;
		revalidate*) check_eq "caps $caps: '$cmd' did not revalidate (generation)" "$gen" \
			"$(tsmctl show "$dev" -j | jq -r '.[0].generation')" ;;
		"policy set"*) check_eq "caps $caps: '$cmd' left the policy alone" notify \
			"$(tsmctl policy show "$dev" -j | jq -r '.[0].action')" ;;
		"policy clear"*) check "caps $caps: '$cmd' left the policy there" tsmctl policy show "$dev" ;;
		disconnect*) check_eq "caps $caps: '$cmd' left it connected" authenticated "$(state "$dev")" ;;
		esac
	done
done

# 6b. CAP_SYS_ADMIN only (no CAP_NET_ADMIN): every command works
prep connect
check "caps sys_admin: 'connect $dev' works" as_caps sys_admin tsmctl connect "$dev"
check_eq "caps sys_admin: connected" authenticated "$(state "$dev")"
gen=$(tsmctl show "$dev" -j | jq -r '.[0].generation')
check "caps sys_admin: 'revalidate $dev' works" as_caps sys_admin tsmctl revalidate "$dev"
gen2=$(tsmctl show "$dev" -j | jq -r '.[0].generation')
check "caps sys_admin: revalidated (generation $gen -> $gen2)" test "$gen2" -gt "$gen"
check "caps sys_admin: 'policy set $dev --announce-only' works" \
	as_caps sys_admin tsmctl policy set "$dev" --action notify --announce-only
check_eq "caps sys_admin: policy stored" announce "$(tsmctl policy show "$dev" -j | jq -r '.[0].revalidate')"
check "caps sys_admin: 'policy clear $dev' works" as_caps sys_admin tsmctl policy clear "$dev"
check_fails "caps sys_admin: policy gone" tsmctl policy show "$dev"
check "caps sys_admin: 'disconnect $dev' works" as_caps sys_admin tsmctl disconnect "$dev"
check_eq "caps sys_admin: disconnected" none "$(state "$dev")"

# 6c. Reads work for everyone; the DSN only for CAP_SYS_ADMIN callers.
# root: both devices connected, a policy on each (the kernel keys the
# devsim-pci one by its DSN too)
check "root: connect $dev" tsmctl connect "$dev"
check "root: connect $dsndev" tsmctl connect "$dsndev"
check "root: policy set $dev" tsmctl policy set "$dev" --action notify
check "root: policy set $dsndev" tsmctl policy set "$dsndev" --action notify
run_caps() { _c=$1; shift; if [ "$_c" = root ]; then "$@"; else as_caps "$_c" "$@"; fi; }
for caps in none net_admin sys_admin root; do
	case $caps in
	none|net_admin) want=null ;;
	*) want=$leafhash ;;
	esac
	out=$(run_caps "$caps" tsmctl list -j)
	check_eq "caps $caps: list -j (dev-get dump) works" 0 "$?"
	check_eq "caps $caps: list -j: serial of $dsndev" "$want" \
		"$(echo "$out" | jq -r ".[] | select(.bdf == \"$dsndev\") | .serial")"
	[ "$want" = null ] && check_eq "caps $caps: list -j: no serial on any device" "" \
		"$(echo "$out" | jq -r '.[] | select(.serial != null) | .bdf')"
	out=$(run_caps "$caps" tsmctl show "$dsndev" -j)
	check_eq "caps $caps: show -j (dev-get) works" 0 "$?"
	check_eq "caps $caps: show -j: serial" "$want" "$(echo "$out" | jq -r '.[0].serial')"
	check "caps $caps: evidence $dsndev (evidence-get) works" run_caps "$caps" tsmctl evidence "$dsndev"
	check "caps $caps: evidence $dev (evidence-get) works" run_caps "$caps" tsmctl evidence "$dev"
	out=$(run_caps "$caps" tsmctl policy show "$dsndev" -j)
	check_eq "caps $caps: policy show -j (policy-get) works" 0 "$?"
	check_eq "caps $caps: policy show -j: serial" "$want" "$(echo "$out" | jq -r '.[0].serial')"
	out=$(run_caps "$caps" tsmctl policy show -j)
	check_eq "caps $caps: policy show -j (policy-get dump) works" 0 "$?"
	check_eq "caps $caps: policy dump: serial of $dsndev" "$want" \
		"$(echo "$out" | jq -r ".[] | select(.bdf == \"$dsndev\") | .serial")"
done

# 6d. Events go to everyone: an unprivileged monitor gets them, and no
# event carries the DSN, not even to root.
as_caps none tsmctl monitor -j --count 1 --timeout 120 >/tmp/umon.json 2>/tmp/umon.err &
umon=$!
tsmctl monitor -j --count 1 --timeout 120 >/tmp/rmon.json 2>/tmp/rmon.err &
rmon=$!
for _ in $(seq 1 50); do
	grep -q following /tmp/umon.err 2>/dev/null && grep -q following /tmp/rmon.err 2>/dev/null && break
	sleep 0.2
done
check "root: revalidate $dsndev" tsmctl revalidate "$dsndev"
wait $umon
check_eq "caps none: monitor exited after one event" 0 "$?"
wait $rmon
check_eq "root: monitor exited after one event" 0 "$?"
sed 's/^/# caps none monitor: /' /tmp/umon.err /tmp/umon.json
sed 's/^/# root monitor: /' /tmp/rmon.err /tmp/rmon.json
for m in "caps none:/tmp/umon.json" "root:/tmp/rmon.json"; do
	who=${m%%:*} f=${m#*:}
	check_eq "$who: monitor got the revalidated event" revalidated "$(jq -r .event "$f")"
	check_eq "$who: the event names $dsndev" "$dsndev" "$(jq -r .device.bdf "$f")"
	check_eq "$who: the event carries no serial" null "$(jq -r .device.serial "$f")"
done

tsmctl policy clear "$dev" >/dev/null; tsmctl policy clear "$dsndev" >/dev/null
tsmctl disconnect "$dev" >/dev/null; tsmctl disconnect "$dsndev" >/dev/null
done_testing
