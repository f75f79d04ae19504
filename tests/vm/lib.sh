# SPDX-License-Identifier: GPL-2.0
# Helpers for VM scenarios (busybox sh in the guest).  Source it:
#   . /tests/vm/lib.sh
# Each check prints "ok - ..." or "not ok - ..."; a scenario fails (exit 1)
# when any check failed.  The host (scripts/vm-run) also fails the scenario on
# any kernel WARNING/BUG/Oops/KASAN/lockdep report in dmesg.

_failed=0
_count=0

# Each result line ends with the guest's uptime, to see where time goes.
_t() { read -r _up _ </proc/uptime; echo "[${_up}s]"; }
ok()   { _count=$((_count + 1)); echo "ok $_count - $* $(_t)"; }
fail() { _count=$((_count + 1)); _failed=$((_failed + 1)); echo "not ok $_count - $* $(_t)"; }

# check DESCRIPTION CMD...: passes when CMD exits 0
check() {
	d=$1; shift
	if "$@" >/tmp/check.out 2>&1; then ok "$d"; else
		fail "$d"; sed 's/^/#   /' /tmp/check.out; fi
}

# check_fails DESCRIPTION CMD...: passes when CMD exits non-zero
check_fails() {
	d=$1; shift
	if "$@" >/tmp/check.out 2>&1; then
		fail "$d (succeeded unexpectedly)"; sed 's/^/#   /' /tmp/check.out
	else ok "$d"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# check_match DESCRIPTION REGEX TEXT
check_match() {
	if printf '%s\n' "$3" | grep -qE "$2"; then ok "$1"; else
		fail "$1: /$2/ not found in:"; printf '%s\n' "$3" | sed 's/^/#   /'; fi
}

# The BDF of the first PCI function with a CMA mailbox, from tsmctl list -j.
first_cma_dev() { tsmctl list -j | jq -r '[.[] | select(.cma)][0].bdf // empty'; }

# as_caps CAPS CMD...: run CMD as user nobody (65534:65534, no supplementary
# groups) holding exactly CAPS (capexec --caps: "none", "net_admin",
# "sys_admin,net_admin", ...) in its effective, permitted, inheritable and
# ambient sets; CMD's exit status, 125 when capexec itself failed.
as_caps() {
	_caps=$1; shift
	capexec --user 65534:65534 --caps "$_caps" -- "$@"
}

# devsim_ctl N COMMAND...: send one line to the control socket of the Nth
# --devsim (0-based, vm-args order) and print its one-line reply; with
# pciN, of the Nth --devsim-pci.  Fails when the devsim answers with an
# error or not within 10 s.
devsim_ctl() {
	n=$1; shift
	case $n in
	pci*) name=devsim-$n ;;
	*) name=devsim$n ;;
	esac
	port=
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = "$name" ] && port=/dev/$(basename "$p")
	done
	[ -n "$port" ] || { echo "devsim_ctl: no virtio port $name" >&2; return 1; }
	reply=$(timeout 10 sh -c 'exec 3<>"$1"; shift; echo "$*" >&3; read -r r <&3; echo "$r"' \
		devsim_ctl "$port" "$@")
	echo "$reply"
	case "$reply" in
	ok*) return 0 ;;
	*) return 1 ;;
	esac
}

# vm_host REQUEST...: ask the host (scripts/vm-host-agent, started by vm-run
# with --devsim-pci) to act on the VM: "unplug devsim-pciN" (returns once
# QEMU reports the device deleted), "plug devsim-pciN", "list".  Prints the
# one-line reply; fails on an error reply or after 90 s.
vm_host() {
	port=
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = vmrun-host ] && port=/dev/$(basename "$p")
	done
	[ -n "$port" ] || { echo "vm_host: no virtio port vmrun-host" >&2; return 1; }
	reply=$(timeout 90 sh -c 'exec 3<>"$1"; shift; echo "$*" >&3; read -r r <&3; echo "$r"' \
		vm_host "$port" "$@")
	echo "$reply"
	case "$reply" in
	ok*) return 0 ;;
	*) return 1 ;;
	esac
}

# vm_export NAME FILE: hand FILE to the host as NAME (base64 between
# SPDM_TSM_EXPORT_BEGIN/END markers on the console; scripts/vm-run decodes
# it into the directory its --host-check script gets).  NAME: [A-Za-z0-9._-]+
vm_export() {
	echo "SPDM_TSM_EXPORT_BEGIN $1"
	base64 <"$2"
	echo "SPDM_TSM_EXPORT_END $1"
}

# now_ms: the guest's uptime in milliseconds (for timing an operation)
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds (0) or
# SECONDS passed (1)
wait_for() {
	_n=$(($1 * 5)); shift
	while [ "$_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2; _n=$((_n - 1))
	done
	return 1
}

# Events: mon_start N [SECONDS] follows the events group in the background
# (tsmctl monitor -j into /tmp/mon.json) until N events arrived or SECONDS
# (default 60) passed, and returns once the monitor is subscribed;
# mon_wait waits for it and prints the events as comments; mon_events DEV
# prints "EVENT REASON", one line per event about DEV, in order.
mon_start() {
	: >/tmp/mon.err
	tsmctl monitor -j --count "$1" --timeout "${2:-60}" >/tmp/mon.json 2>/tmp/mon.err &
	_mon=$!
	wait_for 10 grep -q following /tmp/mon.err && return 0
	echo "# mon_start: the monitor did not subscribe within 10 s"
	return 1
}
mon_wait() { wait "$_mon"; sed 's/^/# event: /' /tmp/mon.json; }
mon_events() { jq -r --arg d "$1" 'select(.device.bdf == $d) | "\(.event) \(.reason)"' /tmp/mon.json; }

done_testing() {
	echo "# $_count checks, $_failed failed"
	[ "$_failed" = 0 ] && [ "$_count" -gt 0 ]
	exit $?
}

# udev (vm-run --udev): udev_start starts systemd-udevd with only this
# repository's rules (/etc/udev/rules.d) and follows its processed pci
# events (udevadm monitor --udev --property) into /tmp/udev.mon;
# udev_events [LINE] prints "SPDM_TSM_EVENT SPDM_TSM_REASON CURRENT_TAGS" for
# each processed event of that log from line LINE on (default 1; "-" for an
# absent property), in order; udev_mark prints the line to start from for
# events still to come.
udev_start() {
	mkdir -p /run/udev
	/usr/lib/systemd/systemd-udevd --daemon 2>/tmp/udevd.err || return 1
	wait_for 10 udevadm control --ping || return 1
	udevadm monitor --udev --property --subsystem-match=pci >/tmp/udev.mon 2>&1 &
	_udevmon=$!
	wait_for 10 grep -q "^UDEV - " /tmp/udev.mon
}
udev_mark() { echo $(($(wc -l </tmp/udev.mon) + 1)); }
udev_events() {
	tail -n +"${1:-1}" /tmp/udev.mon | awk '/^UDEV  \[/ { if (n) print e, r, t; n = 1; e = "-"; r = "-"; t = "-"; next }
	     /^SPDM_TSM_EVENT=/ { e = substr($0, 16) } /^SPDM_TSM_REASON=/ { r = substr($0, 17) }
	     /^CURRENT_TAGS=/ { t = substr($0, 14) }
	     END { if (n) print e, r, t }'
}

# The JSON contract: every JSON document that tsmctl prints in a scenario is
# also written (SPDM_TSM_JSON_LOG, with its command line) to the virtio port
# "vmrun-json"; after the run scripts/vm-run validates each one against
# tests/schema/tsmctl.schema.json and fails the scenario on a mismatch.
for _p in /sys/class/virtio-ports/*; do
	[ "$(cat "$_p/name" 2>/dev/null)" = vmrun-json ] && export SPDM_TSM_JSON_LOG=/dev/$(basename "$_p")
done
