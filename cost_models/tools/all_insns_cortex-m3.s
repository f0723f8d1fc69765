@ Coverage file for cost_models/tools/check_mnemonics.py: one or more encodings of every
@ instruction the Cortex-M3 (ARMv7-M) can execute. Written for mcusim.
        .syntax unified
        .cpu cortex-m3
        .thumb
        .text
        .align 2
start:
@ --- data processing (alu) ---
        movs r0, #1
        mov r1, r2
        mov.w r8, #0x1000
        mov r1, r2, lsl #3
        movw r3, #0x1234
        movt r3, #0x5678
        mvn r4, r5
        mvns r4, #7
        adds r0, r1, r2
        add r8, r9, r10, lsl #2
        add r0, sp, #16
        add sp, sp, #8
        addw r0, r1, #0xfff
        adc r0, r1, r2
        adcs r0, r0, r1
        sub r0, r1, #4
        subs r0, r0, r1
        subw r0, r1, #0xabc
        sub sp, sp, #16
        sbc r0, r1, r2
        sbcs r0, r0, r1
        rsb r0, r1, #0
        rsbs r0, r1, #0
        rsb r0, r1, r2, lsl #1
        adr r0, lit1
        adr.w r0, lit1
        cmp r0, r1
        cmp r0, #200
        cmp.w r8, r9, lsl #2
        cmn r0, r1
        cmn.w r0, #5
        and r0, r1, r2
        ands r0, r0, r1
        orr r0, r1, #0xff00
        orrs r0, r0, r1
        eor r0, r1, r2
        eors r0, r0, r1
        orn r0, r1, r2
        bic r0, r1, r2
        bics r0, r0, r1
        tst r0, r1
        tst.w r0, #4
        teq r0, r1
        lsl r0, r1, #3
        lsls r0, r1, #3
        lsls r0, r0, r1
        lsl.w r0, r1, r2
        lsr r0, r1, #3
        lsrs r0, r0, r1
        asr r0, r1, #3
        asrs r0, r0, r1
        ror r0, r1, #3
        rors r0, r0, r1
        rrx r0, r1
        clz r0, r1
        rev r0, r1
        rev16 r0, r1
        revsh r0, r1
        rbit r0, r1
        ssat r0, #16, r1
        usat r0, #8, r1, lsl #2
        negs r0, r1
@ --- multiply / divide ---
        muls r0, r1, r0
        mul r0, r1, r2
        mla r0, r1, r2, r3
        mls r0, r1, r2, r3
        smull r0, r1, r2, r3
        umull r0, r1, r2, r3
        smlal r0, r1, r2, r3
        umlal r0, r1, r2, r3
        sdiv r0, r1, r2
        udiv r0, r1, r2
@ --- extend / bit field ---
        sxtb r0, r1
        sxth r0, r1
        uxtb r0, r1
        uxth r0, r1
        sxtb.w r0, r1, ror #8
        uxth.w r0, r1, ror #16
        ubfx r0, r1, #4, #8
        sbfx r0, r1, #4, #8
        bfc r0, #4, #8
        bfi r0, r1, #4, #8
@ --- single loads ---
        ldr r0, [r1]
        ldr r0, [r1, #4]
        ldr r0, [r1, r2]
        ldr.w r0, [r1, r2, lsl #2]
        ldr r0, [r1], #4
        ldr r0, [r1, #4]!
        ldr r0, [sp, #8]
        ldrb r0, [r1, #1]
        ldrb r0, [r1, r2]
        ldrh r0, [r1, #2]
        ldrh r0, [r1, r2]
        ldrsb r0, [r1, r2]
        ldrsb.w r0, [r1, #1]
        ldrsh r0, [r1, r2]
        ldrsh.w r0, [r1, #2]
        ldrt r0, [r1, #4]
        ldrbt r0, [r1, #4]
        ldrht r0, [r1, #4]
        ldrsbt r0, [r1, #4]
        ldrsht r0, [r1, #4]
        ldrex r0, [r1]
        ldrexb r0, [r1]
        ldrexh r0, [r1]
        pld [r0, #4]
        pli [r0, #4]
@ --- literal loads ---
        ldr r0, lit1
        ldr.w r8, lit1
        ldrb.w r0, lit1
        ldrh.w r0, lit1
        ldrsb.w r0, lit1
        ldrsh.w r0, lit1
        ldrd r0, r1, lit1
@ --- load to pc ---
        ldr pc, [r0]
        ldr pc, [sp], #4
@ --- double ---
        ldrd r0, r1, [r2, #8]
        strd r0, r1, [r2, #8]
@ --- single stores ---
        str r0, [r1]
        str r0, [r1, #4]
        str r0, [r1, r2]
        str r0, [r1], #4
        str r0, [sp, #4]
        strb r0, [r1, r2]
        strh r0, [r1, #2]
        strt r0, [r1, #4]
        strbt r0, [r1, #4]
        strht r0, [r1, #4]
        strex r0, r1, [r2]
        strexb r0, r1, [r2]
        strexh r0, r1, [r2]
        clrex
@ --- multiple ---
        ldm r0!, {r1, r2, r3}
        ldm.w r0, {r1, r2, r8}
        ldmdb r0!, {r1, r2}
        pop {r4, r5}
        pop.w {r4, r8}
        stm r0!, {r1, r2}
        stmdb r0!, {r1, r2}
        push {r4, lr}
        push.w {r4, r8, lr}
        pop {r4, pc}
        ldm r0, {r1, pc}
@ --- branches ---
        b 1f
1:      beq 1f
1:      bne.w 1f
1:      cbz r0, 2f
        nop
2:      cbnz r0, 3f
        nop
3:      bl 1f
1:      bx lr
        blx r3
        tbb [r0, r1]
        tbh [r0, r1, lsl #1]
        mov pc, r0
        add pc, r0
@ --- if-then ---
        it eq
        moveq r0, r1
        ite ne
        movne r0, r1
        moveq r0, r2
@ --- system ---
        mrs r0, apsr
        mrs r0, primask
        msr basepri, r0
        msr apsr_nzcvq, r0
        cpsid i
        cpsie i
        cpsid f
        dmb
        dsb
        isb
        nop
        nop.w
        wfi
        wfe
        sev
        yield
        svc #0
        bkpt #0xab
        udf #0
        .align 2
lit1:   .word 0x12345678
        .word 0
