# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 400 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256"
# Many devices at once: after a (simulated) system resume the four
# authenticated devices are revalidated concurrently, never one behind the
# other.  The module's debugfs "stats" gives each device's last operation
# with its start and end (CLOCK_MONOTONIC): they must overlap in time.  (Explicit revalidations from several
# processes are not asserted here: under TCG the processes' own start-up
# staggers them by more than a revalidation takes.)
. /tests/vm/lib.sh

stats=/sys/kernel/debug/spdm_tsm/stats
devs=$(tsmctl list -j | jq -r '.[] | select(.cma) | .bdf')
n=$(echo "$devs" | wc -l)
check_eq "four CMA devices" 4 "$n"
for d in $devs; do
	check "connect $d" tsmctl connect "$d"
done
check "debugfs stats readable" test -r "$stats"

# field NAME: the value of NAME= in the stats lines on stdin, one per line
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

# overlap WHAT: every device's last operation is a successful revalidation,
# and they ran concurrently: at some moment at least two were in flight, and
# first start to last end took less than 0.8 times their durations added up
# (one after the other it takes at least their sum).  Not "all four at once":
# a revalidation can be shorter than the kernel takes to start a worker.
overlap() {
	cat "$stats" >/tmp/stats
	sed 's/^/# stats: /' /tmp/stats
	check_eq "$1: four revalidations recorded" 4 "$(grep -c ' op=revalidate rc=0 ' /tmp/stats)"
	# +1 at each start, -1 at each end, ends first on a tie
	inflight=$( { field start_ns </tmp/stats | sed 's/$/ 1/'; field end_ns </tmp/stats | sed 's/$/ 0/'; } |
		sort -n -k1,1 -k2,2 | awk '{ n += $2 ? 1 : -1; if (n > m) m = n } END { print m + 0 }')
	first_start=$(field start_ns </tmp/stats | sort -n | head -n1)
	last_end=$(field end_ns </tmp/stats | sort -n | tail -n1)
	sum=$(awk '{ for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] } s += v["end_ns"] - v["start_ns"] } END { print s }' /tmp/stats)
	window=$((last_end - first_start))
	echo "# $1: first start to last end $((window / 1000)) us, durations added up $((sum / 1000)) us, at most $inflight in flight at once"
	if [ "$inflight" -ge 2 ] && [ $((window * 10)) -lt $((sum * 8)) ]; then
		ok "$1: the four revalidations ran concurrently"
	else
		fail "$1: revalidations ran one after the other"
	fi
}

# resume (PM notifier), with pm_test so the VM does not really sleep;
# virtio-serial does not survive the simulated suspend (see 050), so
# nothing here talks to devsim's control socket afterwards
unset SPDM_TSM_JSON_LOG
mon_start 8 120
echo devices >/sys/power/pm_test
echo freeze >/sys/power/state
echo none >/sys/power/pm_test
mon_wait
check_eq "resume: 4 session-lost events" 4 "$(grep -c '"session-lost"' /tmp/mon.json)"
check_eq "resume: 4 revalidated events" 4 "$(grep -c '"revalidated"' /tmp/mon.json)"
overlap "resume"

done_testing
