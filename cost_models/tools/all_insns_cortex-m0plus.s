@ Coverage file for cost_models/tools/check_mnemonics.py: every instruction form of the
@ Cortex-M0+ (ARMv6-M: 16-bit Thumb plus BL, DMB, DSB, ISB, MRS, MSR). Written for mcusim.
        .syntax unified
        .cpu cortex-m0plus
        .thumb
        .text
        .align 2
start:
@ --- data processing ---
        movs r0, #1
        movs r0, r1
        mov r8, r1
        mov r1, r8
        adds r0, r1, #3
        adds r0, r1, r2
        add r8, r8, r1
        adds r0, r0, #200
        adcs r0, r0, r1
        add sp, sp, #16
        add r0, sp, #16
        add sp, r1
        adr r0, lit1
        subs r0, r1, r2
        subs r0, r1, #3
        subs r0, r0, #200
        sbcs r0, r0, r1
        sub sp, sp, #16
        rsbs r0, r1, #0
        cmp r0, r1
        cmp r8, r1
        cmn r0, r1
        cmp r0, #200
        ands r0, r0, r1
        eors r0, r0, r1
        orrs r0, r0, r1
        bics r0, r0, r1
        mvns r0, r1
        tst r0, r1
        lsls r0, r1, #3
        lsls r0, r0, r1
        lsrs r0, r1, #3
        lsrs r0, r0, r1
        asrs r0, r1, #3
        asrs r0, r0, r1
        rors r0, r0, r1
@ --- multiply ---
        muls r0, r1, r0
@ --- extend / reverse ---
        sxth r0, r1
        sxtb r0, r1
        uxth r0, r1
        uxtb r0, r1
        rev r0, r1
        rev16 r0, r1
        revsh r0, r1
@ --- loads ---
        ldr r0, [r1, #4]
        ldrh r0, [r1, #2]
        ldrb r0, [r1, #1]
        ldr r0, [r1, r2]
        ldrh r0, [r1, r2]
        ldrsh r0, [r1, r2]
        ldrb r0, [r1, r2]
        ldrsb r0, [r1, r2]
        ldr r0, lit1
        ldr r0, [sp, #8]
        ldm r0!, {r1, r2}
        ldm r0, {r0, r1}
@ --- stores ---
        str r0, [r1, #4]
        strh r0, [r1, #2]
        strb r0, [r1, #1]
        str r0, [r1, r2]
        strh r0, [r1, r2]
        strb r0, [r1, r2]
        str r0, [sp, #8]
        stm r0!, {r1, r2}
        push {r4, r5}
        push {r4, lr}
        pop {r4, r5}
        pop {r4, pc}
@ --- branches ---
        beq 1f
1:      b 1f
1:      bl 1f
1:      bx lr
        blx r3
        mov pc, r0
        add pc, r0
@ --- system ---
        svc #0
        cpsid i
        cpsie i
        mrs r0, primask
        msr primask, r0
        bkpt #0xab
        sev
        wfe
        wfi
        yield
        nop
        isb
        dmb
        dsb
        udf #0
        .align 2
lit1:   .word 0x12345678
        .word 0
