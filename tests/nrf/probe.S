/* Our own probe of the nrf52840 target's FICR, UICR, NVMC and UARTE0 descriptions, read and
 * written at the addresses of the nRF52840 Product Specification v1.7 (tests/test_nrf52840.py
 * builds it; no vendor code). It exits through SYS_EXIT_EXTENDED with a bitmask of the checks
 * that failed (0: all passed) after printing "ok!\n" through UARTE0 (EasyDMA) and "L\n"
 * through the legacy UART0 TXD register.
 *   -DFLASH_BUFFER  give EasyDMA a buffer in flash, which the chip's DMA cannot read.
 * Code at 0x0, RAM at 0x20000000 (256 KB).
 */
    .syntax unified
    .thumb
    .section .vectors, "a"
    .word 0x20040000
    .word reset + 1

    .macro fail_if_ne bit
    it ne
    orrne r7, r7, #\bit
    .endm

    .text
    .global reset
    .thumb_func
reset:
    movs r7, #0
    /* FICR (0x10000000): read-only factory information */
    ldr r0, =0x10000000
    ldr r2, =0x52840
    movs r1, #0
    str r1, [r0, #0x100]        /* a write to FICR changes nothing */
    ldr r1, [r0, #0x100]        /* INFO.PART */
    cmp r1, r2
    fail_if_ne 0x1
    ldr r1, [r0, #0x10]         /* CODEPAGESIZE */
    cmp r1, #4096
    fail_if_ne 0x2
    ldr r1, [r0, #0x14]         /* CODESIZE */
    cmp r1, #256
    fail_if_ne 0x4
    ldr r1, [r0, #0x130]        /* part code of the MDK's errata checks */
    cmp r1, #8
    fail_if_ne 0x8
    ldr r1, [r0, #0x134]        /* revision code */
    cmp r1, #5
    fail_if_ne 0x10
    /* UICR (0x10001000): erased */
    ldr r0, =0x10001000
    ldr r1, [r0, #0x20C]        /* NFCPINS */
    cmn r1, #1
    fail_if_ne 0x20
    ldr r1, [r0, #0x304]        /* REGOUT0 */
    cmn r1, #1
    fail_if_ne 0x40
    /* NVMC: READY, and ICACHECNF.CACHEEN as the usual start-up code leaves it */
    ldr r0, =0x4001E000
    ldr r1, [r0, #0x400]
    cmp r1, #1
    fail_if_ne 0x80
    ldr r1, [r0, #0x540]
    cmp r1, #1
    fail_if_ne 0x100
    /* UARTE0: send 4 bytes from a buffer by EasyDMA */
    ldr r0, =0x40002000
    movs r1, #8
    str r1, [r0, #0x500]        /* ENABLE = UARTE */
#ifdef FLASH_BUFFER
    ldr r1, =msg
#else
    ldr r1, =0x20000000
    ldr r2, =msg
    ldr r2, [r2]
    str r2, [r1]
#endif
    str r1, [r0, #0x544]        /* TXD.PTR */
    movs r1, #4
    str r1, [r0, #0x548]        /* TXD.MAXCNT */
    movs r1, #1
    str r1, [r0, #0x008]        /* TASKS_STARTTX */
1:  ldr r1, [r0, #0x120]        /* EVENTS_ENDTX */
    cmp r1, #0
    beq 1b
    ldr r1, [r0, #0x54C]        /* TXD.AMOUNT */
    cmp r1, #4
    fail_if_ne 0x200
    ldr r1, [r0, #0x150]        /* EVENTS_TXSTARTED */
    cmp r1, #1
    fail_if_ne 0x400
    movs r1, #0
    str r1, [r0, #0x120]        /* events are cleared by writing 0 */
    ldr r1, [r0, #0x120]
    cmp r1, #0
    fail_if_ne 0x800
    movs r1, #1
    str r1, [r0, #0x00C]        /* TASKS_STOPTX */
    ldr r1, [r0, #0x158]        /* EVENTS_TXSTOPPED */
    cmp r1, #1
    fail_if_ne 0x1000
    /* the legacy UART at the same address: one byte per TXD write, then EVENTS_TXDRDY */
    movs r1, #4
    str r1, [r0, #0x500]        /* ENABLE = UART */
    movs r1, #'L'
    str r1, [r0, #0x51C]
    ldr r1, [r0, #0x11C]
    cmp r1, #1
    fail_if_ne 0x2000
    movs r1, #'\n'
    str r1, [r0, #0x51C]
    /* SYS_EXIT_EXTENDED {ADP_Stopped_ApplicationExit, r7} */
    ldr r1, =0x20000010
    ldr r2, =0x20026
    str r2, [r1]
    str r7, [r1, #4]
    movs r0, #0x20
    bkpt 0xab
2:  b 2b

    .align 2
msg:
    .ascii "ok!\n"
    .ltorg
