/*
 * semihost.h - the few Arm semihosting calls our sample firmware uses.
 *
 * A semihosting call on M-profile is "BKPT 0xAB" with the operation number in
 * r0 and one parameter (a value or a pointer to a parameter block) in r1; the
 * result comes back in r0.  Operation numbers and the exit reason code are
 * from Arm's "Semihosting for AArch32 and AArch64" specification (version
 * 3.0, sections 5.x: SYS_WRITEC 0x03, SYS_WRITE0 0x04, SYS_WRITE 0x05,
 * SYS_EXIT 0x18, SYS_EXIT_EXTENDED 0x20; ADP_Stopped_ApplicationExit =
 * 0x20026).
 */
#ifndef MCUSIM_SEMIHOST_H
#define MCUSIM_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

#define SH_SYS_WRITEC         0x03u
#define SH_SYS_WRITE0         0x04u
#define SH_SYS_WRITE          0x05u
#define SH_SYS_EXIT           0x18u
#define SH_SYS_EXIT_EXTENDED  0x20u

#define SH_ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* Issue one semihosting call; returns the host's r0. */
uint32_t sh_call(uint32_t op, const void *param);

/* Write one character to the debug console. */
void sh_writec(char c);

/* Write a NUL-terminated string to the debug console (needs no file handle). */
void sh_write0(const char *s);

/*
 * Write len bytes to an open semihosting file handle; returns the number of
 * bytes NOT written (0 on success), as the specification defines it.
 */
size_t sh_write(int fd, const void *buf, size_t len);

/* End the program with an exit code (SYS_EXIT_EXTENDED); never returns. */
void sh_exit(int code) __attribute__((noreturn));

#endif
