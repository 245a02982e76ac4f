/* The VMM as a library: a C API in the shape of libkrun's.
 *
 *   int32_t ctx = cw_create_ctx();
 *   cw_set_vm_config(ctx, 2, 512);
 *   cw_set_kernel(ctx, cw_default_kernel(), "initrd.cpio", "-- arg");
 *   int32_t status = cw_start_enter(ctx);   // blocks until the guest stops
 *   cw_free_ctx(ctx);
 *
 * Every call returns 0 (or a context id / exit status) on success and a negative errno on
 * failure; cw_get_error() then holds one line saying what was wrong. Contexts are
 * independent; one context must not be used from two threads at once.
 */
#ifndef CW_VMM_H
#define CW_VMM_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CW_VMM_API_VERSION 1

/* A new configuration context: its id (>= 0), or -errno. */
int32_t cw_create_ctx(void);
int32_t cw_free_ctx(uint32_t ctx);

/* vCPUs (1..64) and guest RAM in MiB (>= 32). Defaults: 1 vCPU, 256 MiB. */
int32_t cw_set_vm_config(uint32_t ctx, uint8_t num_vcpus, uint32_t ram_mib);

/* Kernel (ELF vmlinux or bzImage), optional initramfs (NULL: none) and text appended to the
 * VMM's base command line (NULL: nothing). */
int32_t cw_set_kernel(uint32_t ctx, const char* kernel_path, const char* initramfs_path, const char* cmdline);

/* Adds a virtio-blk disk backed by the raw image at `path` (vda, vdb, ... in call order).
 * `block_id` is the serial the guest reads (NULL: the file's name). */
int32_t cw_add_disk(uint32_t ctx, const char* block_id, const char* path, bool read_only);
/* Guest connections to host vsock port PORT go to a host address: `spec` is
 * "PORT=HOST:TCPPORT" or "PORT=unix:PATH". Adds the vsock device (guest CID 3). */
int32_t cw_add_vsock_forward(uint32_t ctx, const char* spec);
/* Host clients connecting to the Unix socket PATH reach guest vsock port PORT: `spec` is
 * "PATH=PORT". The VMM creates the socket and removes it at exit. Adds the vsock device. */
int32_t cw_add_vsock_listen(uint32_t ctx, const char* spec);
/* The guest console: CW_CONSOLE_VIRTIO (default: hvc0 on the host's stdin and stdout) or
 * CW_CONSOLE_SERIAL (ttyS0, output only; shows the kernel's earliest messages). */
#define CW_CONSOLE_VIRTIO 0
#define CW_CONSOLE_SERIAL 1
int32_t cw_set_console(uint32_t ctx, uint32_t kind);
/* The confidential launch: "none" (default) or "sim" (an ordinary VM with a simulated launch
 * measurement and a report service on host vsock port 4050, signed with the P-384 private key
 * at key_path; PROTECTS NOTHING, see docs/threat-model.md). "snp" and "tdx" are refused
 * (-ENOTSUP) with one line in cw_get_error: what this host lacks (e.g. KVM_X86_SNP_VM in
 * KVM_CAP_VM_TYPES), or, on a capable host, that the guest boot is not implemented yet;
 * never a silent fallback. */
int32_t cw_set_tee(uint32_t ctx, const char* tee, const char* key_path);
/* A workload configuration (JSON, at most 64 KiB) the guest reads as /cw/workload.json; it is
 * part of the launch measurement and its SHA-256 is the sim report's HOST_DATA. */
int32_t cw_set_workload_config(uint32_t ctx, const char* path);
/* With enable != 0, the first SIGTERM/SIGINT/SIGHUP the VMM gets goes to the workload
 * through guest-init (it runs on until the workload exits); a second one, or a guest that
 * does not take it, stops the VM (128+N). Adds the vsock device if there is none. */
int32_t cw_set_forward_signals(uint32_t ctx, int32_t enable);
/* Builds and runs the VM until the guest stops. Returns the workload's exit status
 * (0..255; 128+N when the VMM got signal N; 125 when the VM failed) or -errno when the VM
 * could not be built. */
int32_t cw_start_enter(uint32_t ctx);

/* The last error on ctx, one line; valid until the next call on ctx. Never NULL. */
const char* cw_get_error(uint32_t ctx);

/* The project's guest kernel as installed or built (NULL when none is found). */
const char* cw_default_kernel(void);
/* The project's guest initramfs (the guest init, src/guest-init) as installed or built (NULL
 * when none is found): what `cwrun WORKLOAD` boots and oci2cw measures with. */
const char* cw_default_initrd(void);

#ifdef __cplusplus
}
#endif

#endif /* CW_VMM_H */
