# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 600 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384"
# The recovery agent (tsmctl agent): the start-up pass (connect, verify
# against the configured root, then the policy), a configuration error with
# its file:line, hot-remove and rescan (session-lost removal, then added and
# the whole flow again), a device whose chain leads to another root (refused
# and disconnected), a replaced device after a reset (the kernel's
# revalidation fails with reason cert-digest; the agent logs it and the
# action), SIGTERM, an announce-only policy (the agent revalidates), and the
# agent as a systemd Type=notify service under notifysup, a notify-aware
# supervisor: READY=1 only after the start-up pass, WATCHDOG=1 pings within
# WatchdogSec, RELOADING=1 ... READY=1 on SIGHUP with the new configuration
# in effect (a bad one reported and the old one kept), and SIGTERM ending it
# promptly, idle and during a slow handshake.
. /tests/vm/lib.sh

dev=$(first_cma_dev)
sysdev=/sys/bus/pci/devices/$dev
root=/testdata/ecdsa-p384/slot0/root.pem
other=/testdata/other-p384/slot0/root.pem
check_match "a CMA device" '^[0-9a-f]{4}:' "$dev"

cat >/tmp/agent.conf <<EOF2
# the test device, trusted through its own root
[device $dev]
ca = $root   # the devsim's identity
cert-digest = current
action = notify
EOF2
cat >/tmp/other.conf <<EOF2
[device $dev]
ca = $other
EOF2

state() { tsmctl show "$dev" -j | jq -r '.[0].state'; }
show_log() { sed "s/^/# $1: /" "$2"; }
# wait_log FILE PATTERN [N]: until FILE has at least N (default 1) lines
# matching PATTERN, 60 s at most
wait_log() {
	n=${3:-1} i=0
	while [ $i -lt 300 ]; do
		[ "$(grep -cE "$2" "$1")" -ge "$n" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	echo "wait_log: no $n line(s) matching /$2/ in $1"
	return 1
}

# 1. the start-up pass, once
check_eq "state none before the agent" none "$(state)"
tsmctl agent --config /tmp/agent.conf --once 2>/tmp/once.log
rc=$?
show_log once /tmp/once.log
check_eq "--once: exit 0, the device is trusted" 0 "$rc"
check_eq "--once: the device is authenticated" authenticated "$(state)"
once=$(cat /tmp/once.log)
check_match "--once: logged the connect" "$dev: connected \(SPDM" "$once"
check_match "--once: logged the trust decision" "$dev: trusted \(chain, leaf-key, key-usage, eku, signature" "$once"
check_match "--once: logged the policy" "$dev: policy set: cert-digest [0-9a-f]+" "$once"
check_fails "plain log lines: no sd-daemon <N> prefix off the journal" grep -qE '^<[0-7]>' /tmp/once.log
pol=$(tsmctl policy show "$dev" -j | jq -c '.[0]')
echo "# policy: $(echo "$pol" | jq -c .)"
check_match "policy: the current chain digest" '^[0-9a-f]{64,128}$' "$(echo "$pol" | jq -r .cert_digest)"
check_eq "policy: action notify" notify "$(echo "$pol" | jq -r .action)"
check_eq "policy: auto-revalidate" auto "$(echo "$pol" | jq -r .revalidate)"
check "--once again: already authenticated, still trusted" \
	tsmctl agent --config /tmp/agent.conf --once

# 2. a configuration error names the file and the line; exit 2
printf '[device %s]\nca = %s\nactoin = unbind\n' "$dev" "$root" >/tmp/bad.conf
tsmctl agent --config /tmp/bad.conf --once 2>/tmp/bad.log
check_eq "bad configuration: exit 2" 2 "$?"
check_match "  with file:line" "/tmp/bad.conf:3: unknown key 'actoin'" "$(cat /tmp/bad.log)"
printf '[device %s]\nca = /nonexistent.pem\n' "$dev" >/tmp/bad.conf
tsmctl agent --config /tmp/bad.conf --once 2>/tmp/bad.log
check_eq "unreadable trust anchor: exit 2" 2 "$?"
check_match "  with file:line" "/tmp/bad.conf:2: cannot load trust anchor /nonexistent.pem" "$(cat /tmp/bad.log)"

# 3. the daemon: hot-remove, then rescan
tsmctl agent --config /tmp/agent.conf -v 2>/tmp/agent.log &
agent=$!
check "agent: start-up pass done, following events" wait_log /tmp/agent.log "following spdm-tsm events"
check "agent: start-up pass set the policy" wait_log /tmp/agent.log "$dev: policy set"
echo 1 >"$sysdev/remove"
check "remove: agent logs session-lost reason=removal" \
	wait_log /tmp/agent.log "$dev: session-lost reason=removal"
echo 1 >/sys/bus/pci/rescan
check "rescan: agent logs the added device" wait_log /tmp/agent.log "$dev: added"
check "rescan: agent connects it" wait_log /tmp/agent.log "$dev: connected \(SPDM"
check "rescan: agent verifies it" wait_log /tmp/agent.log "$dev: trusted \("
check "rescan: agent sets the policy again" wait_log /tmp/agent.log "$dev: policy set" 2
check_eq "rescan: authenticated again" authenticated "$(state)"
check_match "rescan: policy present" '^[0-9a-f]{64,128}$' \
	"$(tsmctl policy show "$dev" -j | jq -r '.[0].cert_digest')"
check "agent still running" kill -0 "$agent"

# 4. a chain that leads to another root: refused and disconnected
tsmctl agent --config /tmp/other.conf --once 2>/tmp/other.log
rc=$?
show_log other /tmp/other.log
check_eq "other root: --once exits 1" 1 "$rc"
check_match "  logs NOT trusted, with the chain check" "$dev: NOT trusted .*chain: .*; disconnected" \
	"$(cat /tmp/other.log)"
check_eq "  the device is disconnected" none "$(state)"
check "the good configuration trusts it again" tsmctl agent --config /tmp/agent.conf --once
check_eq "authenticated again" authenticated "$(state)"

# 5. device replacement: new identity, reset -> revalidation fails (cert-digest)
check "devsim: swap identity (device replaced)" devsim_ctl 0 swap-identity
echo 1 >"$sysdev/reset"
check "reset: agent logs session-lost reason=reset" \
	wait_log /tmp/agent.log "$dev: session-lost reason=reset"
check "reset: agent logs revalidation-failed reason=cert-digest" \
	wait_log /tmp/agent.log "$dev: revalidation-failed reason=cert-digest"
check_match "  with the action taken" "revalidation-failed reason=cert-digest.*action taken: notify" \
	"$(cat /tmp/agent.log)"
check_eq "state failed" failed "$(state)"

# 6. SIGTERM: exit 0
kill -TERM "$agent"
wait "$agent"
check_eq "SIGTERM: exit 0" 0 "$?"
check_match "agent logged its stop" "tsmctl agent: stopping" "$(tail -n 1 /tmp/agent.log)"
show_log agent /tmp/agent.log

# 7. announce-only: the agent revalidates after the reset; two trust anchors
check "devsim: the original identity again (seed 1)" devsim_ctl 0 swap-identity 1
cat >/tmp/announce.conf <<EOF2
[device $dev]
ca = $other
ca = $root
revalidate = announce
action = disable-bus-master
EOF2
tsmctl agent --config /tmp/announce.conf 2>/tmp/announce.log &
agent=$!
check "announce: start-up pass reconnects the failed device and sets the policy" \
	wait_log /tmp/announce.log "$dev: policy set: .*action disable-bus-master, announce only"
check_eq "announce: authenticated" authenticated "$(state)"
check "announce: following events" wait_log /tmp/announce.log "following spdm-tsm events"
echo 1 >"$sysdev/reset"
check "reset: the agent revalidates (announce-only policy)" \
	wait_log /tmp/announce.log "$dev: session-lost reason=reset; announce-only policy: revalidating now"
check "  and logs revalidated" wait_log /tmp/announce.log "$dev: revalidated"
check_eq "  authenticated after the reset" authenticated "$(state)"
kill -TERM "$agent"
wait "$agent"
check_eq "SIGTERM: exit 0" 0 "$?"
show_log announce /tmp/announce.log

# sup OUT ARGS...: notifysup ARGS, its transcript in OUT
sup() { o=$1; shift; notifysup "$@" >"$o" 2>&1; }

# 8. under a notify-aware supervisor (what Type=notify, WatchdogSec=4s and
# ExecReload=kill -HUP ask of the agent).  The device starts disconnected
# and without a policy: READY=1 must wait for the start-up pass.
tsmctl policy clear "$dev" >/dev/null 2>&1
tsmctl disconnect "$dev" >/dev/null 2>&1
check_eq "supervisor: the device starts disconnected" none "$(state)"
cp /tmp/agent.conf /tmp/sup.conf
printf '[device %s]\nca = %s\nactoin = unbind\n' "$dev" "$root" >/tmp/sup-bad.conf
has_policy="tsmctl policy show $dev -j | jq -e '.[0].action == \"notify\" and (.[0].cert_digest | length) > 0' >/dev/null"
policy_unbind="tsmctl policy show $dev -j | jq -e '.[0].action == \"unbind\"' >/dev/null"
check "supervisor: READY=1 after the start-up pass, watchdog pings, reload, SIGTERM" \
	sup /tmp/sup.out --watchdog-usec 4000000 --log /tmp/sup.log \
	--expect 'STATUS=start-up pass*' --expect 'READY=1' \
	--run "$has_policy" --run "[ \"\$(tsmctl show $dev -j | jq -r '.[0].state')\" = authenticated ]" \
	--pings 3 \
	--run "sed -i 's/^action = notify/action = unbind/' /tmp/sup.conf" \
	--signal HUP --expect 'RELOADING=1' --expect 'READY=1' --run "$policy_unbind" \
	--run "cp /tmp/sup-bad.conf /tmp/sup.conf" \
	--signal HUP --expect 'RELOADING=1' --expect 'READY=1' --expect 'STATUS=reload failed*' \
	--run "$policy_unbind" \
	--pings 2 \
	--signal TERM --expect 'STOPPING=1' --exit-within 3000 0 \
	-- tsmctl agent --config /tmp/sup.conf -v
show_log supervisor /tmp/sup.out
show_log sup /tmp/sup.log
check_match "supervisor: the bad configuration is reported with FILE:LINE" \
	"reload: /tmp/sup.conf:3: unknown key 'actoin'.*; keeping the configuration in effect" "$(cat /tmp/sup.log)"
check_fails "supervisor: plain lines (stderr is a file, not the journal)" grep -qE '^<[0-7]>' /tmp/sup.log

# 9. SIGTERM during a slow handshake: the kernel's connect cannot be
# interrupted (the netlink doit runs to its end: at most op_timeout_ms plus
# one DOE exchange), so "promptly" is: right after that operation returns,
# with no further step (no verify, no policy), and well within the deadline.
tsmctl policy clear "$dev" >/dev/null 2>&1
tsmctl disconnect "$dev" >/dev/null 2>&1
tmo=$(cat /sys/module/spdm_tsm/parameters/op_timeout_ms)
check "slow device: devsim delay=300" devsim_ctl 0 fault delay=300
check "slow device: devsim cert-portion=256" devsim_ctl 0 fault cert-portion=256
t0=$(now_ms)
check "supervisor: SIGTERM during the handshake ends the agent within op_timeout_ms + 2 s" \
	sup /tmp/slow.out --log /tmp/slow.log \
	--expect 'STATUS=connecting*' --sleep 500 \
	--signal TERM --exit-within $((tmo + 2000)) 0 --not-before 'READY=1' \
	-- tsmctl agent --config /tmp/agent.conf
show_log supervisor /tmp/slow.out
echo "# SIGTERM during a handshake: agent gone $(($(now_ms) - t0)) ms after its start (op_timeout_ms $tmo)"
show_log slow /tmp/slow.log
check_match "  logged the stop after the connect step" "$dev: stopping after step 'connect'" "$(cat /tmp/slow.log)"
check_fails "  and set no policy" grep -q "policy set" /tmp/slow.log
check "devsim: faults cleared" devsim_ctl 0 clear
done_testing
