# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 300 --no-load
# lanes: debug
# The SPDM core's KUnit suite (kmod/spdm/tests/spdm_core_kunit.c, suite
# "spdm-core"): the kernel build of the core against canned responses.
# Built only against a kernel with CONFIG_KUNIT (the debug kernel).
. /tests/vm/lib.sh

ko=/lib/modules/spdm_core_kunit.ko
if [ ! -f "$ko" ]; then
	echo "# no $ko: the kernel lacks CONFIG_KUNIT; run it with scripts/vm-run --debug-kernel"
	fail "spdm_core_kunit.ko built"
	done_testing
fi
[ -d /sys/kernel/debug/kunit ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
check "insmod spdm_core_kunit.ko runs the suite" insmod "$ko"
res=/sys/kernel/debug/kunit/spdm-core/results
if [ -r "$res" ]; then
	sed 's/^/# /' "$res"
	check_eq "no KUnit case failed" 0 "$(grep -c '^ *not ok' "$res")"
	check_match "the suite passed" "^ok [0-9]* spdm-core" "$(cat "$res")"
else
	# without CONFIG_KUNIT_DEBUGFS the results are in the kernel log only
	log=$(dmesg | grep -E '^\[[ 0-9.]*\] *(    )?(not )?ok [0-9]+ ')
	printf '%s\n' "$log" | sed 's/^/# /'
	check_eq "no KUnit case failed" 0 "$(printf '%s\n' "$log" | grep -c 'not ok')"
	check_match "the suite passed" "ok [0-9]+ spdm-core" "$log"
fi
check "rmmod spdm_core_kunit" rmmod spdm_core_kunit
done_testing
