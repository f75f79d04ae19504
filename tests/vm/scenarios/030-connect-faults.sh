# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 600 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384"
# A hostile or broken device: each fault makes connect fail with a message
# naming the step and the reason, within a bounded time, leaves the kernel
# clean (vm-run scans dmesg), and the device connects again once the fault
# is lifted.
. /tests/vm/lib.sh

dev=$(first_cma_dev)

# fault SPEC, expected message (extended regex), description
try_fault() {
	spec=$1 want=$2 what=$3
	check "$what: inject" devsim_ctl 0 fault "$spec"
	t0=$(date +%s)
	out=$(tsmctl connect "$dev" 2>&1)
	rc=$?
	t=$(( $(date +%s) - t0 ))
	echo "$out" | sed 's/^/# /'
	check_eq "$what: connect fails" 1 "$rc"
	check_match "$what: the message names step and reason" "$want" "$out"
	[ "$t" -le 30 ] && ok "$what: failed within 30 s (${t}s)" || fail "$what: took ${t}s"
	check_eq "$what: state failed" failed "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
	check_match "$what: last_error kept" "$want" "$(tsmctl show "$dev" -j | jq -r '.[0].last_error')"
	check_fails "$what: no evidence" tsmctl evidence "$dev"
	check "$what: lift" devsim_ctl 0 clear
	devsim_ctl 0 reset >/dev/null
	check "$what: connects again" tsmctl connect "$dev"
	check_eq "$what: authenticated again" authenticated "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
}

# ResponseNotReady: devsim defers a request (ERROR ResponseNotReady with
# RDTExponent 10, RDTM 2, token 0x5a) and answers it to the RESPOND_IF_READY
# that names the request and the token; the kernel's bounded retry gets
# through three of them.  Its counters start at 0 when devsim starts.
status() { devsim_ctl 0 status | sed 's/^ok //' | jq -r ".$1"; }
check "not-ready: inject" devsim_ctl 0 fault not-ready=3:10:2:0x5a
check "not-ready: connect succeeds through 3 ResponseNotReady" tsmctl connect "$dev"
check_eq "not-ready: authenticated" authenticated "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
check_eq "not-ready: devsim sent 3 ResponseNotReady" 3 "$(status not_ready)"
check_eq "not-ready: devsim got 3 RESPOND_IF_READY" 3 "$(status respond_if_ready)"
check_eq "not-ready: each named the deferred request and token 0x5a" 3 "$(status rir_matched)"
check_eq "not-ready: the token devsim gave" 90 "$(status last_token)"
check "not-ready: lift" devsim_ctl 0 clear
# ResponseNotReady forever ends in the core's bounded retry (090 has it
# against the deadline)
try_fault not-ready=always:10 "still ResponseNotReady after [0-9]+ retries" "ResponseNotReady forever"

try_fault bad-signature=always "CHALLENGE_AUTH: signature does not verify" "bad signature"
try_fault chain-overlong "GET_CERTIFICATE: .*chain" "chain longer than its header"
try_fault garbage=always "(GET_VERSION|VERSION).*" "garbage responses"
try_fault busy=always "still Busy after [0-9]+ retries" "Busy forever"
try_fault truncate=always "(VERSION|Length|short|truncated)" "truncated responses"
try_fault wrong-version=always "(version|Version)" "wrong SPDM version in responses"

# A caller-chosen nonce is used as given.
nonce=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
check "connect with a user nonce" tsmctl connect "$dev" --nonce "$nonce"
check_eq "the evidence carries that nonce" "$nonce" "$(tsmctl evidence "$dev" -j | jq -r .nonce)"
check_fails "a short nonce is refused" tsmctl connect "$dev" --nonce 0011
done_testing
