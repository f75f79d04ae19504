# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 900 --kmod nvme --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384"
# Revalidation with the key cached at connect: explicit, after a function
# reset (session-lost then revalidated, in that order), after resume, after
# a device replacement (cert-digest mismatch + the policy's action), after a
# measurement change (and with that index volatile), and under concurrency
# (with hot-remove/re-add, then with module unload/load, under load).
. /tests/vm/lib.sh

dev=$(first_cma_dev)
sysdev=/sys/bus/pci/devices/$dev

# events: start a monitor for N events, wait for it to subscribe
monitor_start() {
	# a fresh file: the previous monitor's "following" must not count
	: >/tmp/mon.err
	tsmctl monitor -j --count "$1" --timeout 60 >/tmp/mon.json 2>/tmp/mon.err &
	mon=$!
	# subscribed before the operation whose event it must see
	wait_for 10 grep -q following /tmp/mon.err && return 0
	fail "monitor: not subscribed within 10 s"
}
monitor_wait() { wait "$mon"; sed 's/^/# event: /' /tmp/mon.json; }
event() { sed -n "${1}p" /tmp/mon.json | jq -r ".$2"; }

check "load the nvme driver" modprobe nvme
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "$sysdev/driver" ] && break; sleep 0.5; done
check "nvme driver bound" test -e "$sysdev/driver"
check "connect with measurements" tsmctl connect "$dev" --measurements
# what the device keeps (issue 15): the session, its one store of chain,
# transcripts and signatures, and the connect's measurement baseline
mem_kept() {
	local mem
	mem=$(tsmctl show "$dev" -j | jq -r '.[0].mem_used')
	echo "# mem_used $1: $mem bytes"
	[ "${mem:-0}" -gt 0 ] && [ "$mem" -le 8192 ] &&
		ok "$1: $mem bytes kept (<= 8192)" || fail "$1: ${mem:-?} bytes kept (> 8192)"
}
mem_kept "connect with measurements (3-certificate P-384 chain)"
check "  its evidence verifies offline" tsmctl verify "$dev" --ca /testdata/ecdsa-p384/slot0/root.pem
check_eq "  with the measurements" 1 \
	"$(tsmctl evidence "$dev" -j | jq '.measurements.values | length > 0 | if . then 1 else 0 end')"

# 1. explicit: the lone CHALLENGE (B empty, CertChainHash compared with the
# connect's digest) when the device kept its state: 1 DOE exchange
out=$(tsmctl revalidate "$dev")
echo "# $out"
check_match "explicit revalidation: 1 DOE exchange" "revalidated: 1 DOE exchanges in [0-9.]+ ms" "$out"
n1=$(tsmctl evidence "$dev" -j | jq -r .nonce)
tsmctl revalidate "$dev" >/dev/null
n2=$(tsmctl evidence "$dev" -j | jq -r .nonce)
[ "$n1" != "$n2" ] && ok "each revalidation uses a fresh kernel nonce" || fail "nonce reused: $n1"
check "the new evidence verifies offline" tsmctl verify "$dev" --ca /testdata/ecdsa-p384/slot0/root.pem

# 2. reset -> session-lost, then revalidated
check "policy: current chain digest" tsmctl policy set "$dev" --cert-digest current
# uevents mirror the netlink events (what udev sees)
uevent sh -c 'echo "$ACTION $DEVPATH $SPDM_TSM_EVENT $SPDM_TSM_REASON" >>/tmp/uevents' &
uev=$!
sleep 0.5
monitor_start 2
echo 1 >"$sysdev/reset"
monitor_wait
sleep 0.5
kill $uev 2>/dev/null
sed 's/^/# uevent: /' /tmp/uevents
check_match "uevent: change SPDM_TSM_EVENT=session-lost reason reset" "^change .*$dev session-lost reset" "$(cat /tmp/uevents)"
check_match "uevent: change SPDM_TSM_EVENT=revalidated" "^change .*$dev revalidated reset" "$(cat /tmp/uevents)"
check_eq "reset: first event session-lost" session-lost "$(event 1 event)"
check_eq "reset: reason reset" reset "$(event 1 reason)"
check_eq "reset: then revalidated" revalidated "$(event 2 event)"
check_eq "authenticated after the reset" authenticated "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
# after a reset: VERSION, CAPABILITIES, ALGORITHMS, CHALLENGE, no probe
check_eq "reset: revalidated in 4 DOE exchanges" 4 "$(tsmctl show "$dev" -j | jq -r '.[0].exchanges')"
mem_kept "after the revalidation after a reset"
check "  its evidence verifies offline" tsmctl verify "$dev" --ca /testdata/ecdsa-p384/slot0/root.pem
check "explicit revalidation after the reset" tsmctl revalidate "$dev"
check_eq "  takes 1 DOE exchange again" 1 "$(tsmctl show "$dev" -j | jq -r '.[0].exchanges')"

# 4. announce-only policy: a reset is announced, not revalidated
check "policy: announce only" tsmctl policy set "$dev" --cert-digest current --announce-only
monitor_start 1
echo 1 >"$sysdev/reset"
monitor_wait
check_eq "announce-only: session-lost" session-lost "$(event 1 event)"
sleep 1
check_eq "announce-only: left in session-lost" session-lost "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
check "explicit revalidation recovers it" tsmctl revalidate "$dev"

# 5. measurements: expected values from the evidence; a change fails, volatile passes.
# A revalidation without measurements leaves none in the evidence (never
# measurements of an older handshake beside a newer challenge): connect
# again, taking them (also the baseline below).
check_eq "revalidations left no stale measurements in the evidence" null \
	"$(tsmctl evidence "$dev" -j | jq -c .measurements)"
check "connect again with measurements" tsmctl connect "$dev" --measurements
ev=$(tsmctl evidence "$dev" -j)
m1=$(echo "$ev" | jq -r '.measurements.values["1"]')
m2=$(echo "$ev" | jq -r '.measurements.values["2"]')
check_match "measurement 1 present" '^[0-9a-f]+$' "$m1"
check "policy: measurements 1 and 2" tsmctl policy set "$dev" --cert-digest current --meas "1=$m1" --meas "2=$m2"
check "revalidate with matching measurements" tsmctl revalidate "$dev"
check_eq "  in 2 DOE exchanges: CHALLENGE, GET_MEASUREMENTS" 2 "$(tsmctl show "$dev" -j | jq -r '.[0].exchanges')"
check "devsim: change measurement 2" devsim_ctl 0 measurement 2 deadbeef
monitor_start 1
out=$(tsmctl revalidate "$dev" 2>&1)
check_eq "changed measurement: revalidation fails" 1 "$?"
check_match "  and says which index" "index 2" "$out"
monitor_wait
check_eq "revalidation-failed event" revalidation-failed "$(event 1 event)"
check_eq "  reason measurement" measurement "$(event 1 reason)"
# baseline: every block seen at connect (connect took signed measurements),
# except volatile indices; index 2 changed above
check "policy: baseline without volatile indices" tsmctl policy set "$dev" --cert-digest current --meas baseline
out=$(tsmctl revalidate "$dev" 2>&1)
check_eq "baseline: changed index 2 fails" 1 "$?"
check_match "  and says which index" "index 2 differs from the one seen at connect" "$out"
check "policy: baseline, index 2 volatile" tsmctl policy set "$dev" --cert-digest current --meas baseline --volatile 2
check_eq "policy show: baseline" true "$(tsmctl policy show "$dev" -j | jq -r '.[0].meas_baseline')"
check "baseline: changed volatile index 2 passes" tsmctl revalidate "$dev"
check "devsim: add measurement 9" devsim_ctl 0 measurement 9 00ff
monitor_start 1
out=$(tsmctl revalidate "$dev" 2>&1)
check_eq "baseline: an added block fails" 1 "$?"
check_match "  and says which index" "index 9 was not there at connect" "$out"
monitor_wait
check_eq "  reason measurement" measurement "$(event 1 reason)"
check "devsim: remove measurement 9" devsim_ctl 0 measurement 9 none
check "baseline: the connect-time blocks again: passes" tsmctl revalidate "$dev"
check "devsim: remove measurement 3" devsim_ctl 0 measurement 3 none
out=$(tsmctl revalidate "$dev" 2>&1)
check_eq "baseline: a dropped block fails" 1 "$?"
check_match "  and says which index" "index 3 seen at connect is gone" "$out"
check "policy: baseline, indices 2 and 3 volatile" tsmctl policy set "$dev" --cert-digest current --meas baseline --volatile 2 --volatile 3
check "baseline: dropped volatile index 3 passes" tsmctl revalidate "$dev"

# set_bus_master 0|1: write Bus Master Enable in the command register
set_bus_master() {
	c=$(od -An -tu1 -j4 -N1 "$sysdev/config" | tr -d ' ')
	c=$(( $1 ? (c | 4) : (c & ~4) ))
	printf "\\$(printf %o "$c")" | dd of="$sysdev/config" bs=1 seek=4 count=1 conv=notrunc 2>/dev/null
}

# 6. device replacement: swap identity, reset -> cert-digest mismatch, action
# applied.  Without a driver: nvme would turn bus mastering back on in the
# reset work it schedules (a documented limit of disable-bus-master).
check "policy: action disable-bus-master" tsmctl policy set "$dev" --cert-digest current --action disable-bus-master
echo "$dev" >/sys/bus/pci/drivers/nvme/unbind
set_bus_master 1
cmd=$(od -An -tu1 -j4 -N1 "$sysdev/config" | tr -d ' ')
[ $((cmd & 4)) = 4 ] && ok "bus mastering on before (no driver bound)" || fail "bus mastering off before ($cmd)"
check "devsim: swap identity (device replaced)" devsim_ctl 0 swap-identity
monitor_start 2
echo 1 >"$sysdev/reset"
monitor_wait
check_eq "replacement: session-lost" session-lost "$(event 1 event)"
check_eq "replacement: revalidation-failed" revalidation-failed "$(event 2 event)"
check_eq "  reason cert-digest" cert-digest "$(event 2 reason)"
check_eq "state failed" failed "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
check_match "last error names the digest" "digest" "$(tsmctl show "$dev" -j | jq -r '.[0].last_error')"
cmd=$(od -An -tu1 -j4 -N1 "$sysdev/config" | tr -d ' ')
[ $((cmd & 4)) = 0 ] && ok "action applied: bus mastering disabled" || fail "bus master still on ($cmd)"
check_fails "no evidence while failed" tsmctl evidence "$dev"

# 7. unbind action, on a fresh connect to the new identity (remove/rescan
# binds nvme again; it was unbound above, so its removal has nothing to
# wait for)
check "reconnect to the new device" tsmctl connect "$dev"
echo 1 >"$sysdev/remove" 2>/dev/null; echo 1 >/sys/bus/pci/rescan
dev=$(first_cma_dev); sysdev=/sys/bus/pci/devices/$dev
check "connect after remove/rescan" tsmctl connect "$dev"
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "$sysdev/driver" ] && break; sleep 0.5; done
check "nvme bound again" test -e "$sysdev/driver"
check "policy: action unbind" tsmctl policy set "$dev" --cert-digest current --action unbind
check "devsim: swap identity again" devsim_ctl 0 swap-identity
monitor_start 1
check_fails "revalidation fails" tsmctl revalidate "$dev"
monitor_wait
# without a reset: the lone CHALLENGE's CertChainHash, no chain downloaded
check_eq "  reason cert-digest" cert-digest "$(event 1 reason)"
check_match "  CertChainHash named" "CertChainHash" "$(tsmctl show "$dev" -j | jq -r '.[0].last_error')"
sleep 1
check_fails "action applied: driver unbound" test -e "$sysdev/driver"

# 8. concurrency: two processes, 200 mixed operations, while a third
# hot-removes and re-adds the device (sysfs remove, rescan); then the same
# mix while the module is unloaded and loaded again.  No driver (nvme was
# unbound above; no autoprobe, so a re-added function stays unbound, nvme
# built in or not): nvme's own removal/reset races are not this test's
# subject, and the resume below finds the device as before.
check "devsim: back to a good identity" devsim_ctl 0 swap-identity
tsmctl policy clear "$dev" >/dev/null 2>&1
echo 0 >/sys/bus/pci/drivers_autoprobe
tsmctl connect "$dev" >/dev/null
# each operation's outcome: "worker op rc start end" (uptime, 1/100 s) in
# FILE.worker; a reset that failed because the function was gone (removed
# by the hot-plug worker) is rc "gone"
worker() { # WORKER OPS FILE
	i=0
	while [ $i -lt "$2" ]; do
		read -r t0 _ </proc/uptime
		case $(( (i + $1) % 4 )) in
		0) op=revalidate; tsmctl revalidate "$dev" ;;
		1) op=reset; echo 1 >"$sysdev/reset" || { [ -e "$sysdev/reset" ] || echo gone; } ;;
		2) op=disconnect; tsmctl disconnect "$dev" ;;
		3) op=connect; tsmctl connect "$dev" ;;
		esac >/tmp/op.$1 2>&1
		rc=$?
		grep -q '^gone$' /tmp/op.$1 && rc=gone
		read -r t1 _ </proc/uptime
		echo "$1 $op $rc $t0 $t1" >>"$3.$1"
		i=$((i + 1))
	done
}
# hot-remove and re-add the function N times, 1.5 s apart: "hp remove|rescan rc start end"
hotplug() { # N FILE
	i=0
	while [ $i -lt "$1" ]; do
		sleep 1.5
		read -r t0 _ </proc/uptime
		echo 1 >"$sysdev/remove"; rc=$?
		read -r t1 _ </proc/uptime
		echo "hp remove $rc $t0 $t1" >>"$2"
		sleep 0.3
		echo 1 >/sys/bus/pci/rescan; rc=$?
		wait_for 10 test -e "$sysdev/reset" || rc=absent
		echo "hp rescan $rc $t1 $t1" >>"$2"
		i=$((i + 1))
	done
}
# overlaps A B: how many of B's operations overlapped one of A's in time
overlaps() {
	awk 'FNR == NR { s[NR] = $4; e[NR] = $5; n = NR; next }
		{ for (i = 1; i <= n; i++) if ($4 < e[i] && s[i] < $5) { c++; break } }
		END { print c + 0 }' "$1" "$2"
}
rm -f /tmp/storm.* /tmp/hp
tsmctl monitor -j --timeout 600 >/tmp/storm-events.json 2>/tmp/storm-mon.err &
smon=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	grep -q following /tmp/storm-mon.err 2>/dev/null && break
	sleep 0.2
done
worker 0 100 /tmp/storm & w1=$!
worker 1 100 /tmp/storm & w2=$!
hotplug 4 /tmp/hp & w3=$!
wait $w1 $w2 $w3
sed 's/^/# storm: /' /tmp/hp
check_eq "200 mixed operations from two processes finished" 200 "$(cat /tmp/storm.0 /tmp/storm.1 | wc -l)"
# outcomes by kind: every kind ran, connects and revalidations both
# succeeded and failed (a disconnect raced them), resets never failed
# while the function was there
for op in revalidate reset disconnect connect; do
	n_ok=$(cat /tmp/storm.0 /tmp/storm.1 | awk -v o=$op '$2 == o && $3 == 0' | wc -l)
	n_fail=$(cat /tmp/storm.0 /tmp/storm.1 | awk -v o=$op '$2 == o && $3 != 0' | wc -l)
	echo "# storm: $op: $n_ok succeeded, $n_fail failed"
	[ $((n_ok + n_fail)) = 50 ] && ok "storm: 50 ${op}s ran" || fail "storm: $op ran $((n_ok + n_fail)) times"
done
echo "# storm: $(cat /tmp/storm.0 /tmp/storm.1 | awk '$3 == "gone"' | wc -l) resets found the function removed"
check_eq "storm: no reset of a present function failed" 0 \
	"$(cat /tmp/storm.0 /tmp/storm.1 | awk '$2 == "reset" && $3 != 0 && $3 != "gone"' | wc -l)"
check_match "storm: some connects succeeded" '^[1-9]' "$(cat /tmp/storm.0 /tmp/storm.1 | awk '$2 == "connect" && $3 == 0' | wc -l)"
check_eq "storm: 4 hot-removes and 4 re-adds succeeded" "4 4" \
	"$(awk '$2 == "remove" && $3 == 0' /tmp/hp | wc -l) $(awk '$2 == "rescan" && $3 == 0' /tmp/hp | wc -l)"
# the two workers' operations overlapped in time (an op of one ran inside
# an op of the other): the kernel really saw concurrent requests; and
# hot-removes ran while operations were in flight
n=$(overlaps /tmp/storm.0 /tmp/storm.1)
echo "# storm: $n of worker 1's operations overlapped one of worker 0's"
check_match "storm: operations of the two workers overlapped" '^[1-9]' "$n"
cat /tmp/storm.0 /tmp/storm.1 >/tmp/storm.all
n=$(overlaps /tmp/storm.all /tmp/hp)
echo "# storm: $n hot-plug steps overlapped an operation"
check_match "storm: hot-removes overlapped operations" '^[1-9]' "$n"
sleep 2
kill $smon 2>/dev/null; wait $smon 2>/dev/null
# the event stream follows the state: nothing but 'connected' after
# 'disconnected' or a removal, no 'disconnected' or 'session-lost' when not
# connected, 'added' once per re-add, never an add while connected but by
# a connect that overtook the (deferred) 'added'
jq -r "select(.device.bdf == \"$dev\") | \"\\(.event) \\(.reason)\"" /tmp/storm-events.json >/tmp/storm-ev
bad=$(awk '
	BEGIN { st = "up" }	# connected when the storm starts
	{ n++ }
	$1 == "connected" { st = "up"; next }
	$1 == "added" { added++; if (st != "up") st = "down"; next }
	$1 == "session-lost" && $2 == "removal" {
		if (st != "up") { print NR": removal announced when not connected"; exit } st = "gone"; next }
	$1 == "disconnected" { if (st == "down" || st == "gone") { print NR": disconnected when not connected ("st")"; exit } st = "down"; next }
	$1 == "session-lost" || $1 == "revalidated" || $1 == "revalidation-failed" {
		if (st == "down" || st == "gone") { print NR": "$1" when not connected ("st")"; exit } next }
	END { if (n < 20) print "only " n " events"; if (added != 4) print added + 0 " added events for 4 re-adds" }' /tmp/storm-ev)
echo "# storm: $(wc -l </tmp/storm-events.json) events, $(grep -c 'removal$' /tmp/storm-ev) removals of a connected function"
check_eq "storm: the event stream is consistent with the state" "" "$bad"
check "storm: the function is there afterwards" test -e "$sysdev/config"
check_fails "storm: no driver bound it" test -e "$sysdev/driver"

# the same mix while a third process unloads and loads the module six
# times: operations fail cleanly while it is gone (the netlink family with
# it), an unload refused only while it is in use, every load succeeds
reload() { # N FILE: "rl rmmod|insmod rc start end"
	i=0
	while [ $i -lt "$1" ]; do
		sleep 0.7
		read -r t0 _ </proc/uptime
		rmmod spdm_tsm 2>>/tmp/rmmod.err; rc=$?
		read -r t1 _ </proc/uptime
		echo "rl rmmod $rc $t0 $t1" >>"$2"
		if [ $rc = 0 ]; then
			sleep 0.3
			insmod /lib/modules/spdm_tsm.ko; rc=$?
			echo "rl insmod $rc $t1 $t1" >>"$2"
		fi
		i=$((i + 1))
	done
}
rm -f /tmp/reload /tmp/rmmod.err
worker 0 40 /tmp/storm2 & w1=$!
worker 1 40 /tmp/storm2 & w2=$!
reload 6 /tmp/reload & w3=$!
wait $w1 $w2 $w3
sed 's/^/# reload: /' /tmp/reload /tmp/rmmod.err
check_eq "reload: 80 operations finished" 80 "$(cat /tmp/storm2.0 /tmp/storm2.1 | wc -l)"
n_rm=$(awk '$2 == "rmmod" && $3 == 0' /tmp/reload | wc -l)
check_match "reload: the module was unloaded under load" '^[1-9]' "$n_rm"
check_eq "reload: every unload was followed by a successful load" "$n_rm" \
	"$(awk '$2 == "insmod" && $3 == 0' /tmp/reload | wc -l)"
check_eq "reload: an unload was refused only as busy" "" \
	"$(grep -vE 'Resource temporarily unavailable|in use' /tmp/rmmod.err)"
check_eq "reload: the module is loaded afterwards" live "$(cat /sys/module/spdm_tsm/initstate 2>/dev/null)"
cat /tmp/storm2.0 /tmp/storm2.1 >/tmp/storm2.all
awk '$2 == "rmmod" && $3 == 0' /tmp/reload >/tmp/reload.ok
n=$(overlaps /tmp/storm2.all /tmp/reload.ok)
echo "# reload: $n unloads overlapped an operation"
check_match "reload: unloads overlapped operations" '^[1-9]' "$n"
echo 1 >/sys/bus/pci/drivers_autoprobe
check "connect afterwards" tsmctl connect "$dev"
check "revalidate afterwards" tsmctl revalidate "$dev"
# 9. resume (PM notifier), with pm_test so the VM does not really sleep;
# last: virtio-serial (devsim_ctl, and the vmrun-json port of the JSON
# contract check) does not survive the simulated suspend, so the monitor
# started here copies nothing there
unset SPDM_TSM_JSON_LOG
monitor_start 2
echo devices >/sys/power/pm_test
echo freeze >/sys/power/state
echo none >/sys/power/pm_test
monitor_wait
check_eq "resume: session-lost" session-lost "$(event 1 event)"
check_eq "resume: reason resume" resume "$(event 1 reason)"
check_eq "resume: revalidated" revalidated "$(event 2 event)"

check "rmmod with a connected device" rmmod spdm_tsm
done_testing
