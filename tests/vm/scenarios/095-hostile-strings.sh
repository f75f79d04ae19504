# SPDX-License-Identifier: GPL-2.0
# vm-args: --timeout 300 --devsim "--seed 95 --cma-name-hex 56656e646f723d316233363a1b5d303b6f776e6564071b5b324afffec328c29b33316d --leaf-cn-hex 6576696c201b5b33316d7265641b5b306d20ff"
# A device whose certificate names are hostile: the leaf's PCIe CMA otherName
# is "Vendor=1b36:" ESC ]0;owned BEL ESC [2J, then 0xff 0xfe 0xc3 '(' (not
# UTF-8) and a C1 CSI (U+009B) "31m"; its subject CN holds ESC [31m and 0xff.
# tsmctl's text output carries none of those bytes raw (they are \xNN), its
# -j output is valid UTF-8 (U+FFFD for the bad bytes) with the controls as
# \u escapes; every -j document here is validated against the schema by
# vm-run (SPDM_TSM_JSON_LOG, tests/vm/lib.sh).  Also: show without DEV lists
# every device, show/policy show -j are arrays, monitor -j lines.
. /tests/vm/lib.sh

dev=$(first_cma_dev)
[ -n "$dev" ] || { fail "no device with a CMA mailbox"; exit 1; }
check "connect the hostile device" tsmctl connect "$dev" -j

# only printable ASCII and newlines: no ESC, no C1, no byte >= 0x80
printable() { LC_ALL=C tr -d '\n\040-\176' | wc -c; }
out=$(tsmctl evidence "$dev")
echo "$out" | grep -E 'CMA|subject' | sed 's/^/# /'
check_eq "evidence: no raw control or non-ASCII byte on the terminal" 0 "$(tsmctl evidence "$dev" | printable)"
check_match "evidence: the otherName's escapes are visible" 'PCIe CMA: Vendor=1b36:\\x1b\]0;owned\\x07\\x1b\[2J\\xff\\xfe\\xc3\(\\xc2\\x9b31m' "$out"
check_match "evidence: the subject CN's escape is visible" 'subject: +CN=evil [\\]+1B\[31mred' "$out"
check_eq "show: no raw control byte" 0 "$(tsmctl show "$dev" | printable)"

js=$(tsmctl evidence "$dev" -j)
check "evidence -j parses" sh -c "tsmctl evidence $dev -j | jq -e . >/dev/null"
check_eq "evidence -j: one line (compact by default)" 1 "$(echo "$js" | wc -l)"
check_eq "evidence -j: no raw ESC" 0 "$(echo "$js" | tr -dc '\033' | wc -c)"
check_match "evidence -j: ESC as a \\u escape" 'u001b\]0;owned\\u0007' "$js"
check_match "evidence -j: the bytes that are not UTF-8 are U+FFFD" "$(printf '\357\277\275\357\277\275\357\277\275')\(" "$js"
check_eq "evidence -j: jq reads the otherName back" "Vendor=1b36:" \
	"$(echo "$js" | jq -r '.certificates[-1].cma_name' | cut -c1-12)"
check_eq "evidence -p: several lines" 1 "$([ "$(tsmctl evidence "$dev" -j -p | wc -l)" -gt 10 ] && echo 1)"

check_eq "show -j DEV: an array of one" 1 "$(tsmctl show "$dev" -j | jq length)"
check_eq "show -j: every device" "$(tsmctl list -j | jq length)" "$(tsmctl -j show | jq length)"
check_match "show: a block per device" '^device: ' "$(tsmctl show)"
check_eq "policy show -j: an empty array" 0 "$(tsmctl policy show -j | jq length)"
check "policy set -j" tsmctl policy set "$dev" --cert-digest current -j
check_eq "policy show DEV -j: an array of one" 1 "$(tsmctl policy show "$dev" -j | jq length)"

mon_start 1
check "revalidate -j" tsmctl revalidate "$dev" -j
mon_wait
check_eq "monitor -j: revalidated" revalidated "$(jq -r .event /tmp/mon.json)"
check_eq "monitor -j: the device and a timestamp" "$dev true" \
	"$(jq -r '"\(.device.bdf) \(.timestamp_ns > 0)"' /tmp/mon.json)"
tsmctl policy clear "$dev" >/dev/null
check "disconnect" tsmctl disconnect "$dev"
done_testing
