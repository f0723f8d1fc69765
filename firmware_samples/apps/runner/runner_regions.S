/*
 * runner_regions.S - the runner's host-shared buffers (contract: mce_runner.h), as NOBITS
 * sections: they take no room in the ELF file and Reset_Handler neither copies nor zeroes
 * them. apps/runner/runner.ld places .mce_model at the end of FLASH and .mce_input /
 * .mce_output in RAM after .bss. Sizes come from apps/runner/app.mk (per target).
 */
#if !defined(MCE_RUNNER_MODEL_REGION_BYTES) || !defined(MCE_RUNNER_INPUT_BYTES) || \
    !defined(MCE_RUNNER_OUTPUT_BYTES)
#error "apps/runner/app.mk passes the region sizes for each target"
#endif

    .section .mce_model, "a", %nobits
    .balign 16
    .global mce_runner_model
    .type mce_runner_model, %object
mce_runner_model:
    .space MCE_RUNNER_MODEL_REGION_BYTES
    .size mce_runner_model, . - mce_runner_model

    .section .mce_input, "aw", %nobits
    .balign 16
    .global mce_runner_input
    .type mce_runner_input, %object
mce_runner_input:
    .space MCE_RUNNER_INPUT_BYTES
    .size mce_runner_input, . - mce_runner_input

    .section .mce_output, "aw", %nobits
    .balign 16
    .global mce_runner_output
    .type mce_runner_output, %object
mce_runner_output:
    .space MCE_RUNNER_OUTPUT_BYTES
    .size mce_runner_output, . - mce_runner_output
