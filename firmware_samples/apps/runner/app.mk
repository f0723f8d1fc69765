# Generic model runner (see mce_runner.h and README "Runner"): runner-ref (reference kernels,
# every target) and runner-opt (optimized kernels, DSP targets).
VARIANTS_runner := runner-ref runner-opt
# No app is named after the folder itself; this says so to tools that read SKIP_TARGETS_<dir>.
SKIP_TARGETS_runner := apollo3 efm32wg mps2-an385 mps2-an386 nrf52840 rp2040 samd51 stm32f103 stm32f407 stm32l4r5
include apps/mce_app.mk

# Sizes per target in bytes: model region (the end of flash, header included), tensor arena,
# input buffer, output buffer, main stack. Chosen to leave room for the code (about 36 KiB)
# and .data/.bss; the link fails (runner.ld and sections.ld asserts) if they do not fit. The
# runner needs well under 1 KiB of stack (gcc -fstack-usage: main -> mce_init -> prep_conv
# -> ... about 700 bytes), so the small parts get 4 KiB and more arena.
K := *1024
RUNNER_SIZES_mps2-an386 := 2048$(K) 1024$(K) 256$(K) 64$(K) 8$(K)
RUNNER_SIZES_mps2-an385 := 2048$(K) 1024$(K) 256$(K) 64$(K) 8$(K)
RUNNER_SIZES_stm32l4r5  := 1920$(K) 512$(K) 64$(K) 16$(K) 8$(K)
RUNNER_SIZES_rp2040     := 1792$(K) 192$(K) 32$(K) 8$(K) 8$(K)
RUNNER_SIZES_apollo3    := 896$(K) 256$(K) 64$(K) 16$(K) 8$(K)
RUNNER_SIZES_nrf52840   := 896$(K) 192$(K) 32$(K) 8$(K) 8$(K)
RUNNER_SIZES_samd51     := 448$(K) 144$(K) 16$(K) 8$(K) 8$(K)
RUNNER_SIZES_efm32wg    := 208$(K) 26$(K) 1$(K) 512 4$(K)
RUNNER_SIZES_stm32f103  := 24$(K) 12$(K) 1$(K) 256 4$(K)
RUNNER_SIZES_stm32f407  := 896$(K) 80$(K) 16$(K) 8$(K) 8$(K)

runner_size = $(word $(1),$(RUNNER_SIZES_$(TARGET)))
RUNNER_CFLAGS = -Iapps/runner \
    -DMCE_RUNNER_MODEL_REGION_BYTES='($(call runner_size,1))' \
    -DMCE_RUNNER_ARENA_BYTES='($(call runner_size,2))' \
    -DMCE_RUNNER_INPUT_BYTES='($(call runner_size,3))' \
    -DMCE_RUNNER_OUTPUT_BYTES='($(call runner_size,4))'
RUNNER_LDFLAGS = -Tapps/runner/runner.ld -Wl,--defsym=__stack_size__=$(call runner_size,5)

CFLAGS_runner-ref = $(RUNNER_CFLAGS)
CFLAGS_runner-opt = $(RUNNER_CFLAGS)
LDFLAGS_runner-ref = $(RUNNER_LDFLAGS)
LDFLAGS_runner-opt = $(RUNNER_LDFLAGS)
$(eval $(call mce_app,runner-ref,ref,))
$(eval $(call mce_app,runner-opt,opt,))
