# Sourced by boot-test and device-test. early_guest_fault STATUS OUT ERR: true when cwrun
# failed because the guest triple-faulted before printing anything. That happens about once
# in 50 boots in the nested test host (an L2 guest under KVM inside QEMU/TCG's emulated SVM),
# never the same test twice in a row so far; its cause is not known (docs/performance.md and
# the closing notes track it). The runners retry such a boot exactly once, saying so, so a
# repeated or any other failure still fails the test.
early_guest_fault() {
  [[ $1 -eq 125 && ! -s $2 ]] && grep -q 'triple fault (KVM_EXIT_SHUTDOWN)' "$3"
}
