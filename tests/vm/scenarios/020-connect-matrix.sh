# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 1200 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256 --version 1.1" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256 --version 1.2" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256 --version 1.3" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256 --version 1.3,1.4" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --version 1.1" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --version 1.2" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --version 1.3" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --version 1.3,1.4" --devsim "--identity $SPDM_TSM_BUILD/testdata/rsa-3072 --version 1.1" --devsim "--identity $SPDM_TSM_BUILD/testdata/rsa-3072 --version 1.2" --devsim "--identity $SPDM_TSM_BUILD/testdata/rsa-3072 --version 1.3" --devsim "--identity $SPDM_TSM_BUILD/testdata/rsa-3072 --version 1.3,1.4"
# The kernel authenticates ECDSA P-256, ECDSA P-384 and RSA-3072 devices at
# SPDM 1.1, 1.2, 1.3 and 1.4 (twelve devices, in vm-args order) with the
# hash each prefers, the evidence is complete, and userspace re-verifies it
# offline with mbedTLS against the right trust anchor -- and refuses a wrong
# one.  The "1.3" devices offer 1.3 alone; the "1.4" devices offer 1.3 and
# 1.4, and the kernel must pick the highest common version, 1.4 (signed
# with the "dmtf-spdm-v1.4.*" prefix, which the offline verification
# rebuilds from the evidence's version).
# 021 covers the other algorithms and SPDM 1.0.
. /tests/vm/lib.sh

devs=$(tsmctl list -j | jq -r '.[] | select(.cma) | .bdf')
check_eq "twelve devices with a CMA mailbox" 12 "$(echo "$devs" | wc -l)"

i=0
for dev in $devs; do
	case $i in
	0|1|2|3) id=ecdsa-p256 asym=ecdsa-p256 hash=sha256 ;;
	4|5|6|7) id=ecdsa-p384 asym=ecdsa-p384 hash=sha384 ;;
	*) id=rsa-3072 asym=rsassa-3072 hash=sha256 ;;
	esac
	ver=1.$(( i % 4 + 1 ))
	i=$((i + 1))
	tag="$dev ($asym, SPDM $ver)"

	out=$(tsmctl connect "$dev" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check_eq "$tag: connect succeeds" 0 "$rc"
	check_match "$tag: connect reports exchanges and time" "DOE exchanges in [0-9.]+ ms" "$out"

	j=$(tsmctl show "$dev" -j | jq -c '.[0]')
	check_eq "$tag: authenticated" authenticated "$(echo "$j" | jq -r .state)"
	check_eq "$tag: version" "$ver" "$(echo "$j" | jq -r .version)"
	check_eq "$tag: asym" "$asym" "$(echo "$j" | jq -r .asym)"
	check_eq "$tag: hash" "$hash" "$(echo "$j" | jq -r .hash)"
	check_eq "$tag: 6 DOE exchanges for a whole-chain transfer" 6 "$(echo "$j" | jq -r .exchanges)"

	ev=$(tsmctl evidence "$dev" -j)
	check_eq "$tag: evidence version" "$ver" "$(echo "$ev" | jq -r .version)"
	check_eq "$tag: three certificates" 3 "$(echo "$ev" | jq '.certificates | length')"
	check_match "$tag: the leaf carries the PCIe CMA otherName" "Vendor=1b36" "$(echo "$ev" | jq -r '.certificates[2].cma_name')"
	check_eq "$tag: 32-byte nonce" 64 "$(echo "$ev" | jq -r '.nonce | length')"
	check_match "$tag: a signature" '^[0-9a-f]{128,}$' "$(echo "$ev" | jq -r .signature)"
	if [ "$ver" = 1.1 ]; then
		check_eq "$tag: no signing context before 1.2" null "$(echo "$ev" | jq -r .context)"
	else
		check_eq "$tag: 1.2+ signing context" "responder-challenge_auth signing" "$(echo "$ev" | jq -r .context)"
	fi

	vout=$(tsmctl verify "$dev" --ca "/testdata/$id/slot0/root.pem" 2>&1)
	rc=$?
	echo "$vout" | sed 's/^/# /'
	check_eq "$tag: verify offline against its root CA" 0 "$rc"
	check_match "$tag: the CHALLENGE_AUTH signature verifies offline" "^ok +signature" "$vout"
	out=$(tsmctl verify "$dev" --ca /testdata/other-p384/slot0/root.pem 2>&1)
	check_eq "$tag: a foreign root CA is refused" 1 "$?"
	check_match "$tag: the refusal names the chain" "FAIL +chain" "$out"
done

dev=$(echo "$devs" | head -n1)
check "disconnect" tsmctl disconnect "$dev"
check_eq "state none after disconnect" none "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
out=$(tsmctl evidence "$dev" 2>&1)
check_match "no evidence after disconnect" "not authenticated" "$out"
check "connect again" tsmctl connect "$dev"
done_testing
