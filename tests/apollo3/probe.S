/* Our own probe of the apollo3 target: the register sequence AmbiqSuite's start-up and HAL
 * perform (am_hal_mcuctrl_info_get, am_hal_flash_delay and the flash helpers through the boot
 * ROM's fixed entry points, am_hal_pwrctrl_periph_enable, am_hal_clkgen_control,
 * am_hal_cachectrl_enable, am_hal_uart transmit), written from the Apollo3 Blue register map
 * (targets/apollo3.toml gives the addresses; tests/test_apollo3.py builds it; no Ambiq code).
 * It prints "ok!\n" on UART0 ("fail\n" if a check failed) and exits through SYS_EXIT_EXTENDED with a bitmask of the checks
 * that failed (0: all passed).
 *   -DFLASH_ERASE  also call the boot ROM's flash_page_erase entry (0x08000051), which
 *                  mcusim's ROM does not model: the run must stop with a fault there.
 * Code at 0x0, SRAM at 0x10000000 (384 KB).
 */
    .syntax unified
    .thumb
    .section .vectors, "a"
    .word 0x10060000
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
    /* MCUCTRL (0x40020000): part number, revision and vendor, as am_hal_mcuctrl_info_get */
    ldr r4, =0x40020000
    ldr r1, [r4, #0x000]        /* CHIPPN */
    lsrs r1, r1, #24
    cmp r1, #0x06               /* Apollo3 Blue */
    fail_if_ne 0x1
    ldr r1, [r4, #0x00C]        /* CHIPREV: B0 */
    cmp r1, #0x21
    fail_if_ne 0x2
    ldr r1, [r4, #0x010]        /* VENDORID */
    ldr r2, =0x414D4251         /* 'AMBQ' */
    cmp r1, r2
    fail_if_ne 0x4
    ldr r0, =0xF0000FE4         /* JEDEC PID1: JEPIDL 0xB, PNH4 0xE */
    ldr r1, [r0]
    cmp r1, #0xBE
    fail_if_ne 0x8

    /* boot ROM helpers, called through their fixed entry points as the HAL's g_am_hal_flash
     * table does: bootrom_delay_cycles, flash_util_read_word, flash_util_write_word */
    movs r0, #100
    ldr r3, =0x0800009D
    blx r3                      /* 100 iterations */
    ldr r0, =0x40018004         /* CACHECTRL.FLASHCFG */
    ldr r3, =0x08000075
    blx r3
    cmp r0, #0x51               /* RD_WAIT 1, SEDELAY 5 */
    fail_if_ne 0x10
    ldr r0, =0x10001000
    ldr r1, =0xA5A5F00D
    ldr r3, =0x08000079
    blx r3
    ldr r0, =0x10001000
    ldr r1, [r0]
    ldr r2, =0xA5A5F00D
    cmp r1, r2
    fail_if_ne 0x20
#ifdef FLASH_ERASE
    movs r0, #0
    movs r1, #0
    movs r2, #0
    ldr r3, =0x08000051         /* flash_page_erase: not modelled, faults */
    blx r3
#endif

    /* STIMER (CTIMER 0x40008000: STCFG 0x140, STTMR 0x144): clear and freeze, then count at
     * HFRC/16 (3 MHz) over a 1000-iteration ROM delay (3000 cycles, 62.5 us at 48 MHz: about
     * 187 counts), as am_hal_stimer_config and am_hal_stimer_counter_get */
    ldr r4, =0x40008000
    mov r1, #0xC0000000         /* FREEZE | CLEAR */
    str r1, [r4, #0x140]
    movs r1, #1                 /* CLKSEL = HFRC_DIV16 */
    str r1, [r4, #0x140]
    ldr r0, =1000
    ldr r3, =0x0800009D
    blx r3
    ldr r1, [r4, #0x144]
    subs r1, r1, #150           /* 150 <= count < 250 */
    cmp r1, #100
    it hs
    orrhs r7, r7, #0x800

    /* PWRCTRL (0x40021000): power the UART0 domain and wait for it, as
     * am_hal_pwrctrl_periph_enable: DEVPWREN.PWRUART0 (bit 7) -> DEVPWRSTATUS.HCPA (bit 2) */
    ldr r4, =0x40021000
    ldr r1, [r4, #0x018]
    tst r1, #0x4                /* HCPA off before */
    fail_if_ne 0x40
    ldr r1, [r4, #0x008]
    orr r1, r1, #0x80
    str r1, [r4, #0x008]
    movs r5, #100               /* at most 100 polls */
1:  ldr r1, [r4, #0x018]
    tst r1, #0x4
    bne 2f
    subs r5, r5, #1
    bne 1b
    orr r7, r7, #0x80           /* HCPA never came on */
2:  tst r1, #0x8                /* HCPB (IOM0-2) stays off */
    fail_if_ne 0x100

    /* MCUCTRL.FEATUREENABLE: BLEREQ (bit 0) acknowledged by BLEACK (bit 1), BLEAVAIL (bit 2) */
    ldr r4, =0x40020000
    ldr r1, [r4, #0x018]
    orr r1, r1, #1
    str r1, [r4, #0x018]
    ldr r1, [r4, #0x018]
    and r1, r1, #7
    cmp r1, #7
    fail_if_ne 0x200

    /* CLKGEN (0x40004000): unlock, HFRC at 48 MHz, lock, as am_hal_clkgen_control */
    ldr r4, =0x40004000
    movs r1, #0x47
    str r1, [r4, #0x014]        /* CLKKEY */
    movs r1, #0
    str r1, [r4, #0x018]        /* CCTRL.CORESEL = HFRC */
    str r1, [r4, #0x014]

    /* CACHECTRL (0x40018000): configure, enable, invalidate and wait for CACHE_READY */
    ldr r4, =0x40018000
    ldr r1, =0x351              /* ENABLE, CONFIG W2_128B_512E, ICACHE and DCACHE */
    str r1, [r4, #0x000]
    movs r1, #1
    str r1, [r4, #0x008]        /* CTRL.INVALIDATE */
    movs r5, #100
3:  ldr r1, [r4, #0x008]
    tst r1, #0x4                /* CACHE_READY */
    bne 4f
    subs r5, r5, #1
    bne 3b
    orr r7, r7, #0x400
4:
    /* UART0 (0x4001C000): clock, 115200 8N1 with FIFOs, enable, transmit, as am_hal_uart */
    ldr r4, =0x4001C000
    movs r1, #0
    str r1, [r4, #0x030]        /* CR = 0 */
    movs r1, #13
    str r1, [r4, #0x024]        /* IBRD */
    movs r1, #1
    str r1, [r4, #0x028]        /* FBRD */
    movs r1, #0x70
    str r1, [r4, #0x02C]        /* LCRH: WLEN 8, FEN */
    ldr r1, =0x319              /* CR: UARTEN, CLKEN, CLKSEL 24 MHz, TXE, RXE */
    str r1, [r4, #0x030]
    adr r6, message
    cbz r7, 5f
    adr r6, failed              /* a failed check: "fail\n" (the exit code may wrap at 256) */
5:  ldrb r1, [r6], #1
    cbz r1, 7f
6:  ldr r2, [r4, #0x018]        /* FR */
    tst r2, #0x20               /* TXFF */
    bne 6b
    str r1, [r4, #0x000]        /* DR */
    b 5b
7:  ldr r2, [r4, #0x018]
    tst r2, #0x08               /* BUSY */
    bne 7b

    mov r1, r7
    ldr r0, =0x10000100         /* SYS_EXIT_EXTENDED parameter block */
    ldr r2, =0x20026            /* ADP_Stopped_ApplicationExit */
    str r2, [r0]
    str r1, [r0, #4]
    mov r1, r0
    movs r0, #0x20
    bkpt 0xab
    b .

    .balign 4
message:
    .asciz "ok!\n"
failed:
    .asciz "fail\n"
    .balign 4
    .ltorg
