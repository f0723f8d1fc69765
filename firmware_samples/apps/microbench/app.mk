# The cycle-model micro-benchmarks run on the zero-wait-state MPS2 boards (M4F, M3) and on
# rp2040 (M0+, measured with SysTick); the tests compare them with hand-computed TRM counts.
SKIP_TARGETS_microbench := stm32f407 apollo3 nrf52840 stm32l4r5 samd51 efm32wg stm32f103
