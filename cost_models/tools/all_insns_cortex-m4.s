@ Coverage file for cost_models/tools/check_mnemonics.py: one or more encodings of every
@ instruction the Cortex-M4F (ARMv7E-M + FPv4-SP-D16) can execute. Written for mcusim.
        .syntax unified
        .cpu cortex-m4
        .fpu fpv4-sp-d16
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
@ --- DSP (ARMv7E-M) ---
        smmla r0, r1, r2, r3
        smmlar r0, r1, r2, r3
        smmls r0, r1, r2, r3
        smmlsr r0, r1, r2, r3
        smmul r0, r1, r2
        smmulr r0, r1, r2
        smlabb r0, r1, r2, r3
        smlabt r0, r1, r2, r3
        smlatb r0, r1, r2, r3
        smlatt r0, r1, r2, r3
        smlalbb r0, r1, r2, r3
        smlalbt r0, r1, r2, r3
        smlaltb r0, r1, r2, r3
        smlaltt r0, r1, r2, r3
        smlald r0, r1, r2, r3
        smlaldx r0, r1, r2, r3
        smulbb r0, r1, r2
        smulbt r0, r1, r2
        smultb r0, r1, r2
        smultt r0, r1, r2
        smulwb r0, r1, r2
        smulwt r0, r1, r2
        smusd r0, r1, r2
        smusdx r0, r1, r2
        smuad r0, r1, r2
        smuadx r0, r1, r2
        smlad r0, r1, r2, r3
        smladx r0, r1, r2, r3
        smlawb r0, r1, r2, r3
        smlawt r0, r1, r2, r3
        smlsd r0, r1, r2, r3
        smlsdx r0, r1, r2, r3
        smlsld r0, r1, r2, r3
        smlsldx r0, r1, r2, r3
        umaal r0, r1, r2, r3
        ssat16 r0, #8, r1
        usat16 r0, #8, r1
        pkhbt r0, r1, r2, lsl #16
        pkhtb r0, r1, r2, asr #16
        sxtb16 r0, r1
        uxtb16 r0, r1
        sxtab r0, r1, r2
        sxtab16 r0, r1, r2
        sxtah r0, r1, r2
        uxtab r0, r1, r2
        uxtab16 r0, r1, r2
        uxtah r0, r1, r2
        sel r0, r1, r2
        usad8 r0, r1, r2
        usada8 r0, r1, r2, r3
        qadd r0, r1, r2
        qsub r0, r1, r2
        qdadd r0, r1, r2
        qdsub r0, r1, r2
        qadd8 r0, r1, r2
        qadd16 r0, r1, r2
        qsub8 r0, r1, r2
        qsub16 r0, r1, r2
        qasx r0, r1, r2
        qsax r0, r1, r2
        sadd8 r0, r1, r2
        sadd16 r0, r1, r2
        ssub8 r0, r1, r2
        ssub16 r0, r1, r2
        sasx r0, r1, r2
        ssax r0, r1, r2
        shadd8 r0, r1, r2
        shadd16 r0, r1, r2
        shsub8 r0, r1, r2
        shsub16 r0, r1, r2
        shasx r0, r1, r2
        shsax r0, r1, r2
        uadd8 r0, r1, r2
        uadd16 r0, r1, r2
        usub8 r0, r1, r2
        usub16 r0, r1, r2
        uasx r0, r1, r2
        usax r0, r1, r2
        uhadd8 r0, r1, r2
        uhadd16 r0, r1, r2
        uhsub8 r0, r1, r2
        uhsub16 r0, r1, r2
        uhasx r0, r1, r2
        uhsax r0, r1, r2
        uqadd8 r0, r1, r2
        uqadd16 r0, r1, r2
        uqsub8 r0, r1, r2
        uqsub16 r0, r1, r2
        uqasx r0, r1, r2
        uqsax r0, r1, r2
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
@ --- FPv4-SP ---
        vadd.f32 s0, s1, s2
        vsub.f32 s0, s1, s2
        vabs.f32 s0, s1
        vneg.f32 s0, s1
        vmul.f32 s0, s1, s2
        vnmul.f32 s0, s1, s2
        vmla.f32 s0, s1, s2
        vmls.f32 s0, s1, s2
        vnmla.f32 s0, s1, s2
        vnmls.f32 s0, s1, s2
        vfma.f32 s0, s1, s2
        vfms.f32 s0, s1, s2
        vfnma.f32 s0, s1, s2
        vfnms.f32 s0, s1, s2
        vdiv.f32 s0, s1, s2
        vsqrt.f32 s0, s1
        vcmp.f32 s0, s1
        vcmp.f32 s0, #0
        vcmpe.f32 s0, s1
        vcmpe.f32 s0, #0
        vcvt.s32.f32 s0, s1
        vcvt.f32.s32 s0, s1
        vcvt.u32.f32 s0, s1
        vcvtr.s32.f32 s0, s1
        vcvt.f32.s16 s0, s0, #4
        vcvt.f32.u32 s0, s0, #16
        vcvtb.f32.f16 s0, s1
        vcvtt.f32.f16 s0, s1
        vcvtb.f16.f32 s0, s1
        vcvtt.f16.f32 s0, s1
        vmov.f32 s0, s1
        vmov.f32 s0, #1.0
        vmov s0, r0
        vmov r0, s0
        vmov s0, s1, r0, r1
        vmov r0, r1, s0, s1
        vmov d0, r0, r1
        vmov r0, r1, d0
        vmrs APSR_nzcv, fpscr
        vmrs r0, fpscr
        vmsr fpscr, r0
        vldr s0, [r0, #4]
        vldr s0, lit1
        vldr d0, [r0, #8]
        vstr s0, [r0, #4]
        vstr d0, [r0, #8]
        vldmia r0!, {s0-s3}
        vldmdb r0!, {s0-s3}
        vldmia r0, {d0-d1}
        vpop {s16-s17}
        vpop {d8}
        vstmia r0!, {s0-s3}
        vstmdb r0!, {s0-s3}
        vpush {s16-s17}
        vpush {d8}
        .align 2
lit1:   .word 0x12345678
        .word 0
