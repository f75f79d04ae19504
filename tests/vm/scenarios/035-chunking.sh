# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 600 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --data-transfer-size 256" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --data-transfer-size 42"
# Large SPDM messages (DSP0274 1.2+): a device whose DataTransferSize is 256
# bytes announces larger responses (the whole certificate chain, a
# measurement record of 14 blocks) with ERROR LargeResponse, and the kernel
# retrieves them with CHUNK_GET; the signed measurements verify offline.  A
# device that lies in a chunk header is refused with a message naming the
# step and the lie, and connects again once it stops.  A second device with
# the minimum DataTransferSize (42) cannot take the 1.3 CHALLENGE (44 bytes)
# or GET_MEASUREMENTS (45) whole: the kernel sends them with CHUNK_SEND.
. /tests/vm/lib.sh

dev=$(first_cma_dev)
ca=/testdata/ecdsa-p384/slot0/root.pem

# 10 more digest measurements: 14 blocks, about 770 record bytes
for i in $(seq 10 19); do
	devsim_ctl 0 fault "measurement=$i:$(printf '%02x' "$i")00ff" >/dev/null ||
		fail "measurement $i: devsim_ctl"
done

out=$(tsmctl connect "$dev" --measurements 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check_eq "DataTransferSize 256: connect --measurements" 0 "$rc"
check_match "SPDM 1.4" "SPDM 1\.4" "$out"
ex=$(tsmctl show "$dev" -j | jq -r '.[0].exchanges')
# without chunks: 7 exchanges; the chain (~1.6 KB) and the record need more
[ "${ex:-0}" -ge 15 ] && ok "the large responses came in chunks ($ex DOE exchanges)" ||
	fail "only ${ex:-?} DOE exchanges: no chunks?"
check_eq "14 measurement blocks" 14 "$(tsmctl evidence "$dev" -j | jq -r .measurements.count)"
vout=$(tsmctl verify "$dev" --ca "$ca" 2>&1)
rc=$?
echo "$vout" | sed 's/^/# /'
check_eq "the evidence verifies offline" 0 "$rc"
check_match "the measurement signature verifies over the reassembled MEASUREMENTS" \
	"^ok +measurements" "$vout"
check_match "the CHALLENGE_AUTH signature verifies" "^ok +signature" "$vout"

# fault, expected message (extended regex), description; the other lies
# (Handle, ChunkSize, LargeMessageSize inconsistent, overrun, no LAST_CHUNK)
# are in tests/unit/core/test_chunk.cpp
try_lie() {
	spec=$1 want=$2 what=$3
	check "$what: inject" devsim_ctl 0 fault "$spec"
	out=$(tsmctl connect "$dev" --measurements 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check_eq "$what: connect fails" 1 "$rc"
	check_match "$what: the message names step and lie" "$want" "$out"
	check_eq "$what: state failed" failed "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
	check "$what: lift" devsim_ctl 0 fault chunk-lie=none
	devsim_ctl 0 reset >/dev/null
	check "$what: connects again" tsmctl connect "$dev" --measurements
}

try_lie chunk-lie=seq-skip "GET_CERTIFICATE: CHUNK_RESPONSE has ChunkSeqNo 2, expected 1" "ChunkSeqNo skipped"
try_lie chunk-lie=lms-big "GET_CERTIFICATE: LargeMessageSize [0-9]+ outside" "LargeMessageSize too big"
try_lie chunk-lie=stall "GET_CERTIFICATE: CHUNK_RESPONSE 0: empty chunk" "empty chunks"

# DataTransferSize 42: requests in CHUNK_SEND, responses in 26..30-byte chunks
dev2=$(tsmctl list -j | jq -r '[.[] | select(.cma)][1].bdf // empty')
out=$(tsmctl connect "$dev2" --measurements 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check_eq "DataTransferSize 42: connect --measurements" 0 "$rc"
ex=$(tsmctl show "$dev2" -j | jq -r '.[0].exchanges')
[ "${ex:-0}" -ge 60 ] && ok "DataTransferSize 42: $ex DOE exchanges" || fail "DataTransferSize 42: only ${ex:-?} exchanges"
check "DataTransferSize 42: the evidence verifies offline" tsmctl verify "$dev2" --ca "$ca"
done_testing
