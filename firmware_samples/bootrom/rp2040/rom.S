/* rom.S - mcusim's stand-in for the RP2040 boot ROM (our own code, not Raspberry Pi's).
 *
 * The layout is the one the RP2040 Datasheet documents in section 2.8 "Bootrom" (2.8.2,
 * 2.8.3 "Bootrom Contents"): a Cortex-M0+ vector table at 0x00000000, then at 0x10 the magic
 * 'M', 'u', 0x01 and the version byte, at 0x14 a halfword pointer to the public function
 * table, at 0x16 one to the public data table and at 0x18 one to the lookup function
 * rom_table_lookup(table, code).  A table is a list of {uint16 code, uint16 pointer} pairs
 * ending in a zero code (function pointers with bit 0 set); a code is two ASCII characters, c1 | c2 << 8.  The functions here
 * are the ones section 2.8.3.1 lists: bit manipulation, memory, flash (harmless stubs:
 * mcusim's flash is plain memory), reset_to_usb_boot and the debug trampoline; the data
 * table gives the copyright string, the git revision and the soft float and double tables
 * of section 2.8.3.2, whose entries are in romfloat.c.
 *
 * Boot: the rp2040 target starts the application from its vector table at 0x10000100
 * directly, as boot2 ends (targets/rp2040.toml); a board file that sets vector_table = 0
 * starts here instead, and this reset handler boots through boot2 as the chip does.
 */
    .syntax unified
    .cpu cortex-m0plus
    .thumb

#define CODE(a, b) ((a) | ((b) << 8))

    .section .rom_header, "ax"
    .global __rom_start
__rom_start:
    .word 0x20042000            /* initial SP: top of SRAM5 */
    .word rom_reset
    .word rom_nmi
    .word rom_hardfault
    .byte 'M', 'u', 0x01        /* 0x10: magic */
    .byte 3                     /* 0x13: version (3: the RP2040-B2 boot ROM's) */
    .hword func_table           /* 0x14 */
    .hword data_table           /* 0x16 */
    .hword rom_table_lookup + 1 /* 0x18: a Thumb address (bit 0 set) */
    .hword 0

    .text
    .balign 4
func_table:
    .hword CODE('P', '3'), rom_popcount32 + 1
    .hword CODE('R', '3'), rom_reverse32 + 1
    .hword CODE('L', '3'), rom_clz32 + 1
    .hword CODE('T', '3'), rom_ctz32 + 1
    .hword CODE('M', 'S'), rom_memset + 1
    .hword CODE('S', '4'), rom_memset4 + 1
    .hword CODE('M', 'C'), rom_memcpy + 1
    .hword CODE('C', '4'), rom_memcpy44 + 1
    .hword CODE('U', 'B'), rom_reset_to_usb_boot + 1
    .hword CODE('D', 'T'), rom_debug_trampoline + 1
    .hword CODE('D', 'E'), rom_debug_trampoline_end + 1
    .hword CODE('I', 'F'), rom_flash_stub + 1    /* connect_internal_flash */
    .hword CODE('E', 'X'), rom_flash_stub + 1    /* flash_exit_xip */
    .hword CODE('R', 'E'), rom_flash_stub + 1    /* flash_range_erase */
    .hword CODE('R', 'P'), rom_flash_stub + 1    /* flash_range_program */
    .hword CODE('F', 'C'), rom_flash_stub + 1    /* flash_flush_cache */
    .hword CODE('C', 'X'), rom_flash_stub + 1    /* flash_enter_cmd_xip */
    .hword CODE('W', 'V'), rom_wait_for_vector + 1
    .hword 0

    .balign 4
data_table:
    .hword CODE('C', 'R'), rom_copyright
    .hword CODE('G', 'R'), rom_git_revision
    .hword CODE('F', 'S'), __fplib_start
    .hword CODE('F', 'E'), __fplib_end
    .hword CODE('S', 'F'), rom_sf_table
    .hword CODE('S', 'D'), rom_sd_table
    .hword 0

    .balign 4
rom_git_revision:
    .word 0
rom_copyright:
    .asciz "mcusim RP2040 boot ROM stand-in (not Raspberry Pi's ROM)"

/* void *rom_table_lookup(uint16_t *table, uint32_t code) */
    .balign 2
    .thumb_func
    .global rom_table_lookup
rom_table_lookup:
1:  ldrh r2, [r0]
    cmp r2, #0
    beq 2f
    adds r0, #4
    cmp r2, r1
    bne 1b
    subs r0, #2
    ldrh r0, [r0]
    bx lr
2:  movs r0, #0
    bx lr

/* Reset (reached when a target starts from this ROM's vector table, vector_table = 0): the
 * flash boot of section 2.8.1 for core 0. Copy the 256 bytes of boot2 from the start of flash
 * to the top of SRAM (0x20041f00), check their CRC32 (the last word, over the first 252
 * bytes: polynomial 0x04c11db7, initial value 0xffffffff, not reflected, no final XOR) and
 * enter boot2 there with lr = 0, which boot2 takes as "entered from the ROM": it sets up the
 * XIP interface and enters the application's vector table at 0x10000100.  With a wrong CRC the
 * chip would wait for USB (BOOTSEL); here the ROM says so through semihosting and exits 1. */
    .thumb_func
    .global rom_reset
rom_reset:
    ldr r1, =0x20041f00         /* the stack goes below boot2's copy */
    mov sp, r1
    ldr r0, =0x10000000
    movs r2, #64
1:  ldmia r0!, {r3}
    stmia r1!, {r3}
    subs r2, #1
    bne 1b
    ldr r0, =0x20041f00
    movs r1, #252
    bl rom_crc32
    ldr r1, =0x20041ffc
    ldr r1, [r1]
    cmp r0, r1
    bne 2f
    ldr r1, =0x20041f01
    movs r0, #0
    mov lr, r0
    bx r1
2:  movs r0, #0x04              /* SYS_WRITE0 */
    adr r1, boot2_bad
    bkpt 0xab
    ldr r1, =rom_exit_block
    movs r0, #0x20              /* SYS_EXIT_EXTENDED {ADP_Stopped_ApplicationExit, 1} */
    bkpt 0xab
3:  b 3b

    .balign 4
rom_exit_block:
    .word 0x20026, 1
boot2_bad:
    .asciz "rp2040 boot ROM: boot2's CRC32 does not match (the chip would wait for USB boot)\n"
    .balign 2

    .thumb_func
rom_nmi:
    b rom_nmi
    .thumb_func
rom_hardfault:
    b rom_hardfault

/* reset_to_usb_boot(gpio_mask, disable_mask): the chip reboots into its USB boot loader;
 * here a system reset request (AIRCR.SYSRESETREQ), which ends an mcusim run. */
    .thumb_func
rom_reset_to_usb_boot:
    ldr r0, =0xE000ED0C
    ldr r1, =0x05FA0004
    str r1, [r0]
    dsb
1:  b 1b

/* flash functions: mcusim's XIP flash is memory the firmware cannot write; nothing to do */
    .thumb_func
rom_flash_stub:
    bx lr

/* debug_trampoline: call the function in r7 (a debugger's calls), then stop at a BKPT */
    .thumb_func
rom_debug_trampoline:
    blx r7
    bkpt #0
    b rom_debug_trampoline
    .thumb_func
rom_debug_trampoline_end:
    bkpt #0
    b rom_debug_trampoline_end

/* wait_for_vector: core 1's wait loop; core 0 calling it sleeps for good */
    .thumb_func
rom_wait_for_vector:
    wfi
    b rom_wait_for_vector

/* fcmp_fast_flags / dcmp_fast_flags: compare as fcmp/dcmp do (-1, 0, 1) and leave the result
 * in the flags of an unsigned and signed compare of a with b (r0-r3 preserved as inputs are
 * not needed afterwards). */
    .thumb_func
    .global rom_fcmp_flags
rom_fcmp_flags:
    push {r0-r3, lr}
    bl rom_fcmp
    b 1f
    .thumb_func
    .global rom_dcmp_flags
rom_dcmp_flags:
    push {r0-r3, lr}
    bl rom_dcmp
1:  adds r0, #1                 /* -1, 0, 1 -> 0, 1, 2 */
    cmp r0, #1                  /* LO/LT, EQ, HI/GT */
    pop {r0-r3, pc}

/* dsincos(x): sin(x) in r0:r1, cos(x) in r2:r3 */
    .thumb_func
    .global rom_dsincos
rom_dsincos:
    push {r4-r7, lr}
    mov r6, r0
    mov r7, r1
    bl sin
    mov r4, r0
    mov r5, r1
    mov r0, r6
    mov r1, r7
    bl cos
    mov r2, r0
    mov r3, r1
    mov r0, r4
    mov r1, r5
    pop {r4-r7, pc}

    .ltorg
