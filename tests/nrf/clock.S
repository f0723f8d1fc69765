/* Our own probe of the nrf52840 target's CLOCK description (0x40000000), written from the
 * register table of the nRF52840 Product Specification v1.7 §'CLOCK - Clock control'
 * (tests/test_nrf52840.py builds it; no vendor code). It reads the reset state, triggers the
 * HFCLK and LFCLK start tasks the way a driver does (clear the event, trigger the task, wait
 * for the event) and checks that the events and status registers follow, then stops HFXO.
 * It exits through SYS_EXIT_EXTENDED with a bitmask of the checks that failed (0: all passed):
 *   0x01 reset: HFCLKSTAT, LFCLKSTAT, HFCLKRUN, LFCLKRUN and both events read 0
 *   0x02 tasks read 0 (write-only)
 *   0x04 HFCLKSTART: HFCLKSTAT = SRC Xtal | STATE Running, HFCLKRUN.STATUS = 1
 *   0x08 an event written 0 reads 0 (cleared by writing 0)
 *   0x10 LFCLKSTART with LFCLKSRC = Xtal: LFCLKRUN, LFCLKSTAT = Xtal running, LFCLKSRCCOPY
 *   0x20 HFCLKSTOP: HFCLKSTAT back to SRC RC, HFCLKRUN 0
 *   0x40 LFCLKSTOP: LFCLKSTAT.STATE NotRunning, LFCLKRUN 0
 *   0x80 INTENSET / INTENCLR set and clear the enables, both read them
 *   -DFORGET_HFCLKSTART  wait for EVENTS_HFCLKSTARTED without triggering the task (stuck).
 * Code at 0x0, RAM at 0x20000000.
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
    ldr r0, =0x40000000
    /* reset state: HFCLK on HFINT (SRC RC), LFCLK not started, no events */
    ldr r1, [r0, #0x40C]        /* HFCLKSTAT */
    ldr r2, [r0, #0x418]        /* LFCLKSTAT */
    orrs r1, r2
    ldr r2, [r0, #0x408]        /* HFCLKRUN */
    orrs r1, r2
    ldr r2, [r0, #0x414]        /* LFCLKRUN */
    orrs r1, r2
    ldr r2, [r0, #0x100]        /* EVENTS_HFCLKSTARTED */
    orrs r1, r2
    ldr r2, [r0, #0x104]        /* EVENTS_LFCLKSTARTED */
    orrs r1, r2
    cmp r1, #0
    fail_if_ne 0x01
    /* HFCLKSTART, as a driver: clear the event, trigger, wait for the event */
    movs r1, #0
    str r1, [r0, #0x100]
#ifndef FORGET_HFCLKSTART
    movs r1, #1
    str r1, [r0, #0x000]        /* TASKS_HFCLKSTART */
#endif
1:  ldr r1, [r0, #0x100]
    cmp r1, #0
    beq 1b
    ldr r1, [r0, #0x000]        /* tasks are write-only */
    cmp r1, #0
    fail_if_ne 0x02
    ldr r1, [r0, #0x40C]
    ldr r2, =0x00010001         /* SRC = Xtal, STATE = Running */
    cmp r1, r2
    fail_if_ne 0x04
    ldr r1, [r0, #0x408]
    cmp r1, #1
    fail_if_ne 0x04
    movs r1, #0
    str r1, [r0, #0x100]        /* events are cleared by writing 0 */
    ldr r1, [r0, #0x100]
    cmp r1, #0
    fail_if_ne 0x08
    /* LFCLK from the 32.768 kHz crystal */
    movs r1, #1
    str r1, [r0, #0x518]        /* LFCLKSRC = Xtal */
    str r1, [r0, #0x008]        /* TASKS_LFCLKSTART */
2:  ldr r1, [r0, #0x104]
    cmp r1, #0
    beq 2b
    ldr r1, [r0, #0x414]        /* LFCLKRUN */
    cmp r1, #1
    fail_if_ne 0x10
    ldr r1, [r0, #0x418]        /* LFCLKSTAT */
    ldr r2, =0x00010001         /* SRC = Xtal, STATE = Running */
    cmp r1, r2
    fail_if_ne 0x10
    ldr r1, [r0, #0x41C]        /* LFCLKSRCCOPY */
    cmp r1, #1
    fail_if_ne 0x10
    /* HFCLKSTOP: back on HFINT */
    movs r1, #1
    str r1, [r0, #0x004]
    ldr r1, [r0, #0x40C]
    ldr r2, [r0, #0x408]
    orrs r1, r2
    cmp r1, #0
    fail_if_ne 0x20
    /* LFCLKSTOP */
    movs r1, #1
    str r1, [r0, #0x00C]
    ldr r1, [r0, #0x418]
    cmp r1, #1                  /* STATE NotRunning, SRC left Xtal */
    fail_if_ne 0x40
    ldr r1, [r0, #0x414]
    cmp r1, #0
    fail_if_ne 0x40
    /* INTENSET / INTENCLR: HFCLKSTARTED (bit 0) and LFCLKSTARTED (bit 1) */
    movs r1, #3
    str r1, [r0, #0x304]
    movs r1, #1
    str r1, [r0, #0x308]
    ldr r1, [r0, #0x304]
    cmp r1, #2
    fail_if_ne 0x80
    ldr r1, [r0, #0x308]
    cmp r1, #2
    fail_if_ne 0x80
    /* SYS_EXIT_EXTENDED {ADP_Stopped_ApplicationExit, r7} */
    ldr r1, =0x20000010
    ldr r2, =0x20026
    str r2, [r1]
    str r7, [r1, #4]
    movs r0, #0x20
    bkpt 0xab
3:  b 3b
    .ltorg
