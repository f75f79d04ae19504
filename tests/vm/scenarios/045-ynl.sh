# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 600 --devsim "--identity $SPDM_TSM_BUILD/testdata/ecdsa-p256" --devsim "--identity $SPDM_TSM_BUILD/testdata/rsa-4096"
# The YNL spec (kmod/spdm-tsm.yaml) against the running module: ynltest
# drives the family through the kernel's YNL C library and the user code
# ynl_gen_c.py generates from the spec (dev-get dump, connect, the events
# group's dev-event-ntf, evidence-get dumps with and without an objects mask,
# disconnect); YNL parses every message with the spec's attribute types.
# What it read must be what tsmctl (libnl, the UAPI header) reads.  And an
# evidence dump that a revalidation interrupts ends flagged NLM_F_DUMP_INTR
# (genl_dump_check_consistent), on the RSA-4096 device: its evidence (about
# 12 KiB) takes several dump rounds.
. /tests/vm/lib.sh

if ! command -v ynltest >/dev/null; then
	ok "# SKIP ynltest is not built (no linux-source tarball in the build environment)"
	done_testing
fi

dev=$(tsmctl list -j | jq -r '[.[] | select(.cma)][0].bdf // empty')
check_match "a device with a CMA mailbox" '^[0-9a-f]{4}:' "$dev"

ynltest "$dev" >/tmp/ynl.out 2>&1
rc=$?
sed 's/^/# /' /tmp/ynl.out
check_eq "ynltest: every check passed" 0 "$rc"

# ynltest disconnected the device; a new handshake has a new nonce, so
# compare the identity: the slot 0 digest YNL read and the one tsmctl reads.
check "tsmctl connect --measurements" tsmctl connect "$dev" --measurements
ev=$(tsmctl evidence "$dev" -j)
ynltest_digest=$(sed -n 's/^slot-digest 0 //p' /tmp/ynl.out)
check_eq "slot 0 digest: YNL and tsmctl agree" "$(echo "$ev" | jq -r '.slot_digests["0"]')" "$ynltest_digest"
check "tsmctl disconnect" tsmctl disconnect "$dev"

big=$(tsmctl list -j | jq -r '[.[] | select(.cma)][1].bdf // empty')
check_match "the RSA-4096 device" '^[0-9a-f]{4}:' "$big"
check "connect the RSA-4096 device" tsmctl connect "$big" --measurements
nlprobe --dump-intr "$big"
check_eq "nlprobe --dump-intr: the interrupted dump is flagged, nothing new after it" 0 "$?"
check "tsmctl evidence reads it whole afterwards" tsmctl evidence "$big"
check "disconnect the RSA-4096 device" tsmctl disconnect "$big"
done_testing
