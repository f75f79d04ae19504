# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 600 --kmod ecdh_generic --kmod gcm --devsim-pci "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --heartbeat-period 2"
# The PCI/TSM core's own connect path, as on real hardware: spdm-devsim is a
# whole PCIe endpoint (vfio-user) with DevCap TEE-IO and a CMA DOE mailbox,
# so the core offers tsm/connect and calls the module's pci_tsm_ops.  The
# reference flow step by step, an FLR, malformed DOE use by the guest
# (vm-run fails the scenario on any kernel WARNING/BUG), and the module's
# session policy: tsm/connect with spdm_tsm.session, KEY_UPDATE every
# session_key_update_s and after session_key_update_msgs messages.
. /tests/vm/lib.sh

# -- the TSM: the tsmN whose device is the spdm_tsm faux device
tsm=
for t in /sys/class/tsm/tsm*; do
	[ "$(basename "$(readlink -f "$t/device")")" = spdm_tsm ] && tsm=$(basename "$t")
done
check_match "a tsmN in /sys/class/tsm belongs to spdm_tsm" '^tsm[0-9]+$' "$tsm"

# -- the device: a DSM with a CMA mailbox
dev=$(tsmctl list -j | jq -r '[.[] | select(.dsm)][0].bdf // empty')
check_match "tsmctl list finds a DSM" '^[0-9a-f]{4}:' "$dev"
j=$(tsmctl list -j | jq -c ".[] | select(.bdf == \"$dev\")")
echo "# $j"
check_eq "dsm: true" true "$(echo "$j" | jq -r .dsm)"
check_eq "tee_io: true (DevCap bit 30)" true "$(echo "$j" | jq -r .tee_io)"
check_eq "cma: true (DOE mailbox with CMA)" true "$(echo "$j" | jq -r .cma)"
check_eq "the devsim's ids" 1b36:0099 "$(echo "$j" | jq -r '.vendor_id + ":" + .device_id')"
leafhash=$(sed '1d;$d' /testdata/ecdsa-p384/slot0/leaf.pem | base64 -d | sha256sum | cut -c1-16)
check_eq "DSN = first 8 bytes of SHA-256(leaf certificate)" "$leafhash" "$(echo "$j" | jq -r .serial)"
check_eq "state none before connect" none "$(echo "$j" | jq -r .state)"
sys=/sys/bus/pci/devices/$dev
for f in connect disconnect dsm; do
	check "PCI/TSM core offers tsm/$f" test -e "$sys/tsm/$f"
done

# -- connect through the PCI/TSM core
check "echo $tsm > tsm/connect" sh -c "echo $tsm > $sys/tsm/connect"
check_eq "tsm/connect reads back $tsm" "$tsm" "$(cat "$sys/tsm/connect")"
# the core's 'authenticated' mirrors tsm/connect: the TSM's name, empty when not
check_eq "authenticated reads back $tsm" "$tsm" "$(cat "$sys/authenticated")"
j=$(tsmctl show "$dev" -j | jq -c '.[0]')
check_eq "tsmctl show: authenticated" authenticated "$(echo "$j" | jq -r .state)"
check_eq "tsmctl show: tsm $tsm" "$tsm" "$(echo "$j" | jq -r .tsm)"
check_eq "tsmctl show: SPDM 1.4" 1.4 "$(echo "$j" | jq -r .version)"
check_eq "tsmctl show: ecdsa-p384" ecdsa-p384 "$(echo "$j" | jq -r .asym)"
gen=$(echo "$j" | jq -r .generation)

ev=$(tsmctl evidence "$dev" -j)
check_eq "evidence: three certificates" 3 "$(echo "$ev" | jq '.certificates | length')"
check_eq "evidence: 32-byte nonce" 64 "$(echo "$ev" | jq -r '.nonce | length')"
check_match "evidence: a signature" '^[0-9a-f]{128,}$' "$(echo "$ev" | jq -r .signature)"
check "verify against the device's root CA" tsmctl verify "$dev" --ca /testdata/ecdsa-p384/slot0/root.pem
out=$(tsmctl verify "$dev" --ca /testdata/other-p384/slot0/root.pem 2>&1)
check_eq "a foreign root CA is refused" 1 "$?"

st=$(devsim_ctl pci0 status)
check_match "devsim: negotiated SPDM 1.4" '"state":"negotiated","version":"1.4"' "$st"
check_match "devsim: no FLR yet" '"flrs":0' "$st"

# -- FLR: DevCap advertises it, so the reset file uses it; the device model
# drops its DOE and SPDM state (revalidation is the module's business)
check "echo 1 > reset (FLR)" sh -c "echo 1 > $sys/reset"
st=$(devsim_ctl pci0 status)
echo "# after FLR: $(tsmctl show "$dev" -j | jq -c '.[0] | {state, tsm, generation}')"
check_match "devsim saw one FLR" '"flrs":1,' "$st"
check_match "it was the last reset" '"last_reset":"flr"' "$st"
check_match "SPDM state was negotiated at the FLR and dropped by it" \
	'"spdm_at_reset":"1.4","spdm_after_reset":""' "$st"

# -- tsmctl connect/disconnect on a DSM go through sysfs
tsmctl show "$dev" -j | jq -e '.[0].tsm != null' >/dev/null && tsmctl disconnect "$dev" >/dev/null
check_eq "disconnected before tsmctl connect" "" "$(cat "$sys/tsm/connect")"
check "tsmctl connect (DSM: tsm/connect)" tsmctl connect "$dev"
check_eq "tsm/connect reads back $tsm after tsmctl connect" "$tsm" "$(cat "$sys/tsm/connect")"
check_match "a new handshake after the FLR" '"cma_since_reset":[1-9]' "$(devsim_ctl pci0 status)"
check_fails "netlink-only options are refused for a DSM" tsmctl connect "$dev" --nonce \
	000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
check "echo $tsm > tsm/disconnect" sh -c "echo $tsm > $sys/tsm/disconnect"
check_eq "tsm/connect empty after disconnect" "" "$(cat "$sys/tsm/connect")"
check_eq "authenticated empty after disconnect" "" "$(cat "$sys/authenticated")"
j=$(tsmctl show "$dev" -j | jq -c '.[0]')
check_eq "state none after disconnect" none "$(echo "$j" | jq -r .state)"
check_eq "no tsm after disconnect" null "$(echo "$j" | jq -r .tsm)"
check_fails "no evidence after disconnect" tsmctl evidence "$dev"

# -- malformed DOE use by the guest, through config space
cfg=$sys/config
r32() { dd if="$cfg" bs=4 skip=$(($1 / 4)) count=1 2>/dev/null | od -An -tu4 | tr -d ' '; }
w32() {
	v=$2
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)))" |
		dd of="$cfg" bs=4 seek=$(($1 / 4)) count=1 conv=notrunc 2>/dev/null
}
doe=0 off=256 n=0
while [ "$off" -ge 256 ] && [ "$off" -lt 4096 ] && [ $((n += 1)) -le 64 ]; do
	h=$(r32 $off)
	echo "# extended capability at $off: $(printf %08x "${h:-0}")"
	[ $((h & 0xffff)) = $((0x2e)) ] && { doe=$off; break; }
	off=$(((h >> 20) & 0xffc))
done
check_match "DOE capability found in the extended capability list" '^[1-9]' "$doe"
CTRL=$((doe + 8)) STATUS=$((doe + 12)) WRITE=$((doe + 16)) READ=$((doe + 20))

check_eq "mailbox idle" 0 "$(r32 $STATUS)"
check_eq "reading with nothing ready returns 0" 0 "$(r32 $READ)"
w32 $READ 0
check_eq "a stray read acknowledge changes nothing" 0 "$(r32 $STATUS)"

# half a CMA object, then ABORT
w32 $WRITE $((0x00010001))
w32 $WRITE 10
w32 $WRITE $((0x00008410))
check_eq "half an object: not Busy, no Error, nothing ready" 0 "$(r32 $STATUS)"
w32 $CTRL 1
check_eq "ABORT mid-object: idle" 0 "$(r32 $STATUS)"
check "connect after an aborted object" sh -c "echo $tsm > $sys/tsm/connect"
check_eq "authenticated after an aborted object" authenticated "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
check "disconnect" sh -c "echo $tsm > $sys/tsm/disconnect"

# a complete object (DOE discovery, index 0) read halfway, then ABORT
w32 $WRITE 1
w32 $WRITE 3
w32 $WRITE 0
w32 $CTRL $((0x80000000))
check_eq "discovery response ready" $((0x80000000)) "$(r32 $STATUS)"
check_eq "first response dword: vendor 0001 type 0" $((0x00000001)) "$(r32 $READ)"
w32 $READ 0
w32 $CTRL 1
check_eq "ABORT mid-response: idle" 0 "$(r32 $STATUS)"

# more dwords than the header says: Error, which the kernel's next exchange
# clears with its own ABORT (pci_doe fails that exchange with -EIO)
w32 $WRITE $((0x00010001))
w32 $WRITE 3
w32 $WRITE 1
w32 $WRITE 2
check_eq "overlong object: DOE Error" 4 "$(r32 $STATUS)"
out=$(sh -c "echo $tsm > $sys/tsm/connect" 2>&1)
echo "# connect with Error left set: rc $? $out"
[ "$(cat "$sys/tsm/connect")" = "$tsm" ] || check "connect once the kernel aborted the mailbox" \
	sh -c "echo $tsm > $sys/tsm/connect"
check_eq "authenticated after the guest's malformed object" authenticated \
	"$(tsmctl show "$dev" -j | jq -r '.[0].state')"
check "disconnect" sh -c "echo $tsm > $sys/tsm/disconnect"
check_match "devsim counted the errors and aborts" '"errors":[1-9][0-9]*,"aborts":[1-9]' "$(devsim_ctl pci0 status)"

# -- secured sessions through tsm/connect: the module's session policy
# (parameters session, session_key_update_s, session_key_update_msgs; 0644,
# set at run time as an administrator would)
P=/sys/module/spdm_tsm/parameters
modprobe ecdh_generic 2>/dev/null
modprobe gcm 2>/dev/null
slow=1
zcat /proc/config.gz 2>/dev/null | grep -q '^CONFIG_KASAN=y' && slow=3
# sj JQ: the session object of tsmctl session show -j; dsim JQ: devsim's status
sj() { tsmctl session show "$dev" -j | jq -r ".[0].session | $1"; }
dsim() { devsim_ctl pci0 status | sed 's/^ok //' | jq -r "$1"; }
est_is() { [ "$(sj .establishments)" = "$1" ] && [ "$(sj .state)" = established ]; }

check_eq "parameter session: off by default" N "$(cat $P/session)"
check_eq "parameter session_key_update_msgs: off by default" 0 "$(cat $P/session_key_update_msgs)"
check "session=0: tsm/connect" sh -c "echo $tsm > $sys/tsm/connect"
check_eq "session=0: no session in the kernel" none "$(sj '.state // "none"')"
check_eq "session=0: devsim has no session" 0 "$(dsim '.sessions | length')"
check "session=0: tsm/disconnect" sh -c "echo $tsm > $sys/tsm/disconnect"

echo 1 >$P/session
check "session=1: tsm/connect" sh -c "echo $tsm > $sys/tsm/connect"
tsmctl session show "$dev" | sed 's/^/# /'
check_eq "session=1: session established (session show -j)" established "$(sj .state)"
check_eq "session=1: tsmctl show -j carries it" established \
	"$(tsmctl show "$dev" -j | jq -r '.[0].session.state')"
check_eq "session=1: heartbeat period from devsim" 2 "$(sj .heartbeat_period)"
check_eq "session=1: devsim has one session" 1 "$(dsim '.sessions | length')"
check_eq "session=1: devsim agrees on the session ID" "$(printf '0x%08x' "$(sj .id)")" \
	"$(dsim '.sessions[0].id')"
check_eq "session=1: devsim: established" established "$(dsim '.sessions[0].state')"
sleep $((3 * slow))
check_match "session=1: heartbeats answered over 3 s" '^([2-9]|[1-9][0-9]+)$' "$(sj .heartbeats)"
check_eq "session=1: no key update without a policy" 0 "$(sj .key_updates)"

# interval, set at run time: counted from the session's last key update (or
# its establishment), whatever the interval was when the work was queued
ku_ge() { [ "$(sj .key_updates)" -ge "$1" ]; }
echo 60 >$P/session_key_update_s
sleep $((2 * slow))
check_eq "interval 60 s: no key update yet (counted from the establishment)" 0 "$(sj .key_updates)"
t0=$(now_ms)
echo 2 >$P/session_key_update_s
check "interval 60 s, then 2 s: the shorter one applies at once" wait_for $((3 * slow)) ku_ge 1
sleep $((6 * slow))
ku=$(sj .key_updates)
dt=$(($(now_ms) - t0))
echo "# interval 2 s: $ku key updates in $dt ms"
check "interval 2 s: key updates rise ($ku in $dt ms)" test "$ku" -ge 3
check "interval 2 s: no more than the interval allows ($ku in $dt ms)" \
	test "$ku" -le $((dt / 2000 + 2))
dku1=$(dsim '.sessions[0].key_updates')
ku=$(sj .key_updates)
dku2=$(dsim '.sessions[0].key_updates')
check "interval 2 s: devsim counted them (devsim $dku1, the kernel $ku, devsim $dku2)" \
	test "$dku1" -le $((ku + 1)) -a "$ku" -le "$dku2"
echo 0 >$P/session_key_update_s
sleep $((1 * slow))
ku=$(sj .key_updates)
hb=$(sj .heartbeats)
sleep $((5 * slow))
check_eq "interval 0 again: no more key updates" "$ku" "$(sj .key_updates)"
check "interval 0 again: heartbeats go on" test "$(sj .heartbeats)" -gt "$hb"

# message count: a KEY_UPDATE once 3 secured requests went under the key
# (the heartbeat work: 2 heartbeats, then KEY_UPDATE and VerifyNewKey)
# (both counts from one devsim status, while the policy is on: each key
# update comes with 4 requests, and the window's edges cut at most one cycle)
read -r m0 k0 <<EOF2
$(dsim '.sessions[0] | "\(.messages) \(.key_updates)"')
EOF2
echo 3 >$P/session_key_update_msgs
sleep $((10 * slow))
read -r m1 k1 <<EOF2
$(dsim '.sessions[0] | "\(.messages) \(.key_updates)"')
EOF2
echo 0 >$P/session_key_update_msgs
sleep $((1 * slow))
m=$((m1 - m0)) k=$((k1 - k0))
echo "# msgs 3: devsim saw $m secured requests, $k key updates"
check "msgs 3: key updates rise ($k over $m requests)" test "$k" -ge 2
check "msgs 3: one per 4 requests (2 heartbeats, KEY_UPDATE, VerifyNewKey): $k over $m" \
	test $((k * 4)) -ge $((m - 4)) -a $((k * 4)) -le $((m + 4))
check_eq "msgs 3: the kernel agrees with devsim" "$(dsim '.sessions[0].key_updates')" "$(sj .key_updates)"
ku=$(sj .key_updates)
sleep $((4 * slow))
check_eq "msgs 0 again: no more key updates" "$ku" "$(sj .key_updates)"
hb=$(sj .heartbeats)
sleep $((2 * slow))
check "after the key updates: heartbeats go on" test "$(sj .heartbeats)" -gt "$hb"
# a measurement inside the session: a policy on devsim's raw measurement 4
# (tsm/connect takes no measurements, so no baseline)
check "policy: measurement 4 (raw bit stream)" \
	tsmctl policy set "$dev" --cert-digest current --meas 4=0102030405060708
check "after the key updates: revalidation with a measurement" tsmctl revalidate "$dev"
tsmctl policy clear "$dev" >/dev/null
# (this revalidation renegotiates VCA, which ends the session, and
# establishes a new one: 8 DOE exchanges in the kernel log)
check_eq "after the key updates: established" established "$(sj .state)"
check_eq "after the key updates: devsim has one session" 1 "$(dsim '.sessions | length')"

# a failed interval KEY_UPDATE: session-lost reason key-update, then the
# session comes back (auto_revalidate)
n0=$(sj .establishments)
check "devsim: the next KEY_UPDATE gets no answer" devsim_ctl pci0 fault no-key-update=1
mon_start 1 $((30 * slow))
echo 2 >$P/session_key_update_s
mon_wait
echo 0 >$P/session_key_update_s
check_eq "failed KEY_UPDATE: session-lost, reason key-update" "session-lost key-update" \
	"$(mon_events "$dev" | head -n 1)"
wait_for $((10 * slow)) est_is $((n0 + 1))
check_eq "failed KEY_UPDATE: a new session established" $((n0 + 1)) "$(sj .establishments)"
check_eq "failed KEY_UPDATE: established" established "$(sj .state)"
check_eq "failed KEY_UPDATE: authenticated" authenticated "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
check_eq "failed KEY_UPDATE: devsim has one session" 1 "$(dsim '.sessions | length')"
devsim_ctl pci0 clear >/dev/null

check "session=1: tsm/disconnect" sh -c "echo $tsm > $sys/tsm/disconnect"
check_eq "tsm/disconnect sent END_SESSION (devsim has no session)" 0 "$(dsim '.sessions | length')"
echo 0 >$P/session
check "session=0 again: tsm/connect" sh -c "echo $tsm > $sys/tsm/connect"
check_eq "session=0 again: devsim has no session" 0 "$(dsim '.sessions | length')"
check "session=0 again: tsm/disconnect" sh -c "echo $tsm > $sys/tsm/disconnect"
dmesg | grep -E 'secured session|revalidat|session-lost' | sed 's/^/# dmesg: /'
out=$(dmesg | grep -E 'expected \[VID, Feature\]')
check_eq "no DOE protocol complaint in the kernel log" "" "$out"

# -- hot-replace: unplug while connected (QMP device_del via vm-run's host
# agent), swap the device's identity while it is out, plug it back
# q35 hot-plugs root ports through ACPI: a kernel without HOTPLUG_PCI_ACPI
# (the debug kernel) never releases the slot.  (Native pciehp instead trips
# a lockdep report inside pciehp itself on 7.3.)
if zcat /proc/config.gz 2>/dev/null | grep -q '^# CONFIG_HOTPLUG_PCI_ACPI is not set'; then
	ok "# SKIP hot-replace: this kernel has no ACPI PCI hot-plug"
	done_testing
fi
check "connect before unplug" sh -c "echo $tsm > $sys/tsm/connect"
check "hot-unplug while connected" vm_host unplug devsim-pci0
if [ -e "$sys" ]; then
	fail "the device is still there: hot-replace checks skipped"
	done_testing
fi
check_fails "the device is gone" test -e "$sys"
check_eq "tsmctl list no longer shows it" "" "$(tsmctl list -j 2>/dev/null | jq -r ".[] | select(.bdf == \"$dev\") | .bdf")"
check "swap the identity while unplugged" devsim_ctl pci0 swap-identity 99
check "hot-plug" vm_host plug devsim-pci0
for _ in $(seq 1 150); do [ -e "$sys/tsm/connect" ] && break; sleep 0.2; done
j=$(tsmctl list -j | jq -c ".[] | select(.bdf == \"$dev\")")
echo "# $j"
check_eq "back, not connected" none "$(echo "$j" | jq -r .state)"
serial=$(echo "$j" | jq -r .serial)
[ -n "$serial" ] && [ "$serial" != "$leafhash" ] && ok "a new identity shows a new serial ($serial)" ||
	fail "serial after the swap: '$serial' (was $leafhash)"
check "connect the replaced device" sh -c "echo $tsm > $sys/tsm/connect"
check_eq "authenticated" authenticated "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
check_fails "the old root CA no longer verifies it" tsmctl verify "$dev" --ca /testdata/ecdsa-p384/slot0/root.pem
check "disconnect" sh -c "echo $tsm > $sys/tsm/disconnect"
done_testing
