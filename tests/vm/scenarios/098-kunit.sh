# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 300 --no-load
# lanes: debug
# The SPDM core's KUnit suite (kmod/spdm/tests/spdm_core_kunit.c, suite
# "spdm-core"): the kernel build of the core against canned responses, and
# the session crypto through the kernel's ops (kpp ECDH, gcm(aes),
# rfc7539(chacha20,poly1305), sha2 HMAC) against known answers.  Built only
# against a kernel with CONFIG_KUNIT (the debug kernel).  A case whose
# transform the kernel lacks is a KUnit skip, reported here as a SKIP.
. /tests/vm/lib.sh

ko=/lib/modules/spdm_core_kunit.ko
if [ ! -f "$ko" ]; then
	echo "# no $ko: the kernel lacks CONFIG_KUNIT; run it with scripts/vm-run --debug-kernel"
	fail "spdm_core_kunit.ko built"
	done_testing
fi
[ -d /sys/kernel/debug/kunit ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
# The transforms the session cases use, where the kernel has them as modules
# (Debian's); built in (the debug kernel) or absent, modprobe fails quietly
# and the crypto API finds them or the case skips.
for m in ecdh_generic gcm chacha20poly1305; do
	modprobe -q "$m" 2>/dev/null && echo "# modprobe $m"
done
check "insmod spdm_core_kunit.ko runs the suite" insmod "$ko"
res=/sys/kernel/debug/kunit/spdm-core/results
if [ -r "$res" ]; then
	out=$(cat "$res")
else
	# without CONFIG_KUNIT_DEBUGFS the results are in the kernel log only
	out=$(dmesg | grep -E '^\[[ 0-9.]*\] *( {4})*(not )?ok [0-9]+ ' |
		sed -E 's/^\[[ 0-9.]*\] //')
fi
printf '%s\n' "$out" | sed 's/^/# /'
check_eq "no KUnit case failed" 0 "$(printf '%s\n' "$out" | grep -c '^ *not ok')"
check_match "the suite passed" "^ok [0-9]+ spdm-core" "$out"
# each session case ran (passed, failed or skipped: not left out)
for c in spdm_kunit_kat_ecdh spdm_kunit_kat_key_schedule spdm_kunit_rfc5869 \
	spdm_kunit_kat_aead spdm_kunit_kat_record; do
	check_match "KUnit case $c reported" "^ *(not )?ok [0-9]+ $c" "$out"
done
# a skipped case or vector (a transform the kernel lacks) is a SKIP
printf '%s\n' "$out" | sed -nE 's/^ *ok [0-9]+ ([^ ]+) # SKIP ?(.*)$/\1: \2/p' >/tmp/kunit.skips
while read -r line; do ok "# SKIP KUnit $line"; done </tmp/kunit.skips
check "rmmod spdm_core_kunit" rmmod spdm_core_kunit
done_testing
