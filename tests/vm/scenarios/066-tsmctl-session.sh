# SPDX-License-Identifier: GPL-2.0
# vm-args: --kmod ecdh_generic --kmod gcm --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --heartbeat-period 2"
# tsmctl's secured-session commands against the real module (065 drives the
# family with nlsess): connect --session, session show, list, evidence and
# verify of the KEY_EXCHANGE_RSP signature offline, monitor -j during a key
# update, session key-update [--all] and session end.  Every -j document is
# also checked against tests/schema by vm-run.
. /tests/vm/lib.sh

modprobe ecdh_generic 2>/dev/null
modprobe gcm 2>/dev/null
dev=$(first_cma_dev)
check_match "a CMA device is listed" '^[0-9a-f]{4}:' "$dev"

check "connect --session" tsmctl connect "$dev" --session
s=$(tsmctl session show "$dev" -j)
check_eq "session show -j: one entry" 1 "$(printf '%s' "$s" | jq length)"
check_eq "session show -j: established" established "$(printf '%s' "$s" | jq -r '.[0].session.state')"
check_eq "session show -j: heartbeat period" 2 "$(printf '%s' "$s" | jq -r '.[0].session.heartbeat_period')"
check_match "session show -j: a DHE group" '^secp(256|384)r1$' "$(printf '%s' "$s" | jq -r '.[0].session.dhe')"
check_match "session show: the state in text" 'established' "$(tsmctl session show "$dev")"
check_match "list: a SESSION column" 'SESSION' "$(tsmctl list)"
mem=$(tsmctl show "$dev" -j | jq -r '.[0].mem_used')
check "memory kept with a session: $mem <= 8192 bytes" test "$mem" -le 8192

e=$(tsmctl evidence "$dev" -j)
check_match "evidence -j: the KEY_EXCHANGE_RSP signature" '^[0-9a-f]{192}$' "$(printf '%s' "$e" | jq -r '.session.ke_signature')"
check_match "evidence -j: the transcript hash it covers" '^[0-9a-f]{96}$' "$(printf '%s' "$e" | jq -r '.session.ke_th_hash')"
v=$(tsmctl verify "$dev" --ca /testdata/ecdsa-p384/slot0/root.pem -j)
check_eq "verify -j: ok" true "$(printf '%s' "$v" | jq -r '.ok')"
check_eq "verify -j: the session signature checked and good" true \
	"$(printf '%s' "$v" | jq -r '[.checks[] | select(.check == "session-signature")][0].ok')"

tsmctl monitor -j >/tmp/mon 2>/tmp/mon.err &
mon=$!
sleep 1
k=$(tsmctl session key-update "$dev" -j)
check_eq "session key-update -j: one key update" 1 "$(printf '%s' "$k" | jq -r '.session.key_updates')"
k=$(tsmctl session key-update --all "$dev" -j)
check_eq "session key-update --all -j: two key updates" 2 "$(printf '%s' "$k" | jq -r '.session.key_updates')"
sleep 5 # more than two heartbeat periods after the new keys
check_eq "the session survives the key updates and heartbeats" established \
	"$(tsmctl session show "$dev" -j | jq -r '.[0].session.state')"
check_match "heartbeats were sent" '^[1-9]' "$(tsmctl session show "$dev" -j | jq -r '.[0].session.heartbeats')"
n=$(tsmctl session end "$dev" -j)
check_eq "session end -j: no session" none "$(printf '%s' "$n" | jq -r '.session.state // "none"')"
check_eq "session end: the device stays authenticated" authenticated "$(printf '%s' "$n" | jq -r '.state')"
sleep 1
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
sed 's/^/# monitor: /' /tmp/mon
check_match "monitor -j: session-ended announced for the device" "\"event\":\"session-ended\"" "$(grep "\"$dev\"" /tmp/mon)"
check_fails "session key-update without a session fails" tsmctl session key-update "$dev"
check "disconnect" tsmctl disconnect "$dev"
done_testing
