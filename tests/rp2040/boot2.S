/* Our own minimal second stage ("boot2") for tests/test_rp2040.py: the 256 bytes at the start
 * of flash that the RP2040 boot ROM copies to SRAM, checks (CRC32 in the last word) and enters
 * with lr = 0 (RP2040 Datasheet §2.8.1). A real boot2 sets up the QSPI interface for fast XIP;
 * this one only does what every boot2 ends with: VTOR = 0x10000100, the stack pointer and
 * reset handler from that vector table. Entered with lr != 0 it returns (as a boot2 called
 * again by the SDK's flash functions does). BOOT2_CRC is the CRC word the test computes.
 */
    .syntax unified
    .cpu cortex-m0plus
    .thumb
    .section .boot2, "ax"
    .thumb_func
    .global boot2_entry
boot2_entry:
    mov r0, lr
    cmp r0, #0
    bne 1f
    ldr r0, =0x10000100
    ldr r1, =0xE000ED08         /* VTOR */
    str r0, [r1]
    ldmia r0!, {r1, r2}
    msr msp, r1
    bx r2
1:  bx lr
    .ltorg
    .org 252, 0
#ifndef BOOT2_CRC
#define BOOT2_CRC 0
#endif
    .word BOOT2_CRC
