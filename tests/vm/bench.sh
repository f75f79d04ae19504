#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 'make bench' (scripts/bench), in the guest: raw samples, one "BENCH ..."
# line each, for scripts/bench to reduce into a table and build/bench.json.
# Devices, in vm-args order (scripts/bench): ecdsa-p256, rsa-3072, then 16
# ecdsa-p384.  Every timing comes from the module's debugfs (ktime in the
# kernel: an operation's start and end, time inside pci_doe(), hashing,
# signature verification) or from the events' timestamps (what a
# subscriber sees); none from the shell.
. /tests/vm/lib.sh

reps=${BENCH_REPS:-7}
dbg=/sys/kernel/debug/spdm_tsm
unset SPDM_TSM_JSON_LOG	# virtio-serial does not survive the simulated suspends
echo 0 >/sys/module/suspend/parameters/pm_test_delay 2>/dev/null
modprobe ecdh_generic 2>/dev/null	# secured sessions: the DHE and AEAD
modprobe gcm 2>/dev/null		# transforms (modules in Debian's kernel)

set -- $(tsmctl list -j | jq -r '.[] | select(.cma) | .bdf')
[ $# -ge 18 ] || { echo "bench: expected 18 CMA devices, found $#" >&2; exit 1; }
p256=$1 rsa=$2
shift 2
p384s="$*"
p384=$1
echo "BENCH guest cpus=$(grep -c ^processor /proc/cpuinfo) kernel=$(uname -r)"

# stat DEV: the device's last operation, as "key=value ..." (debugfs)
stat() { grep "^$1 " $dbg/stats | cut -d' ' -f2-; }

# the simulated resume of 050: devices suspended and resumed, no real sleep
resume() {
	echo devices >/sys/power/pm_test
	echo freeze >/sys/power/state
	echo none >/sys/power/pm_test
}

one_alg() {	# ALG DEV
	alg=$1 d=$2
	for _ in $(seq "$reps"); do
		tsmctl connect "$d" >/dev/null || return 1
		echo "BENCH $alg connect $(stat "$d")"
	done
	for _ in $(seq "$reps"); do
		tsmctl connect "$d" --measurements >/dev/null || return 1
		echo "BENCH $alg connect_meas $(stat "$d")"
	done
	for _ in $(seq "$reps"); do
		tsmctl revalidate "$d" >/dev/null || return 1
		echo "BENCH $alg revalidate $(stat "$d")"
	done
	# reset -> session-lost -> revalidated, as a subscriber sees it
	for _ in $(seq "$reps"); do
		mon_start 2 60 >/dev/null || return 1
		t0=$(jq -n 'now * 1e9 | floor')	# busybox date has no %N
		echo 1 >/sys/bus/pci/devices/$d/reset
		wait "$_mon"
		lost=$(jq -r 'select(.event == "session-lost") | .timestamp_ns' /tmp/mon.json)
		reval=$(jq -r 'select(.event == "revalidated") | .timestamp_ns' /tmp/mon.json)
		[ -n "$lost" ] && [ -n "$reval" ] || { cat /tmp/mon.json >&2; return 1; }
		echo "BENCH $alg revalidate_after_reset $(stat "$d") reset_ns=$t0 lost_ns=$lost revalidated_ns=$reval"
	done
	# a secured session on top of a connect: its own cost, KEY_EXCHANGE to
	# FINISH as the module timed it (the device's session-info)
	for _ in $(seq "$reps"); do
		tsmctl connect "$d" --session >/dev/null || return 1
		echo "BENCH $alg session $(tsmctl session show "$d" -j |
			jq -r '.[0].session | "rc=0 exchanges=\(.exchanges) duration_us=\(.duration_us)"')"
	done
	tsmctl session end "$d" >/dev/null || return 1
	echo "$d ${BENCH_FLOOR_N:-200}" >$dbg/doe_floor || return 1
	echo "BENCH $alg floor $(cut -d' ' -f2- $dbg/doe_floor)"
}

one_alg ecdsa-p256 "$p256" || exit 1
one_alg rsa-3072 "$rsa" || exit 1
one_alg ecdsa-p384 "$p384" || exit 1
tsmctl disconnect "$p256" >/dev/null
tsmctl disconnect "$rsa" >/dev/null

# 1, 4 and 16 devices revalidated after a resume: only they are connected
for n in 1 4 16; do
	i=0 batch=
	for d in $p384s; do
		i=$((i + 1))
		if [ $i -le $n ]; then
			tsmctl connect "$d" >/dev/null || exit 1
			batch="$batch $d"
		else
			tsmctl disconnect "$d" >/dev/null 2>&1
		fi
	done
	for _ in $(seq "$reps"); do
		mon_start $((2 * n)) 120 >/dev/null || exit 1
		resume
		wait "$_mon"
		got=$(grep -c '"revalidated"' /tmp/mon.json)
		[ "$got" = "$n" ] || { echo "bench: $got of $n devices revalidated after resume" >&2; exit 1; }
		first_lost=$(jq -r 'select(.event == "session-lost") | .timestamp_ns' /tmp/mon.json | sort -n | head -n1)
		last_reval=$(jq -r 'select(.event == "revalidated") | .timestamp_ns' /tmp/mon.json | sort -n | tail -n1)
		for d in $batch; do stat "$d"; done | grep '^op=revalidate rc=0 ' >/tmp/batch
		start=$(sed -n 's/.* start_ns=\([0-9]*\).*/\1/p' /tmp/batch | sort -n | head -n1)
		end=$(sed -n 's/.* end_ns=\([0-9]*\).*/\1/p' /tmp/batch | sort -n | tail -n1)
		sum=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(start|end)_ns=/) { split($i, a, "="); v[a[1]] = a[2] } s += v["end_ns"] - v["start_ns"] } END { print s }' /tmp/batch)
		echo "BENCH devices n=$n ops=$(wc -l </tmp/batch) window_ns=$((end - start)) sum_ns=$sum lost_ns=$first_lost revalidated_ns=$last_reval"
	done
done
echo "BENCH done"
