# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 900 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p521 --version 1.3" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p521 --version 1.0" --devsim "--identity $SPDM_TSM_BUILD/testdata/rsa-2048 --version 1.2" --devsim "--identity $SPDM_TSM_BUILD/testdata/rsa-4096 --version 1.1" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256 --version 1.0" --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384 --hash-algos sha512 --version 1.3" --devsim "--identity $SPDM_TSM_BUILD/testdata/rsa-2048 --version 1.0"
# The rest of the kernel's crypto paths (020 has P-256/SHA-256,
# P-384/SHA-384 and RSA-3072/SHA-256 at SPDM 1.1-1.3): ECDSA P-521 with
# SHA-512, RSASSA-2048 with SHA-384, RSASSA-4096 with SHA-512, P-384 signing
# a SHA-512 digest (the device accepts no other hash), and SPDM 1.0 with
# ECDSA and RSA.  Each device connects with the asym and hash expected, its
# evidence is complete and verifies offline against its root CA, and a
# foreign root CA is refused.  Seven devices, in vm-args order.
. /tests/vm/lib.sh

# device: identity asym hash version
expect() {
	case $1 in
	0) echo "ecdsa-p521 ecdsa-p521 sha512 1.3" ;;
	1) echo "ecdsa-p521 ecdsa-p521 sha512 1.0" ;;
	2) echo "rsa-2048 rsassa-2048 sha384 1.2" ;;
	3) echo "rsa-4096 rsassa-4096 sha512 1.1" ;;
	4) echo "ecdsa-p256 ecdsa-p256 sha256 1.0" ;;
	5) echo "ecdsa-p384 ecdsa-p384 sha512 1.3" ;;
	6) echo "rsa-2048 rsassa-2048 sha384 1.0" ;;
	esac
}

devs=$(tsmctl list -j | jq -r '.[] | select(.cma) | .bdf')
check_eq "seven devices with a CMA mailbox" 7 "$(echo "$devs" | wc -l)"

i=0
for dev in $devs; do
	# shellcheck disable=SC2046
	set -- $(expect $i)
	id=$1 asym=$2 hash=$3 ver=$4
	i=$((i + 1))
	tag="$dev ($asym, $hash, SPDM $ver)"

	out=$(tsmctl connect "$dev" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	check_eq "$tag: connect succeeds" 0 "$rc"

	j=$(tsmctl show "$dev" -j | jq -c '.[0]')
	check_eq "$tag: authenticated" authenticated "$(echo "$j" | jq -r .state)"
	check_eq "$tag: version" "$ver" "$(echo "$j" | jq -r .version)"
	check_eq "$tag: asym" "$asym" "$(echo "$j" | jq -r .asym)"
	check_eq "$tag: hash" "$hash" "$(echo "$j" | jq -r .hash)"

	ev=$(tsmctl evidence "$dev" -j)
	check_eq "$tag: three certificates" 3 "$(echo "$ev" | jq '.certificates | length')"
	check_eq "$tag: the evidence names the hash" "$hash" "$(echo "$ev" | jq -r .hash)"
	check_match "$tag: the leaf carries the PCIe CMA otherName" "Vendor=1b36" "$(echo "$ev" | jq -r '.certificates[2].cma_name')"
	case $asym in
	ecdsa-p521) siglen=264 ;;	# r||s, 66 bytes each
	rsassa-2048) siglen=512 ;;
	rsassa-4096) siglen=1024 ;;
	ecdsa-p256) siglen=128 ;;
	ecdsa-p384) siglen=192 ;;
	esac
	check_eq "$tag: a $((siglen / 2))-byte signature" "$siglen" "$(echo "$ev" | jq -r '.signature | length')"
	case $ver in
	1.0|1.1) check_eq "$tag: no signing context before 1.2" null "$(echo "$ev" | jq -r .context)" ;;
	*) check_eq "$tag: 1.2+ signing context" "responder-challenge_auth signing" "$(echo "$ev" | jq -r .context)" ;;
	esac

	check "$tag: verify against its root CA" tsmctl verify "$dev" --ca "/testdata/$id/slot0/root.pem"
	out=$(tsmctl verify "$dev" --ca /testdata/other-p384/slot0/root.pem 2>&1)
	check_eq "$tag: a foreign root CA is refused" 1 "$?"
	check_match "$tag: the refusal names the chain" "FAIL +chain" "$out"

	check "$tag: revalidate (the cached key verifies a new signature)" tsmctl revalidate "$dev"
	check_eq "$tag: authenticated after revalidation" authenticated "$(tsmctl show "$dev" -j | jq -r '.[0].state')"
done
done_testing
