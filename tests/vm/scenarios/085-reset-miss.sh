# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 600 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384"
# lanes: debug
# Resets are never missed silently: a pci_restore_state() call the reset
# probe could not record (all kretprobe instances busy) sends every
# authenticated device session-lost reason "unknown", then a revalidation.
# The miss is simulated with the debug lane's test-only module parameter
# selftest_reset_miss (kmod/selftest.c, built with SPDM_TSM_SELFTEST=1).
. /tests/vm/lib.sh

dev=$(first_cma_dev)
knob=/sys/module/spdm_tsm/parameters/selftest_reset_miss
check "the debug lane's module has selftest_reset_miss" test -e "$knob"
check "connect" tsmctl connect "$dev"
gen=$(tsmctl show "$dev" -j | jq -r '.[0].generation')

mon_start 2 30
check "count one missed reset-probe hit" sh -c "echo 1 > $knob"
mon_wait
check_eq "first: session-lost, reason unknown" "session-lost unknown" "$(mon_events "$dev" | sed -n 1p)"
check_eq "then: revalidated (trigger unknown)" "revalidated unknown" "$(mon_events "$dev" | sed -n 2p)"
check_eq "authenticated" authenticated "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
gen2=$(tsmctl show "$dev" -j | jq -r '.[0].generation')
check "a new generation ($gen -> $gen2)" test "$gen2" -gt "$gen"

# the same miss counted once: nothing more happens
mon_start 1 5
mon_wait
check_eq "no further event" "" "$(mon_events "$dev")"

# a disconnected device is not tracked: no event for it
check "disconnect" tsmctl disconnect "$dev"
mon_start 1 5
check "count three more misses" sh -c "echo 3 > $knob"
mon_wait
check_eq "not connected: no event" "" "$(mon_events "$dev")"
done_testing
