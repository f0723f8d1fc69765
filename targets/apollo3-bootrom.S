/*
 * apollo3-bootrom.S - mcusim's stand-in for the Apollo3 boot ROM's helper entry points.
 *
 * Written for mcusim; no Ambiq code.  The Apollo3 HAL does not call the boot ROM by symbol: it
 * keeps a table of function pointers at fixed addresses (0x0800004C .. 0x080000A8, one 4-byte
 * entry each, Thumb bit set; the table g_am_hal_flash in AmbiqSuite's am_hal_flash.c names
 * them).  The addresses and what each entry does (the HAL's flash API documentation) are facts
 * of the chip; the code is not Ambiq's.  This file puts our own code at those addresses:
 *
 *   0x08000074  flash_util_read_word(uint32_t *addr) -> *addr
 *               (the HAL reads CACHECTRL.FLASHCFG and other flash-interface registers through
 *               it: they must be accessed from code that is not running from flash)
 *   0x08000078  flash_util_write_word(uint32_t *addr, uint32_t value): *addr = value
 *   0x0800007C  flash_nb_operation_complete() -> 1 (no non-blocking operation is ever running:
 *               the operations that start one are not modelled)
 *   0x0800009C  bootrom_delay_cycles(n): a busy loop of n iterations (the HAL's
 *               am_hal_flash_delay counts 3 cycles per iteration; here an iteration is
 *               SUBS + BNE and costs what the core's timing model says).  n = 0 returns at once.
 *
 * Every other entry (flash erase and program, info-space programming, recovery, the
 * "from SRAM" variants) and everything else in the window is UDF #0xDE: a program that calls
 * one stops with an undefined-instruction fault at that ROM address instead of being told a
 * flash write happened that mcusim did not do.
 *
 * Built (the bytes committed as apollo3-bootrom.bin; tests/test_apollo3.py rebuilds and compares):
 *   arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -c apollo3-bootrom.S -o rom.o
 *   arm-none-eabi-objcopy -O binary -j .text rom.o apollo3-bootrom.bin
 */
        .syntax unified
        .cpu    cortex-m4
        .thumb
        .text

/* Fill N bytes with UDF #0xDE (0xDEDE), so an unmodelled entry faults where it is called. */
        .macro  unmodelled n
        .rept   (\n) / 2
        .hword  0xDEDE
        .endr
        .endm

rom_start:
        unmodelled 0x74                 /* 0x00-0x73: erase/program entries and what precedes */

        .org    0x74                    /* flash_util_read_word */
        ldr     r0, [r0]
        bx      lr

        .org    0x78                    /* flash_util_write_word */
        str     r1, [r0]
        bx      lr

        .org    0x7C                    /* flash_nb_operation_complete */
        movs    r0, #1
        bx      lr

        .org    0x80
        unmodelled 0x9C - 0x80          /* info erase, recovery and from-SRAM entries */

        .org    0x9C                    /* bootrom_delay_cycles */
        b.w     delay_cycles

        .org    0xA0
        unmodelled 0xB0 - 0xA0          /* the from-SRAM entries 0xA0-0xAB, and padding */

        .org    0xB0
        .thumb_func
delay_cycles:
        cbz     r0, 2f
1:      subs    r0, r0, #1
        bne     1b
2:      bx      lr

        .balign 1024, 0xDE              /* the rest of the 1 KiB window: UDF too */
