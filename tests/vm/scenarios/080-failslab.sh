# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 1200 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384"
# lanes: debug
# Allocation-failure injection (failslab, debug kernel only): connect,
# evidence dump, policy set and revalidate each see their 1st, 2nd, ...
# slab allocation fail in turn (tests/vm/tools/nlfault.cpp, through
# /proc/thread-self/fail-nth: confined to the test's own task) and must end
# in ENOMEM/ENOBUFS with the device as it was; afterwards everything still
# works, and vm-run's kmemleak scan finds nothing left behind by spdm_tsm.
. /tests/vm/lib.sh

fs=/sys/kernel/debug/failslab
[ -d "$fs" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ ! -d "$fs" ]; then
	echo "# this kernel has no failslab (CONFIG_FAILSLAB): run it with scripts/vm-run --debug-kernel"
	fail "failslab available"
	done_testing
fi
# Only the task that armed /proc/thread-self/fail-nth sees failures: no
# random ones (probability 0), and the task filter keeps everyone else out.
echo 0 >"$fs/probability"
echo Y >"$fs/task-filter"
echo N >"$fs/ignore-gfp-wait"	# sleeping (GFP_KERNEL) allocations too
echo 0 >"$fs/verbose"

dev=$(first_cma_dev)
echo "# device $dev"

# 1. connect: ends connected (with measurements)
nlfault "$dev" connect
check_eq "connect: nlfault sweep" 0 "$?"
check_eq "connected after the sweep" authenticated "$(tsmctl list -j | jq -r ".[] | select(.bdf == \"$dev\") | .state")"

# 2. the evidence dump, then policy set
nlfault "$dev" evidence policy
check_eq "evidence dump and policy set: nlfault sweeps" 0 "$?"

# 3. revalidate with a policy that makes it take measurements too
ev=$(tsmctl evidence "$dev" -j)
m1=$(echo "$ev" | jq -r '.measurements.values["1"]')
check "policy: current chain digest and measurement 1" \
	tsmctl policy set "$dev" --cert-digest current --meas "1=$m1"
# A listener follows: an event that cannot be allocated must reach it as
# "events were lost" (ENOBUFS), never silently.
tsmctl monitor -j --timeout 900 >/tmp/mon.json 2>/tmp/mon.err &
mon=$!
wait_for 10 grep -q following /tmp/mon.err || fail "monitor: not subscribed within 10 s"
nlfault "$dev" revalidate
check_eq "revalidate: nlfault sweep" 0 "$?"
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
check_match "the listener was told that events were lost" '"events-lost"' "$(cat /tmp/mon.json)"
check_match "  and saw the revalidations that were announced" '"revalidated"' "$(cat /tmp/mon.json)"
sed 's/^/# monitor: /' /tmp/mon.err

# 4. afterwards, all is well
check "revalidation passes" tsmctl revalidate "$dev"
check "the evidence verifies offline" tsmctl verify "$dev" --ca /testdata/ecdsa-p384/slot0/root.pem
check "policy clear" tsmctl policy clear "$dev"
check "disconnect" tsmctl disconnect "$dev"
check "connect again" tsmctl connect "$dev"
check "disconnect again" tsmctl disconnect "$dev"
done_testing
