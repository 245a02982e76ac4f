#!/usr/bin/env bash
# Checks that tests/podman/podman-env gives a working private Podman with the stock runtime
# (crun), so a later failure of `podman run --runtime krun` is krun's and not the
# environment's. Also checks the KRUN= hook with a logging shim named krun that forwards to
# crun: podman must drive the binary KRUN names. Wraps itself in tests/podman/podman-env; run
# it where VMs run: tests/kvmhost/run -- tests/podman/env-test.sh (meson: podman-env, suite vmm).
# Exit 77 (skip, the repository's convention for a missing tool) only when podman itself is
# not installed; any other problem fails.
set -euo pipefail

# Checked before the environment is set up, so that a missing podman skips and does not fail.
if ! command -v podman >/dev/null; then
  echo "SKIP: podman is not installed (run scripts/setup-deps)"
  exit 77
fi
here=$(cd "$(dirname "$0")" && pwd)
[[ -n ${PODMAN_ENV_DIR:-} ]] || exec "$here/podman-env" -- "$here/env-test.sh" "$@"
image=$PODMAN_ENV_IMAGE
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
# Runs a command, printing how long it took (podman under TCG is slow: the numbers matter).
timed() {  # timed LABEL COMMAND... ; output in $out, status in $rc
  local start=$EPOCHREALTIME
  set +e; out=$("${@:2}" 2>&1 </dev/null); rc=$?; set -e
  printf 'time: %-28s %6.2f s\n' "$1" "$(echo "$EPOCHREALTIME - $start" | bc)"
}
state() { podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>&1; }

# The store really is the private one, never the machine's /var/lib/containers.
graphroot=$(podman info --format '{{.Store.GraphRoot}}')
[[ $graphroot == "$PODMAN_ENV_DIR"/* ]] && ok "graphroot $graphroot" || fail "graphroot is $graphroot, not under $PODMAN_ENV_DIR"
echo "info: $(podman info --format 'cgroups {{.Host.CgroupsVersion}}, driver {{.Store.GraphDriverName}}, runtime {{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}' | head -n 1)"

timed "run --rm echo" podman run --rm --runtime crun --network none "$image" /bin/busybox echo hi
[[ $rc == 0 && $out == hi ]] && ok "podman run --rm prints hi" || fail "podman run --rm: rc $rc, output: $out"

timed "run --rm exit 3" podman run --rm --runtime crun --network none "$image" /bin/sh -c 'exit 3'
[[ $rc == 3 ]] && ok "the container's exit status is podman's (3)" || fail "exit 3 gave rc $rc: $out"

timed "run -d sleep" podman run -d --name envtest-sleep --runtime crun --network none "$image" /bin/sleep 1000
[[ $rc == 0 ]] || fail "podman run -d: rc $rc: $out"
s=$(state envtest-sleep)
[[ $s == "running 0" ]] && ok "run -d: running" || fail "run -d: state '$s'"
podman ps --format '{{.Names}} {{.Status}}' | grep -q '^envtest-sleep Up' && ok "ps shows it Up" \
  || fail "ps: $(podman ps -a --format '{{.Names}} {{.Status}}')"
# sleep as PID 1 has no SIGTERM handler, so stop ends it with SIGKILL after -t: 137.
timed "stop -t 1" podman stop -t 1 envtest-sleep
s=$(state envtest-sleep)
[[ $rc == 0 && $s == "exited 137" ]] && ok "stop: exited 137" || fail "stop: rc $rc, state '$s': $out"
podman ps -a --format '{{.Names}} {{.Status}}' | grep -q '^envtest-sleep Exited (137)' && ok "ps -a shows it Exited (137)" \
  || fail "ps -a: $(podman ps -a --format '{{.Names}} {{.Status}}')"

timed "create" podman create --name envtest-created --runtime crun --network none "$image" /bin/busybox echo started
s=$(state envtest-created)
[[ $rc == 0 && $s == "created 0" ]] && ok "create: created" || fail "create: rc $rc, state '$s': $out"
timed "start -a" podman start -a envtest-created
[[ $rc == 0 && $out == started && $(state envtest-created) == "exited 0" ]] && ok "start -a: ran, exited 0" \
  || fail "start -a: rc $rc, state '$(state envtest-created)': $out"
out=$(podman logs envtest-created 2>&1)
[[ $out == started ]] && ok "logs" || fail "logs: $out"

timed "rm -a -f" podman rm -a -f -t 0
[[ $rc == 0 && -z $(podman ps -aq) ]] && ok "rm -a: no containers left" || fail "rm -a: rc $rc: $out; left: $(podman ps -aq)"

# podman load of an oci-archive (a tar of an OCI image layout): the form oci2cw
# --output-image writes. This one is tests/lib/workload_image.py's busybox image.
work=$(mktemp -d)
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import workload_image as w; w.make_busybox_image(sys.argv[2], ["/bin/sh", "-c", "echo from-archive; exit 7"])' \
  "$here/../lib" "$work/layout"
tar -C "$work/layout" -cf "$work/busybox.tar" .
timed "load -i oci-archive" podman load -i "$work/busybox.tar"
id=$(sed -n 's/^Loaded image[^:]*: *//p' <<<"$out" | head -n 1)
if [[ $rc == 0 && -n $id ]]; then
  timed "run loaded image" podman run --rm --runtime crun "$id"
  [[ $rc == 7 && $out == from-archive ]] && ok "load -i oci-archive, then run it (exit 7)" || fail "running the loaded $id: rc $rc: $out"
else
  fail "podman load -i oci-archive: rc $rc: $out"
fi

# oci2cw's own --output-image, when the build gives OCI2CW: it loads, and the stock runtime
# runs its /entrypoint, which fails closed with a line naming --runtime krun.
if [[ -n ${OCI2CW:-} ]]; then
  timed "oci2cw --output-image" "$OCI2CW" "oci:$work/layout" --output "$work/cw" --tee none --workload-id envtest \
    --output-image "oci-archive:$work/cw.tar:v1"
  [[ $rc == 0 ]] || fail "oci2cw --output-image: rc $rc: $out"
  timed "load -i oci2cw archive" podman load -i "$work/cw.tar"
  [[ $rc == 0 && $out == *"localhost/envtest:v1"* ]] && ok "podman load -i oci2cw's archive: localhost/envtest:v1" \
    || fail "podman load -i oci2cw's archive: rc $rc: $out"
  timed "run it with crun" podman run --rm --runtime crun localhost/envtest:v1
  [[ $rc == 1 && $out == *"--runtime krun"* ]] && ok "crun runs its /entrypoint, which refuses (exit 1)" \
    || fail "crun on oci2cw's image: rc $rc: $out"
else
  echo "note: OCI2CW not set: oci2cw's --output-image archive not checked"
fi
rm -rf "$work"

# The KRUN= hook: a shim named krun (the name podman keys JSON logging on) that logs its
# arguments and forwards to crun. A fresh environment on the same store registers it.
shim_dir=$(mktemp -d)
cat > "$shim_dir/krun" <<SHIM
#!/bin/bash
echo "\$*" >> "$shim_dir/calls"
exec $(command -v crun) "\$@"
SHIM
chmod +x "$shim_dir/krun"
(
  export KRUN=$shim_dir/krun
  # shellcheck source=podman-env
  . "$here/podman-env" || exit 1
  path=$(podman --runtime krun info --format '{{.Host.OCIRuntime.Path}}')
  [[ $path == "$KRUN" ]] || { echo "FAIL: podman --runtime krun info shows '$path', not $KRUN"; exit 1; }
  timed "run --rm --runtime krun(shim)" podman run --rm --runtime krun "$image" /bin/busybox echo via-krun
  [[ $rc == 0 && $out == via-krun ]] || { echo "FAIL: --runtime krun: rc $rc: $out"; exit 1; }
) && ok "KRUN= registers the runtime podman --runtime krun runs" || fail "the KRUN= hook"
for verb in create start 'delete --force'; do
  grep -q -- " $verb \|^$verb " "$shim_dir/calls" 2>/dev/null || fail "the krun shim never saw '$verb' (calls: $(tr '\n' ';' < "$shim_dir/calls" 2>/dev/null))"
done
rm -rf "$shim_dir"

if ((failures)); then echo "env-test: $failures failed"; exit 1; fi
echo "env-test: all passed"
