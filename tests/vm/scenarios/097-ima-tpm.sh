# SPDX-License-Identifier: GPL-2.0
# lanes: distro
# vm-args: --timeout 300 --tpm --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p384" --host-check tests/vm/scenarios/097-ima-tpm.host
# Fleet evidence: authentication results measured into IMA and the TPM
# (docs/ima-record.md).  vm-run --tpm gives the guest a swtpm behind tpm-crb
# and the IMA policy rule "measure func=CRITICAL_DATA label=spdm-tsm".  The
# guest connects and revalidates, replays its log against PCR 10, then the
# device is swapped; the logs and PCR values go to the host, where
# 097-ima-tpm.host runs tsmctl attest check on them (and on a tampered log).
# The debug kernel has no IMA and no TPM driver: "# lanes: distro" (a skip
# there); a kernel without them skips here too.
. /tests/vm/lib.sh

ima=/sys/kernel/security/ima
if [ ! -e /sys/class/tpm/tpm0/pcr-sha256/10 ] || [ ! -e $ima/binary_runtime_measurements_sha256 ]; then
	why="this kernel ($(uname -r)) has no TPM or no IMA (the debug kernel is built without them)"
	ok "# SKIP IMA records: $why"
	echo "$why" >/tmp/skip
	vm_export skip /tmp/skip
	done_testing
fi
ascii=$ima/ascii_runtime_measurements
records() { awk '$3 == "ima-buf" && $5 ~ /^spdm-tsm\// { print $5 }' $ascii | tr '\n' ' '; }
pcr10() { tr 'A-F' 'a-f' </sys/class/tpm/tpm0/pcr-sha256/10; }
nrec_ge() { [ "$(records | wc -w)" -ge "$1" ]; }

check_fails "IMA extends the TPM (not in TPM-bypass mode)" sh -c 'dmesg | grep -i "tpm-bypass"'
check_match "IMA measured the boot aggregate" "boot_aggregate" "$(head -n 1 $ascii)"
dev=$(first_cma_dev)
check_eq "no spdm-tsm record before any connect" "" "$(records)"

# The module parameter turns the records off.
echo 0 >/sys/module/spdm_tsm/parameters/ima
check "ima=0: connect" tsmctl connect "$dev"
check "ima=0: disconnect" tsmctl disconnect "$dev"
check_eq "ima=0: nothing recorded" "" "$(records)"
echo 1 >/sys/module/spdm_tsm/parameters/ima

check "connect with measurements" tsmctl connect "$dev" --measurements
ev=$(tsmctl evidence "$dev" -j)
check "revalidate" tsmctl revalidate "$dev"
# a function reset: session-lost, then the module revalidates by itself
echo 1 >"/sys/bus/pci/devices/$dev/reset"
wait_for 20 nrec_ge 4
check_eq "the log holds the records in order" \
	"spdm-tsm/$dev/connected spdm-tsm/$dev/revalidated spdm-tsm/$dev/session-lost spdm-tsm/$dev/revalidated " \
	"$(records)"

cp $ima/binary_runtime_measurements_sha256 /tmp/ima.log
pcr10 >/tmp/pcr10
# a measurement between the copy and the read would make them disagree
cmp -s $ima/binary_runtime_measurements_sha256 /tmp/ima.log || echo "# note: the log grew during the copy"
out=$(tsmctl attest check --ima-log /tmp/ima.log --pcr10 "$(cat /tmp/pcr10)" -j)
check_eq "replaying the log gives /sys/class/tpm/tpm0/pcr-sha256/10" true "$(echo "$out" | jq .pcr10_match)"
echo "$out" | jq -c '.records[]' | sed 's/^/# record: /'
check_eq "four records parsed, with their reasons" \
	"connected/none revalidated/explicit session-lost/reset revalidated/reset" \
	"$(echo "$out" | jq -r '[.records[] | "\(.event)/\(.reason)"] | join(" ")')"
check_eq "records numbered in order" "1 2 3 4" "$(echo "$out" | jq -r '[.records[].seq] | join(" ")')"
r=$(echo "$out" | jq -c '.records[0]')
check_eq "record: device ids" "1b36 0010" "$(echo "$r" | jq -r '.vendor + " " + .device')"
check_eq "record: SPDM version and algorithms" "1.4 ecdsa-p384 sha384 0" \
	"$(echo "$r" | jq -r '"\(.version) \(.asym) \(.hash) \(.slot)"')"
chain="sha384:$(echo "$ev" | jq -r '.slot_digests["0"]')"
check_eq "record: the chain digest verified at connect" "$chain" "$(echo "$r" | jq -r .chain)"
meas="sha256:$(echo "$ev" | jq -r .measurements.blocks | xxd -r -p | sha256sum | cut -d' ' -f1)"
check_eq "record: SHA-256 of the signed measurement record" "$meas" "$(echo "$r" | jq -r .meas)"
check_eq "revalidated record: no measurements taken" none "$(echo "$out" | jq -r '.records[1].meas')"

printf '[device %s]\nchain = %s\nmeas = %s\nmin-version = 1.2\n' "$dev" "$chain" "$meas" >/tmp/expect.conf
check "attest check --expect passes in the guest" \
	tsmctl attest check --ima-log /tmp/ima.log --pcr10 "$(cat /tmp/pcr10)" --expect /tmp/expect.conf
vm_export ima.log /tmp/ima.log
vm_export pcr10 /tmp/pcr10
vm_export expect.conf /tmp/expect.conf

# The device is replaced (another identity): the revalidation fails with
# reason cert-digest, and the log says so.
check "devsim: swap identity" devsim_ctl 0 swap-identity
check_fails "revalidate the swapped device fails" tsmctl revalidate "$dev"
check_match "a failed record follows" "/revalidated spdm-tsm/$dev/revalidation-failed \$" "$(records)"
cp $ima/binary_runtime_measurements_sha256 /tmp/ima-swapped.log
pcr10 >/tmp/pcr10-swapped
out=$(tsmctl attest check --ima-log /tmp/ima-swapped.log --pcr10 "$(cat /tmp/pcr10-swapped)" \
	--expect /tmp/expect.conf -j)
check_eq "swapped: the replay still matches the TPM" true "$(echo "$out" | jq .pcr10_match)"
check_eq "swapped: the last record is revalidation-failed (cert-digest)" "revalidation-failed cert-digest" \
	"$(echo "$out" | jq -r '.records[-1] | "\(.event) \(.reason)"')"
check_eq "swapped: --expect fails" false "$(echo "$out" | jq .ok)"
vm_export ima-swapped.log /tmp/ima-swapped.log
vm_export pcr10-swapped /tmp/pcr10-swapped

check "disconnect" tsmctl disconnect "$dev"
check_match "disconnected is recorded" "spdm-tsm/$dev/disconnected $" "$(records)"
# a connect the device fails (a bad signature) is recorded too
check "devsim: bad signatures" devsim_ctl 0 fault bad-signature=always
check_fails "connect fails" tsmctl connect "$dev"
check_match "connect-failed is recorded" "spdm-tsm/$dev/connect-failed $" "$(records)"
out=$(tsmctl attest check --ima-log $ima/binary_runtime_measurements_sha256 --pcr10 "$(pcr10)" -j)
check_eq "connect-failed: reason signature, no identity" "signature none none" \
	"$(echo "$out" | jq -r '.records[-1] | "\(.reason) \(.chain) \(.version)"')"
done_testing
